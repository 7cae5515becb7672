"""openpca servers for the store benchmarks (pg_vs_sqlite.py, pg_profile.py): each started on
127.0.0.1:0 with its own data directory under `tmp`, found through its endpoint file, and all
stopped by stop_all() on every exit path; plus the load generator's arguments and a CA made with
it. Loopback only."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class BenchServers:
    def __init__(self, build: Path, tmp: Path):
        self.server_bin = build / "src" / "server" / "openpca"
        self.loadgen = build / "bench" / "issuance" / "openpca_loadgen"
        self.tmp = tmp
        self.procs = []

    def missing(self) -> list:
        """The binaries not built yet."""
        return [b for b in (self.server_bin, self.loadgen) if not os.access(b, os.X_OK)]

    def start(self, name: str, env_extra: dict) -> dict:
        """Starts a server; returns its endpoint, credentials file and pid."""
        data = self.tmp / name
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.tmp), **env_extra}
        log = open(self.tmp / f"{name}.log", "wb")
        p = subprocess.Popen([str(self.server_bin), "serve", "--listen", "127.0.0.1:0",
                              "--data-dir", str(data)], stdout=log, stderr=subprocess.STDOUT,
                             env=env)
        self.procs.append(p)
        for _ in range(400):
            ep = data / "endpoint"
            if ep.exists() and ep.read_text().strip():
                return {"endpoint": ep.read_text().strip(),
                        "credentials": str(data / "credentials"), "pid": p.pid}
            time.sleep(0.05)
        raise RuntimeError(f"{name} did not start: "
                           f"{(self.tmp / f'{name}.log').read_text()[-2000:]}")

    def loadgen_args(self, srv: dict, *args) -> list:
        return [str(self.loadgen), "--endpoint", srv["endpoint"], "--credentials",
                srv["credentials"], *args]

    def create_ca(self, srv: dict) -> str:
        """An active EC P-256 root CA of `srv`, made through its API by the load generator."""
        out = subprocess.run(self.loadgen_args(srv, "--create-ca", "--requests", "1",
                                               "--concurrency", "1", "--verify-sample", "0"),
                             capture_output=True, text=True, timeout=120).stdout
        return re.search(r"created and activated CA: (\S+)", out).group(1)

    def stop_all(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def setup(prefix: str):
    """What both scripts start from: the build directory (argv[1], default <repo>/build), the
    run length OPENPCA_BENCH_SECONDS (default 8, 1..60) and connections
    OPENPCA_BENCH_CONCURRENCY (default 32), and a BenchServers over a fresh temporary directory.
    Exits when a binary is not built. Returns (build, seconds, concurrency, tmp, servers)."""
    build = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "build").resolve()
    seconds = int(os.environ.get("OPENPCA_BENCH_SECONDS", "8"))
    concurrency = int(os.environ.get("OPENPCA_BENCH_CONCURRENCY", "32"))
    if not 1 <= seconds <= 60:
        sys.exit("OPENPCA_BENCH_SECONDS must be 1..60")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    servers = BenchServers(build, tmp)
    for b in servers.missing():
        shutil.rmtree(tmp, ignore_errors=True)
        sys.exit(f"{b} not built (ninja -C {build})")
    return build, seconds, concurrency, tmp, servers
