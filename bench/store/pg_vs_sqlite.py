#!/usr/bin/env python3
"""IssueCertificate over HTTP on the PostgreSQL store versus the SQLite store, same run, and two
servers sharing one PostgreSQL database versus one.

Starts a PostgreSQL server in a temporary directory (tests/integration/pgcluster.py: Debian's
postgresql-15, unix socket only, fsync on), then alternates rounds: one openpca server on SQLite,
one on PostgreSQL, two on one PostgreSQL database (the load split between them). Each round runs
bench/issuance's loadgen for OPENPCA_BENCH_SECONDS (default 8, at most 60) at
OPENPCA_BENCH_CONCURRENCY connections in all (default 32), EC P-256 CA and CSRs, and prints
each round's PostgreSQL rates as a share of that round's SQLite rate. Loopback only;
every process it starts is stopped on every exit path. Prints figures, judges nothing.

Usage: bench/store/pg_vs_sqlite.py [BUILD_DIR]        (default: <repo>/build)
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "integration"))
from pgcluster import PostgresCluster  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_servers import setup  # noqa: E402

build, seconds, concurrency, tmp, bench = setup("openpca-bench-store-")
rounds = int(os.environ.get("OPENPCA_BENCH_ROUNDS", "2"))
start, create_ca = bench.start, bench.create_ca


def run_loadgen(srv: dict, args) -> subprocess.Popen:
    return subprocess.Popen(bench.loadgen_args(srv, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def load(servers, ca: str) -> tuple:
    per = max(1, concurrency // len(servers))
    gens = [run_loadgen(s, ["--ca-arn", ca, "--duration", str(seconds), "--concurrency",
                            str(per), "--verify-sample", "5"]) for s in servers]
    rate, p99 = 0.0, 0.0
    for g in gens:
        out, _ = g.communicate(timeout=seconds + 120)
        m = re.search(r"issued:\s+([\d.]+)", out)
        if m is None:
            raise RuntimeError(out[-2000:])
        rate += float(m.group(1))
        p = re.search(r"latency_ms all .*? p99 ([\d.]+)", out)
        p99 = max(p99, float(p.group(1)) if p else 0.0)
        if "0 failed" not in out:
            raise RuntimeError("a sampled certificate did not verify:\n" + out[-2000:])
    return rate, p99


cluster = None
try:
    cluster = PostgresCluster()
    sqlite = start("sqlite", {})
    pg_one = start("pg-one", {"OPENPCA_POSTGRES_DSN": cluster.dsn(cluster.create_database())})
    shared_db = cluster.dsn(cluster.create_database())
    shared = {"OPENPCA_POSTGRES_DSN": shared_db,
              "OPENPCA_MASTER_KEY_FILE": str(tmp / "shared-master.key"),
              "OPENPCA_OBJECTS_DIR": str(tmp / "shared-objects")}
    pg_a = start("pg-a", shared)
    pg_b = start("pg-b", shared)
    cas = {"sqlite": create_ca(sqlite), "pg-one": create_ca(pg_one), "pg-two": create_ca(pg_a)}
    setups = [("SQLite, one server", [sqlite], cas["sqlite"]),
              ("PostgreSQL, one server", [pg_one], cas["pg-one"]),
              ("PostgreSQL, two servers", [pg_a, pg_b], cas["pg-two"])]
    print(f"IssueCertificate EC P-256, {concurrency} connections in all, {seconds} s per run, "
          f"{rounds} rounds")
    for r in range(rounds):
        rates = {}
        for name, servers, ca in setups:
            load_avg = os.getloadavg()[0]
            rate, p99 = load(servers, ca)
            rates[name] = rate
            print(f"round {r + 1}  {name:26s} {rate:8.1f} certificates/s  p99 {p99:6.1f} ms"
                  f"  (load {load_avg:.2f})", flush=True)
        sqlite_rate = rates["SQLite, one server"]
        if sqlite_rate > 0:
            print(f"round {r + 1}  PostgreSQL as a share of SQLite: one server "
                  f"{100 * rates['PostgreSQL, one server'] / sqlite_rate:.0f} %, two servers "
                  f"{100 * rates['PostgreSQL, two servers'] / sqlite_rate:.0f} %", flush=True)
finally:
    bench.stop_all()
    if cluster is not None:
        cluster.close()
    shutil.rmtree(tmp, ignore_errors=True)
