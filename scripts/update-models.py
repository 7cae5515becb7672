#!/usr/bin/env python3
"""Regenerates src/api/model/<service>-<version>.json from the installed botocore.

Each file is botocore's data/<service>/<version>/service-2.json.gz, decompressed, with every
`documentation` and `documentationUrl` member removed, written with sorted keys and no
whitespace and without a trailing newline. Usage: scripts/update-models.py [--check]
(--check exits 1 if a committed file differs from what this botocore would produce).
"""
import gzip
import json
import os
import sys

import botocore

MODELS = [
    ("acm-pca", "2017-08-22"),
    ("iam", "2010-05-08"),
    ("sts", "2011-06-15"),
    ("organizations", "2016-11-28"),
    ("ram", "2018-01-04"),
    ("acm", "2015-12-08"),
    ("cloudtrail", "2013-11-01"),
    ("events", "2015-10-07"),
]


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(o, list):
        return [strip(x) for x in o]
    return o


def main():
    check = "--check" in sys.argv[1:]
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "api", "model")
    differs = False
    for service, version in MODELS:
        with gzip.open(os.path.join(data, service, version, "service-2.json.gz")) as f:
            model = json.load(f)
        text = json.dumps(strip(model), separators=(",", ":"), sort_keys=True)
        path = os.path.join(out_dir, f"{service}-{version}.json")
        if check:
            with open(path) as f:
                if f.read() != text:
                    print(f"{path} differs from botocore {botocore.__version__}")
                    differs = True
        else:
            with open(path, "w") as f:
                f.write(text)
    sys.exit(1 if differs else 0)


if __name__ == "__main__":
    main()
