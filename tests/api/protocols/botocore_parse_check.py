#!/usr/bin/env python3
"""Proves botocore parses what our protocol codecs encode.

Runs the protocol_encode_cases program (its path is the first argument), and parses each response
it prints with botocore's own response parser for that service's protocol and operation, as the
AWS CLI and boto3 do; then asserts the parsed dict contains `expect`, that the request id is read,
and for errors the code, message, HTTP status, query <Type>, and the client exception class the
code maps to. With --awscli-v2, botocore is the one vendored by the Debian AWS CLI v2 package.
Exit status 0 when every case passes.
"""
import base64
import datetime
import json
import subprocess
import sys

if "--awscli-v2" in sys.argv:
    import awscli  # noqa: F401  (installs its vendored botocore as `botocore`)
import botocore
import botocore.session
from botocore.parsers import create_parser


class Headers(dict):
    """A case-insensitive header dict, as botocore's HTTP layer hands to the parsers."""

    def __init__(self, d):
        super().__init__({k.lower(): v for k, v in d.items()})

    def __getitem__(self, k):
        return super().__getitem__(k.lower())

    def get(self, k, default=None):
        return super().get(k.lower(), default)

    def __contains__(self, k):
        return super().__contains__(k.lower())


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    return v


def contains(parsed, expect, path="$"):
    if isinstance(expect, dict):
        if not isinstance(parsed, dict):
            return f"{path}: expected an object, got {parsed!r}"
        for k, v in expect.items():
            if k not in parsed:
                return f"{path}.{k}: missing (parsed keys {sorted(parsed)})"
            err = contains(parsed[k], v, f"{path}.{k}")
            if err:
                return err
        return None
    if isinstance(expect, list):
        if not isinstance(parsed, list) or len(parsed) != len(expect):
            return f"{path}: expected {expect!r}, got {parsed!r}"
        for i, (p, e) in enumerate(zip(parsed, expect)):
            err = contains(p, e, f"{path}[{i}]")
            if err:
                return err
        return None
    if parsed != expect:
        return f"{path}: expected {expect!r}, got {parsed!r}"
    return None


def main():
    program = [a for a in sys.argv[1:] if not a.startswith("--")][0]
    lines = subprocess.run([program], check=True, capture_output=True, text=True).stdout.splitlines()
    session = botocore.session.get_session()
    clients = {}
    failures = 0
    for line in lines:
        case = json.loads(line)
        service, operation = case["service"], case["operation"]
        label = f"{service} {operation} {case['status']}"
        model = session.get_service_model(service)
        if operation not in model.operation_names:
            # An older botocore than the models we embed: nothing to check it against.
            print(f"skip {label}: not in this botocore's model")
            continue
        op = model.operation_model(operation)
        parser = create_parser(model.metadata["protocol"])
        response = {"status_code": case["status"], "headers": Headers(case["headers"]),
                    "body": case["body"].encode("utf-8")}
        try:
            parsed = plain(parser.parse(response, op.output_shape))
        except Exception as e:  # a parser exception is a failed case
            print(f"FAIL {label}: botocore could not parse: {e!r}\n{case['body']}")
            failures += 1
            continue
        meta = parsed.get("ResponseMetadata", {})
        problems = []
        if meta.get("RequestId") != case["request_id"]:
            problems.append(f"RequestId {meta.get('RequestId')!r}")
        if meta.get("HTTPStatusCode") != case["status"]:
            problems.append(f"HTTPStatusCode {meta.get('HTTPStatusCode')!r}")
        err = contains(parsed, case["expect"])
        if err:
            problems.append(err)
        if "error" in case:
            want = case["error"]
            got = parsed.get("Error", {})
            if case["status"] != want["http_status"]:
                problems.append(f"status {case['status']} != {want['http_status']}")
            if got.get("Code") != want["code"]:
                problems.append(f"Error.Code {got.get('Code')!r} != {want['code']!r}")
            if want["message"] and got.get("Message") != want["message"]:
                problems.append(f"Error.Message {got.get('Message')!r}")
            if want["type"] and got.get("Type") != want["type"]:
                problems.append(f"Error.Type {got.get('Type')!r} != {want['type']!r}")
            if service not in clients:
                clients[service] = session.create_client(
                    service, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                    aws_secret_access_key="secret")
            cls = clients[service].exceptions.from_code(got.get("Code"))
            known = {shape.name for shape in model.error_shapes}
            if want["exception"] != "ClientError" and want["exception"] not in known:
                pass  # an older botocore that does not model this error yet
            elif cls.__name__ != want["exception"]:
                problems.append(f"exception class {cls.__name__} != {want['exception']}")
        elif "Error" in parsed:
            problems.append(f"unexpected Error {parsed['Error']!r}")
        if problems:
            failures += 1
            print(f"FAIL {label}: " + "; ".join(problems) + f"\n  body: {case['body']}")
        else:
            print(f"ok   {label}")
    print(f"botocore {botocore.__version__}: {len(lines) - failures}/{len(lines)} passed")
    if not lines:
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
