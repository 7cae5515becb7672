#!/usr/bin/env python3
"""Where an IssueCertificate's time goes on the PostgreSQL store: statements and round trips per
certificate, database time per statement, and (optionally) perf profiles of the server and of
the PostgreSQL backends.

Starts a PostgreSQL server as bench/store/pg_vs_sqlite.py does (tests/integration/pgcluster.py),
restarted once with pg_stat_statements loaded; then one openpca server on SQLite (the same-run
reference), one on PostgreSQL with the history on, and one with OPENPCA_AUDIT_RECORD_EVENTS=0.
For each, runs bench/issuance's loadgen for OPENPCA_BENCH_SECONDS (default 8) at
OPENPCA_BENCH_CONCURRENCY connections (default 32), EC P-256, and prints the certificate rate, CPU
per certificate of each process (/proc/<pid>/stat; the writer's backend apart), openpca's context
switches per certificate, and for PostgreSQL pg_stat_statements per certificate issued during the
run (calls and execution time, statement by statement) and transactions per certificate. With
OPENPCA_PROFILE_PERF=1 it also runs `perf record -g` on the openpca server and on all PostgreSQL
processes during the history-on run, and prints the top of `perf report` for each (children
excluded, by self time) into OPENPCA_PROFILE_DIR (default: a temporary directory, kept).
Loopback only; every process it starts is stopped on every exit path. Prints figures, judges
nothing.

Usage: bench/store/pg_profile.py [BUILD_DIR]          (default: <repo>/build)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "integration"))
from pgcluster import PostgresCluster  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_servers import setup  # noqa: E402

build, seconds, concurrency, tmp, bench = setup("openpca-bench-pgprof-")
use_perf = os.environ.get("OPENPCA_PROFILE_PERF") == "1"
start, create_ca, loadgen_args = bench.start, bench.create_ca, bench.loadgen_args
out_dir = None
if use_perf:  # perf data and reports are kept: only then is there a directory for them
    out_dir = Path(os.environ.get("OPENPCA_PROFILE_DIR") or
                   tempfile.mkdtemp(prefix="openpca-pgprof-"))
    out_dir.mkdir(parents=True, exist_ok=True)


def postgres_pids(cluster: PostgresCluster) -> list:
    pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [pid] + [int(k) for k in kids.split()]


def perf_start(name: str, pids: list):
    data = out_dir / f"{name}.perf.data"
    return subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", str(data), "-p",
                             ",".join(str(p) for p in pids)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), data


def perf_report(data: Path, name: str) -> None:
    report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                             "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.7"],
                            capture_output=True, text=True).stdout
    (out_dir / f"{name}.txt").write_text(report)
    lines = [l for l in report.splitlines() if l.strip() and not l.startswith("#")]
    print(f"--- perf {name} (self time, top 25; full: {out_dir / (name + '.txt')})")
    print("\n".join(lines[:25]))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def switches(pid: int) -> int:
    """Context switches (voluntary and not) of all threads of a process so far."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for t in tasks:
        try:
            for line in Path(f"/proc/{pid}/task/{t}/status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_of(pids: list) -> dict:
    return {p: cpu_seconds(p) for p in pids}


def run_sqlite(srv: dict, ca: str) -> None:
    load = os.getloadavg()[0]
    before = cpu_seconds(srv["pid"])
    sw0 = switches(srv["pid"])
    child0 = os.times().children_user + os.times().children_system
    out = subprocess.run(loadgen_args(srv, "--ca-arn", ca, "--duration", str(seconds),
                                      "--concurrency", str(concurrency), "--verify-sample", "5"),
                         capture_output=True, text=True, timeout=seconds + 120).stdout
    rate = float(re.search(r"issued:\s+([\d.]+)", out).group(1))
    n = rate * seconds
    server = cpu_seconds(srv["pid"]) - before
    gen = os.times().children_user + os.times().children_system - child0
    print(f"=== sqlite: {rate:.1f} certificates/s (load {load:.2f}); CPU per certificate: "
          f"openpca {server / n * 1e6:.0f} us, loadgen {gen / n * 1e6:.0f} us; openpca context "
          f"switches per certificate {(switches(srv['pid']) - sw0) / n:.1f}")


def run(cluster: PostgresCluster, db: str, srv: dict, ca: str, label: str, profile: bool):
    cluster.psql(db, "SELECT pg_stat_statements_reset()")
    commits0 = int(cluster.psql(db, "SELECT xact_commit FROM pg_stat_database "
                                    "WHERE datname = current_database()").strip())
    # The store opens its writer connection first: the oldest backend of the database.
    writer_pid = int(cluster.psql(db, "SELECT pid FROM pg_stat_activity WHERE datname = "
                                      "current_database() AND pid <> pg_backend_pid() "
                                      "ORDER BY backend_start LIMIT 1").strip())
    pg_pids = postgres_pids(cluster)
    cpu0 = cpu_of(pg_pids + [srv["pid"]])
    sw0 = switches(srv["pid"])
    child0 = os.times().children_user + os.times().children_system
    perfs = []
    if profile:
        perfs = [perf_start("openpca", [srv["pid"]]),
                 perf_start("postgres", postgres_pids(cluster))]
    load = os.getloadavg()[0]
    out = subprocess.run(loadgen_args(srv, "--ca-arn", ca, "--duration", str(seconds),
                                      "--concurrency", str(concurrency), "--verify-sample", "5"),
                         capture_output=True, text=True, timeout=seconds + 120).stdout
    for p, _ in perfs:
        p.send_signal(2)
        p.wait(timeout=60)
    m = re.search(r"issued:\s+([\d.]+)", out)
    rate = float(m.group(1))
    gen = os.times().children_user + os.times().children_system - child0
    pg_pids_after = postgres_pids(cluster)
    cpu1 = cpu_of(pg_pids_after + [srv["pid"]])
    used = {p: cpu1[p] - cpu0.get(p, 0.0) for p in cpu1}
    n = rate * seconds
    pg_total = sum(v for p, v in used.items() if p != srv["pid"])
    print(f"--- {label}: CPU per certificate: openpca {used[srv['pid']] / n * 1e6:.0f} us, "
          f"postgres {pg_total / n * 1e6:.0f} us (writer backend "
          f"{used.get(writer_pid, 0.0) / n * 1e6:.0f} us, the other "
          f"{len(used) - 2} postgres processes {(pg_total - used.get(writer_pid, 0.0)) / n * 1e6:.0f}"
          f" us), loadgen {gen / n * 1e6:.0f} us; openpca context switches per certificate "
          f"{(switches(srv['pid']) - sw0) / n:.1f}")
    issued = int(cluster.psql(db, "SELECT COUNT(*) FROM certificates").strip())
    commits = int(cluster.psql(db, "SELECT xact_commit FROM pg_stat_database "
                                   "WHERE datname = current_database()").strip()) - commits0
    print(f"=== {label}: {rate:.1f} certificates/s (load {load:.2f}), {issued} certificates in "
          f"the database, {commits} transactions committed in the database")
    rows = cluster.psql(db, "SELECT calls, round(total_exec_time::numeric, 1), "
                            "regexp_replace(left(query, 90), '\\s+', ' ', 'g') "
                            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
                            "WHERE datname = current_database()) ORDER BY calls DESC LIMIT 30")
    total_calls, total_ms = 0, 0.0
    print(f"{'calls/cert':>10} {'exec us/cert':>12}  statement")
    for line in rows.strip().splitlines():
        calls, ms, query = line.split("|", 2)
        total_calls += int(calls)
        total_ms += float(ms)
        print(f"{int(calls) / max(issued, 1):10.3f} {float(ms) * 1000 / max(issued, 1):12.1f}  "
              f"{query}")
    print(f"{total_calls / max(issued, 1):10.3f} {total_ms * 1000 / max(issued, 1):12.1f}  "
          f"(all statements; the runs' certificates only: the database was empty but the CA)")
    if profile:
        perf_report(perfs[0][1], f"openpca-{label}")
        perf_report(perfs[1][1], f"postgres-{label}")
    return rate


cluster = None
try:
    cluster = PostgresCluster()
    with open(cluster.data / "postgresql.conf", "a") as conf:
        conf.write("shared_preload_libraries = 'pg_stat_statements'\n"
                   "pg_stat_statements.track_utility = on\n")
    cluster._run("pg_ctl", "-D", str(cluster.data), "-l", str(cluster.dir / "server.log"), "-w",
                 "-t", "60", "-m", "fast", "restart")
    sqlite = start("sqlite", {})
    run_sqlite(sqlite, create_ca(sqlite))
    for history in ("on", "off"):
        db = cluster.create_database()
        cluster.psql(db, "CREATE EXTENSION pg_stat_statements")
        env = {"OPENPCA_POSTGRES_DSN": cluster.dsn(db)}
        if history == "off":
            env["OPENPCA_AUDIT_RECORD_EVENTS"] = "0"
        srv = start(f"pg-history-{history}", env)
        ca = create_ca(srv)
        cluster.psql(db, "DELETE FROM certificates")
        run(cluster, db, srv, ca, f"history-{history}", use_perf and history == "on")
finally:
    bench.stop_all()
    if cluster is not None:
        cluster.close()
    shutil.rmtree(tmp, ignore_errors=True)
