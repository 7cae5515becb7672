"""A real PostgreSQL server for integration tests, started in a temporary directory.

`PostgresCluster()` runs initdb and pg_ctl from Debian's postgresql-15 (or $OPENPCA_PG_BINDIR),
listening on a unix socket in its directory only (no TCP port), with fsync on. As root (here and
in CI) initdb and postgres refuse to run, so they run as the `postgres` system user through
runuser. `create_database()` returns a libpq connection string for a new database;
`psql()` runs a query. `close()` stops the server (immediate mode) and removes the directory.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional


def bindir() -> Optional[str]:
    env = os.environ.get("OPENPCA_PG_BINDIR")
    for candidate in (env, "/usr/lib/postgresql/15/bin"):
        if candidate and all(os.access(os.path.join(candidate, t), os.X_OK)
                             for t in ("initdb", "pg_ctl", "postgres", "psql")):
            return candidate
    return None


class PostgresCluster:
    def __init__(self):
        self.bin = bindir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (install postgresql-15)")
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="openpca-pg-", dir="/tmp"))
        if self.as_root:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
        self.data = self.dir / "data"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync", "--no-instructions")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\nlisten_addresses = ''\n"
                       f"unix_socket_directories = '{self.dir}'\n"
                       "fsync = on\nsynchronous_commit = on\nshared_buffers = 32MB\n"
                       "max_connections = 200\n")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w",
                  "-t", "60", "start")
        self.running = True
        self._next = 0

    def _run(self, tool: str, *args: str, input: Optional[str] = None) -> str:
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_root:
            cmd = ["/usr/sbin/runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=120,
                             cwd=str(self.dir))
        if out.returncode != 0:
            raise RuntimeError(f"{tool} failed ({out.returncode}): {out.stderr[-2000:]}")
        return out.stdout

    def dsn(self, database: str) -> str:
        return f"host={self.dir} user=postgres dbname={database}"

    def psql(self, database: str, sql: str) -> str:
        return self._run("psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir),
                         "-U", "postgres", "-d", database, "-c", sql)

    def create_database(self) -> str:
        self._next += 1
        name = f"openpca_it_{self._next}"
        self.psql("postgres", f"CREATE DATABASE {name}")
        return name

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join((self.dir / "server.log").read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def close(self) -> None:
        if self.running:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
            self.running = False
        shutil.rmtree(self.dir, ignore_errors=True)
