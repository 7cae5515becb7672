"""Integration-test harness: runs the real openpca server and drives it the way users do.

Clients are the Debian-packaged AWS CLI v2 (/usr/bin/aws), boto3 from /usr/bin/python3 (this
interpreter) and the `openssl` command. Nothing here talks to AWS: every client gets an explicit
--endpoint-url and a clean environment, so ambient AWS_* settings of the machine never leak in.

Pieces:
  Server          start/stop/kill9/restart of `openpca serve` on 127.0.0.1:0 with a temp data dir
  Server.aws()    runs `aws acm-pca ...`, returns parsed JSON or checks an expected error code
  Server.boto3()  a boto3 acm-pca client for the server
  raw_request()   a hand-made (optionally SigV4-signed) HTTP request, for bodies clients refuse
                  to send (malformed JSON, bad auth, oversized, out-of-range values)
  openssl helpers keys, CSRs, self-signed certs, `openssl verify`, `openssl x509 -text/-ext`
  build_root_ca() / build_sub_ca() / issue_leaf(): whole activation flows other tests reuse

Environment: OPENPCA_BIN = path of the server binary (ctest sets it). OPENPCA_IT_KEEP=1 keeps the
temp directories after the run.
"""

import base64
import configparser
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

# boto3 runs inside this process: scrub the machine's AWS_* settings before botocore reads them.
for _k in list(os.environ):
    if _k.startswith("AWS_"):
        del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

AWS = "/usr/bin/aws"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[2]
UTC = datetime.timezone.utc

TEMPLATE_PREFIX = "arn:aws:acm-pca:::template/"


def template_arn(name: str) -> str:
    """`RootCACertificate` -> arn:aws:acm-pca:::template/RootCACertificate/V1."""
    return name if name.startswith("arn:") else f"{TEMPLATE_PREFIX}{name}/V1"


def server_binary() -> str:
    path = os.environ.get("OPENPCA_BIN")
    if path:
        return path
    for cand in sorted(REPO.glob("build*/src/server/openpca")):
        if os.access(cand, os.X_OK):
            return str(cand)
    raise RuntimeError("OPENPCA_BIN is not set and no build*/src/server/openpca exists")


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(tz=UTC)


def parse_ts(value) -> datetime.datetime:
    """A timestamp as the CLI (ISO 8601 text) or the wire/boto3 (epoch number/datetime) gives it."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, tz=UTC)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return datetime.datetime.fromtimestamp(float(text), tz=UTC)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    ts = datetime.datetime.fromisoformat(text)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def cert_not_before(cert: x509.Certificate) -> datetime.datetime:
    return cert.not_valid_before.replace(tzinfo=UTC)


def cert_not_after(cert: x509.Certificate) -> datetime.datetime:
    return cert.not_valid_after.replace(tzinfo=UTC)


def error_code_of(type_field: Optional[str]) -> Optional[str]:
    """Client rule: strip anything up to '#' and after ':' in __type."""
    if not type_field:
        return None
    return type_field.split("#")[-1].split(":")[0]


CLI_ERROR_RE = re.compile(r"An error occurred \(([^)]+)\)")


# --------------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------------


_PG_CLUSTER = None


def postgres_cluster():
    """The PostgreSQL server of this test process (pgcluster.py), started on first use."""
    global _PG_CLUSTER
    if _PG_CLUSTER is None:
        import atexit
        from pgcluster import PostgresCluster
        _PG_CLUSTER = PostgresCluster()
        atexit.register(_PG_CLUSTER.close)
    return _PG_CLUSTER


def postgres_dsn() -> str:
    """A libpq connection string for a new, empty database on the process's server."""
    cluster = postgres_cluster()
    return cluster.dsn(cluster.create_database())


class Server:
    """One `openpca serve` process with its own temp data dir, bound to 127.0.0.1:0.

    The endpoint URL is read from DATA/endpoint, the admin key from DATA/credentials. The process
    log (stdout+stderr) goes to <tmp>/server.log; `log_tail()` returns its end for failure messages.
    With OPENPCA_IT_POSTGRES=1 in the test's environment, each server keeps its state in a new
    database of a PostgreSQL server the test process starts (pgcluster.py) instead of SQLite, so
    the same tests run on the PostgreSQL store.
    """

    def __init__(self, name: str = "it", extra_env: Optional[dict] = None,
                 region: str = REGION):
        self.binary = server_binary()
        self.region = region
        self.root = Path(tempfile.mkdtemp(prefix=f"openpca-{name}-"))
        self.data_dir = self.root / "data"
        self.work = self.root / "work"    # cwd of CLI calls, so fileb://name works
        self.home = self.root / "home"    # HOME of every child process
        for d in (self.data_dir, self.work, self.home):
            d.mkdir(mode=0o700)
        self.log_path = self.root / "server.log"
        self.extra_env = dict(extra_env or {})
        if os.environ.get("OPENPCA_IT_POSTGRES") == "1" and \
                "OPENPCA_POSTGRES_DSN" not in self.extra_env:
            self.extra_env["OPENPCA_POSTGRES_DSN"] = postgres_dsn()
        self.extra_args: list = []        # more `openpca serve` flags (e.g. --config FILE)
        self.proc: Optional[subprocess.Popen] = None
        self.endpoint: Optional[str] = None
        self.access_key_id: Optional[str] = None
        self.secret_access_key: Optional[str] = None
        self.starts = 0
        self.last_exit_code: Optional[int] = None
        self._log = None

    # -- environment --------------------------------------------------------------------------

    def _base_env(self) -> dict:
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMPDIR": str(self.root),
        }

    def server_env(self) -> dict:
        env = self._base_env()
        env.update(self.extra_env)
        return env

    @property
    def credentials_path(self) -> Path:
        return self.data_dir / "credentials"

    def cli_env(self, **overrides) -> dict:
        env = self._base_env()
        env.update({
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials_path),
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "AWS_CLI_AUTO_PROMPT": "off",
        })
        env.update(overrides)
        return env

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> "Server":
        assert self.proc is None, "server already running"
        endpoint_file = self.data_dir / "endpoint"
        if endpoint_file.exists():
            endpoint_file.unlink()   # a stale URL from the previous run must not be read
        self._log = open(self.log_path, "ab")
        self._log.write(f"\n===== start #{self.starts + 1} at {now_utc().isoformat()} =====\n"
                        .encode())
        self._log.flush()
        cmd = [self.binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data_dir),
               "--region", self.region, *self.extra_args]
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.server_env(),
                                     cwd=str(self.root), start_new_session=True)
        self.starts += 1
        deadline = time.monotonic() + timeout
        url = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                raise AssertionError(f"openpca exited with {rc} during startup\n{self.log_tail()}")
            if endpoint_file.exists():
                text = endpoint_file.read_text().strip()
                if re.fullmatch(r"https?://[^/\s]+", text):
                    url = text
                    break
            time.sleep(0.05)
        if url is None:
            self.stop()
            raise AssertionError(f"no endpoint file after {timeout}s\n{self.log_tail()}")
        self.endpoint = url
        while time.monotonic() < deadline:
            status, _, _ = self.http_get("/health")
            if status == 200:
                break
            time.sleep(0.05)
            # The file might have been read half-written: take its current content again.
            text = endpoint_file.read_text().strip()
            if re.fullmatch(r"https?://[^/\s]+", text):
                self.endpoint = text
        else:
            self.stop()
            raise AssertionError(f"/health never answered 200\n{self.log_tail()}")
        self._load_credentials()
        return self

    def _load_credentials(self) -> None:
        cp = configparser.ConfigParser()
        if not cp.read(self.credentials_path):
            raise AssertionError(f"no credentials file at {self.credentials_path}\n"
                                 f"{self.log_tail()}")
        self.access_key_id = cp["default"]["aws_access_key_id"].strip()
        self.secret_access_key = cp["default"]["aws_secret_access_key"].strip()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit code (negative = signal)."""
        if self.proc is None:
            return self.last_exit_code
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._note("SIGTERM ignored; sending SIGKILL")
                self.proc.kill()
                self.proc.wait(10)
        return self._reap()

    def kill9(self) -> int:
        """SIGKILL with no warning (crash simulation)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        return self._reap()

    def restart(self, kill: bool = False) -> "Server":
        if kill:
            self.kill9()
        else:
            self.stop()
        return self.start()

    def _reap(self) -> int:
        rc = self.proc.returncode
        self.last_exit_code = rc
        self.proc = None
        self.endpoint = None
        self._note(f"exited with {rc}")
        if self._log:
            self._log.close()
            self._log = None
        return rc

    def close(self, keep: bool = False) -> None:
        try:
            self.stop()
        finally:
            if not keep and not os.environ.get("OPENPCA_IT_KEEP"):
                shutil.rmtree(self.root, ignore_errors=True)
            else:
                print(f"[harness] kept {self.root}", file=sys.stderr)

    def _note(self, msg: str) -> None:
        if self._log and not self._log.closed:
            self._log.write(f"===== harness: {msg} =====\n".encode())
            self._log.flush()

    def _crash_note(self) -> str:
        if self.proc is not None and self.proc.poll() is not None:
            return (f"\nSERVER DIED (exit {self.proc.returncode}) during this call\n"
                    + self.log_tail(8))
        return ""

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "---- server log (tail) ----\n" + "\n".join(text[-lines:])

    # -- plain HTTP ---------------------------------------------------------------------------

    def http_get(self, path: str, timeout: float = 5.0, headers: Optional[dict] = None):
        u = urllib.parse.urlsplit(self.endpoint)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        except OSError:
            return None, {}, b""
        finally:
            conn.close()

    def health(self) -> bool:
        status, _, body = self.http_get("/health")
        if status != 200:
            return False
        try:
            return json.loads(body) == {"status": "ok"}
        except ValueError:
            return False

    # -- clients ------------------------------------------------------------------------------

    def aws(self, *args: str, expect_error: Union[None, str, Iterable[str]] = None,
            cwd: Optional[Path] = None, timeout: float = 180.0, env: Optional[dict] = None,
            endpoint: bool = True):
        """Runs `aws acm-pca <args> --endpoint-url <server> --output json`.

        Success: returns the parsed JSON output ({} when the command prints nothing).
        expect_error="Code" (or a set of acceptable codes): asserts the command failed with
        "An error occurred (Code)" and returns the code seen.
        """
        cmd = [AWS, "acm-pca", *[str(a) for a in args], "--output", "json"]
        if endpoint:
            cmd += ["--endpoint-url", self.endpoint]
        return self._run_cli(cmd, env or self.cli_env(), cwd or self.work, expect_error, timeout)

    def cli(self, service: str, *args: str, creds: Optional[dict] = None,
            expect_error: Union[None, str, Iterable[str]] = None, timeout: float = 180.0):
        """Runs `aws <service> <args> --endpoint-url <server> --output json` as the administrator,
        or with `creds` ({"AccessKeyId", "SecretAccessKey"[, "SessionToken"]}, as STS and IAM
        return them) — see aws() for the result and expect_error."""
        env = self.cli_env()
        if creds is not None:
            env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
            env["AWS_ACCESS_KEY_ID"] = creds["AccessKeyId"]
            env["AWS_SECRET_ACCESS_KEY"] = creds["SecretAccessKey"]
            if creds.get("SessionToken"):
                env["AWS_SESSION_TOKEN"] = creds["SessionToken"]
        cmd = [AWS, service, *[str(a) for a in args], "--output", "json",
               "--endpoint-url", self.endpoint]
        return self._run_cli(cmd, env, self.work, expect_error, timeout)

    def _run_cli(self, cmd, env, cwd, expect_error, timeout):
        r = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True,
                           timeout=timeout)
        shown = " ".join(c for c in cmd[1:] if c != self.endpoint and c != "--endpoint-url")
        if expect_error is not None:
            codes = {expect_error} if isinstance(expect_error, str) else set(expect_error)
            if r.returncode == 0:
                raise AssertionError(f"`aws {shown}` succeeded, expected {sorted(codes)}\n"
                                     f"stdout: {r.stdout}")
            m = CLI_ERROR_RE.search(r.stderr)
            seen = m.group(1) if m else None
            if seen not in codes:
                raise AssertionError(f"`aws {shown}` failed with {seen!r}, expected "
                                     f"{sorted(codes)}\nstderr: {r.stderr.strip()}"
                                     f"{self._crash_note()}")
            return seen
        if r.returncode != 0:
            raise AssertionError(f"`aws {shown}` exited {r.returncode}\n"
                                 f"stderr: {r.stderr.strip()}{self._crash_note()}")
        out = r.stdout.strip()
        return json.loads(out) if out else {}

    def boto3(self, retries: int = 3, **kw):
        cfg = botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"},
                                     connect_timeout=10, read_timeout=120)
        return boto3.session.Session().client(
            "acm-pca", endpoint_url=self.endpoint, region_name=self.region,
            aws_access_key_id=kw.pop("aws_access_key_id", self.access_key_id),
            aws_secret_access_key=kw.pop("aws_secret_access_key", self.secret_access_key),
            config=cfg, **kw)

    def client(self):
        """A cached boto3 client for the current endpoint (recreated after a restart)."""
        if getattr(self, "_client_for", None) != self.endpoint:
            self._client = self.boto3()
            self._client_for = self.endpoint
        return self._client

    def call(self, operation: str, **params) -> dict:
        """A signed raw JSON call that asserts success; bypasses client-side validation."""
        r = raw_request(self, f"ACMPrivateCA.{operation}", params)
        if r.status != 200:
            raise AssertionError(f"{operation} -> HTTP {r.status} {r.body[:500]!r}")
        return r.json

    def path(self, name: str) -> Path:
        return self.work / name

    def write(self, name: str, data: Union[str, bytes]) -> Path:
        p = self.work / name
        if isinstance(data, str):
            data = data.encode()
        p.write_bytes(data)
        return p


# --------------------------------------------------------------------------------------------
# Raw requests (botocore's SigV4 signer + http.client)
# --------------------------------------------------------------------------------------------


@dataclass
class RawResponse:
    status: Optional[int]
    headers: dict
    body: bytes
    error: Optional[str] = None   # transport failure, if any

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def code(self) -> Optional[str]:
        j = self.json
        if isinstance(j, dict) and "__type" in j:
            return error_code_of(j["__type"])
        for k, v in self.headers.items():
            if k.lower() == "x-amzn-errortype":
                return error_code_of(v)
        return None


class _SigV4At(SigV4Auth):
    """SigV4 with a chosen signing time (botocore always uses utcnow())."""

    def __init__(self, credentials, service, region, when: datetime.datetime):
        super().__init__(credentials, service, region)
        self._when = when

    def add_auth(self, request):
        request.context["timestamp"] = self._when.astimezone(UTC).strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        signature = self.signature(string_to_sign, request)
        self._inject_signature_to_request(request, signature)


def raw_request(server: Server, target: Optional[str], body: Union[bytes, str, dict, list],
                *, sign: bool = True, access_key: Optional[str] = None,
                secret: Optional[str] = None, when: Optional[datetime.datetime] = None,
                content_type: str = "application/x-amz-json-1.1",
                extra_headers: Optional[dict] = None, region: Optional[str] = None,
                timeout: float = 60.0, service: str = "acm-pca") -> RawResponse:
    """POST / with the given body, signed like botocore signs `service`'s calls (acm-pca by
    default; unless sign=False)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    url = server.endpoint + "/"
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    headers.update(extra_headers or {})
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    if sign:
        creds = Credentials(access_key or server.access_key_id,
                            secret or server.secret_access_key)
        signer = (_SigV4At(creds, service, region or server.region, when) if when
                  else SigV4Auth(creds, service, region or server.region))
        signer.add_auth(req)
    elif "X-Amz-Date" not in req.headers:
        req.headers["X-Amz-Date"] = now_utc().strftime(SIGV4_TIMESTAMP)
    prepared = req.prepare()
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    send_error = None
    try:
        conn.putrequest("POST", "/", skip_accept_encoding=True)
        for k, v in prepared.headers.items():
            conn.putheader(k, v)
        if not any(k.lower() == "content-length" for k in prepared.headers):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        try:
            for i in range(0, len(body), 65536):
                conn.send(body[i:i + 65536])
        except OSError as e:   # the server may answer (413) and close before reading it all
            send_error = repr(e)
        try:
            resp = conn.getresponse()
            return RawResponse(resp.status, dict(resp.getheaders()), resp.read(), send_error)
        except (OSError, http.client.HTTPException) as e:
            return RawResponse(None, {}, b"", f"{send_error or ''} {e!r}".strip())
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# openssl helpers
# --------------------------------------------------------------------------------------------


def openssl(*args, cwd=None, check: bool = True, input: Optional[bytes] = None):
    r = subprocess.run([OPENSSL, *[str(a) for a in args]], cwd=cwd, capture_output=True,
                       input=input, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(map(str, args))} failed: "
                             f"{r.stderr.decode(errors='replace')}")
    return r


def make_key(path: Path, kind: str = "ec", bits: int = 2048, curve: str = "prime256v1") -> Path:
    if kind == "ec":
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{curve}",
                "-out", path)
    elif kind == "rsa":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}",
                "-out", path)
    else:
        raise ValueError(kind)
    return path


def make_csr(workdir: Path, name: str, subject: Optional[str] = None, kind: str = "ec",
             bits: int = 2048, curve: str = "prime256v1", sans: Sequence[str] = (),
             addext: Sequence[str] = (), key: Optional[Path] = None):
    """`openssl req -new`: returns (key_path, csr_path) of workdir/<name>.key / <name>.csr.

    sans: openssl SAN items ("DNS:a.example", "IP:10.0.0.1"); addext: extra -addext values.
    """
    workdir = Path(workdir)
    key = key or make_key(workdir / f"{name}.key", kind, bits, curve)
    csr = workdir / f"{name}.csr"
    args = ["req", "-new", "-key", key, "-out", csr, "-subj", subject or f"/CN={name}.example.com"]
    if sans:
        args += ["-addext", "subjectAltName=" + ",".join(sans)]
    for e in addext:
        args += ["-addext", e]
    openssl(*args)
    return key, csr


def self_signed_ca(workdir: Path, name: str, subject: Optional[str] = None, kind: str = "ec",
                   days: int = 3650, exts: Sequence[str] = ()):
    """An external root made with `openssl req -x509` (CA:TRUE critical, keyCertSign, cRLSign).

    Returns (key_path, cert_path)."""
    workdir = Path(workdir)
    key = make_key(workdir / f"{name}.key", kind)
    cert = workdir / f"{name}.pem"
    args = ["req", "-x509", "-new", "-key", key, "-out", cert, "-days", days,
            "-subj", subject or f"/CN={name}", "-sha256"]
    for e in exts or ("basicConstraints=critical,CA:TRUE",
                      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                      "subjectKeyIdentifier=hash"):
        args += ["-addext", e]
    openssl(*args)
    return key, cert


def sign_csr(workdir: Path, csr: Path, ca_cert: Path, ca_key: Path, out_name: str,
             ext_lines: Sequence[str], days: int = 365) -> Path:
    """`openssl x509 -req ... -extfile` with the given extension lines (section [ext])."""
    workdir = Path(workdir)
    extfile = workdir / f"{out_name}.ext"
    extfile.write_text("[ext]\n" + "\n".join(ext_lines) + "\n")
    out = workdir / f"{out_name}.pem"
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-set_serial",
            str(int.from_bytes(os.urandom(8), "big") | 1), "-days", days, "-sha256",
            "-extfile", extfile, "-extensions", "ext", "-out", out)
    return out


def verify_chain(root: Path, leaf: Path, untrusted: Optional[Path] = None,
                 extra: Sequence[str] = ()):
    """`openssl verify -CAfile root.pem [-untrusted chain.pem] leaf.pem` -> (ok, output)."""
    args = ["verify", *extra, "-CAfile", root]
    if untrusted is not None:
        args += ["-untrusted", untrusted]
    args.append(leaf)
    r = openssl(*args, check=False)
    out = (r.stdout + r.stderr).decode(errors="replace")
    return r.returncode == 0 and ": OK" in out, out


def x509_text(pem: Path) -> str:
    return openssl("x509", "-noout", "-text", "-in", pem).stdout.decode()


def x509_ext(pem: Path, names: str) -> str:
    return openssl("x509", "-noout", "-ext", names, "-in", pem).stdout.decode()


def load_cert(pem: Union[str, bytes]) -> x509.Certificate:
    if isinstance(pem, str):
        pem = pem.encode()
    return x509.load_pem_x509_certificate(pem)


def load_csr(pem: Union[str, bytes]) -> x509.CertificateSigningRequest:
    if isinstance(pem, str):
        pem = pem.encode()
    return x509.load_pem_x509_csr(pem)


PEM_CERT_RE = re.compile(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")


def split_pem(text: Optional[str]):
    """The certificates of a PEM bundle, in order."""
    return [m.group(0) + "\n" for m in PEM_CERT_RE.finditer(text or "")]


def spki_der(obj) -> bytes:
    return obj.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


# --------------------------------------------------------------------------------------------
# Whole flows: CAs and leaves
# --------------------------------------------------------------------------------------------

SIG_FOR_KEY = {
    "EC_prime256v1": "SHA256WITHECDSA",
    "EC_secp384r1": "SHA384WITHECDSA",
    "EC_secp521r1": "SHA512WITHECDSA",
    "RSA_2048": "SHA256WITHRSA",
    "RSA_3072": "SHA256WITHRSA",
    "RSA_4096": "SHA256WITHRSA",
}


@dataclass
class CaInfo:
    arn: str
    name: str
    key_alg: str
    sig_alg: str
    cert_pem: str
    chain_pem: Optional[str]     # parents only (None for a root)
    cert_path: Path              # <name>.pem
    bundle_path: Path            # <name>-bundle.pem: cert + parents, root last
    root_path: Path              # the root of this hierarchy
    csr_pem: str = ""
    parent: Optional["CaInfo"] = None
    extra: dict = field(default_factory=dict)

    @property
    def cert(self) -> x509.Certificate:
        return load_cert(self.cert_pem)

    @property
    def untrusted_path(self) -> Optional[Path]:
        """Everything below the root (for `openssl verify -untrusted`), None for a root."""
        certs = split_pem(self.cert_pem + (self.chain_pem or ""))
        if len(certs) <= 1:
            return None
        p = self.bundle_path.with_name(self.name + "-untrusted.pem")
        p.write_text("".join(certs[:-1]))
        return p


def ca_config(cn: str, key_alg: str, sig_alg: Optional[str] = None, **subject) -> dict:
    subj = {"Country": "US", "Organization": "Example Corp", "CommonName": cn}
    subj.update(subject)
    return {"KeyAlgorithm": key_alg, "SigningAlgorithm": sig_alg or SIG_FOR_KEY[key_alg],
            "Subject": subj}


def parse_validity(text: str) -> dict:
    """CLI shorthand "Value=10,Type=YEARS" -> {"Value": 10, "Type": "YEARS"}."""
    kv = dict(part.split("=", 1) for part in text.split(","))
    return {"Value": int(kv["Value"]), "Type": kv["Type"]}


WAIT = {"Delay": 1, "MaxAttempts": 120}


def create_ca(server: Server, name: str, ca_type: str = "ROOT", key_alg: str = "EC_prime256v1",
              sig_alg: Optional[str] = None, extra_args: Sequence[str] = (), cn=None,
              via: str = "cli") -> str:
    """create-certificate-authority with --certificate-authority-configuration file://..."""
    config = ca_config(cn or f"{name} CA", key_alg, sig_alg)
    cfg = server.write(f"{name}-config.json", json.dumps(config))
    if via == "boto3":
        assert not extra_args
        return server.client().create_certificate_authority(
            CertificateAuthorityConfiguration=config,
            CertificateAuthorityType=ca_type)["CertificateAuthorityArn"]
    out = server.aws("create-certificate-authority", "--certificate-authority-configuration",
                     f"file://{cfg.name}", "--certificate-authority-type", ca_type, *extra_args)
    return out["CertificateAuthorityArn"]


def fetch_csr(server: Server, arn: str, name: str, via: str = "cli") -> str:
    """wait certificate-authority-csr-created + get-certificate-authority-csr -> <name>.csr."""
    if via == "boto3":
        c = server.client()
        c.get_waiter("certificate_authority_csr_created").wait(CertificateAuthorityArn=arn,
                                                               WaiterConfig=WAIT)
        csr = c.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"]
    else:
        server.aws("wait", "certificate-authority-csr-created", "--certificate-authority-arn",
                   arn)
        csr = server.aws("get-certificate-authority-csr", "--certificate-authority-arn",
                         arn)["Csr"]
    server.write(f"{name}.csr", csr)
    return csr


def issue(server: Server, ca: Union[str, "CaInfo"], csr_file: Union[str, Path], sig_alg: str,
          validity: str, template: Optional[str] = None, extra_args: Sequence[str] = (),
          expect_error=None, via: str = "cli"):
    """issue-certificate --csr fileb://<csr_file>; returns the certificate ARN."""
    ca_arn = ca.arn if isinstance(ca, CaInfo) else ca
    if via == "boto3":
        assert not extra_args and expect_error is None
        params = dict(CertificateAuthorityArn=ca_arn, Csr=(server.work / csr_file).read_bytes(),
                      SigningAlgorithm=sig_alg, Validity=parse_validity(validity))
        if template:
            params["TemplateArn"] = template_arn(template)
        return server.client().issue_certificate(**params)["CertificateArn"]
    args = ["issue-certificate", "--certificate-authority-arn", ca_arn,
            "--csr", f"fileb://{csr_file}", "--signing-algorithm", sig_alg,
            "--validity", validity]
    if template:
        args += ["--template-arn", template_arn(template)]
    args += list(extra_args)
    out = server.aws(*args, expect_error=expect_error)
    return out if expect_error else out["CertificateArn"]


def fetch_cert(server: Server, ca_arn: str, cert_arn: str, via: str = "cli"):
    """wait certificate-issued + get-certificate -> (Certificate, CertificateChain or None)."""
    if via == "boto3":
        c = server.client()
        c.get_waiter("certificate_issued").wait(CertificateAuthorityArn=ca_arn,
                                                CertificateArn=cert_arn, WaiterConfig=WAIT)
        out = c.get_certificate(CertificateAuthorityArn=ca_arn, CertificateArn=cert_arn)
    else:
        server.aws("wait", "certificate-issued", "--certificate-authority-arn", ca_arn,
                   "--certificate-arn", cert_arn)
        out = server.aws("get-certificate", "--certificate-authority-arn", ca_arn,
                         "--certificate-arn", cert_arn)
    return out["Certificate"], out.get("CertificateChain")


def import_ca_cert(server: Server, arn: str, cert_name: str, chain_name: Optional[str] = None,
                   via: str = "cli") -> None:
    if via == "boto3":
        params = dict(CertificateAuthorityArn=arn,
                      Certificate=(server.work / cert_name).read_bytes())
        if chain_name:
            params["CertificateChain"] = (server.work / chain_name).read_bytes()
        server.client().import_certificate_authority_certificate(**params)
        return
    args = ["import-certificate-authority-certificate", "--certificate-authority-arn", arn,
            "--certificate", f"fileb://{cert_name}"]
    if chain_name:
        args += ["--certificate-chain", f"fileb://{chain_name}"]
    server.aws(*args)


def build_root_ca(server: Server, name: str = "root", key_alg: str = "EC_prime256v1",
                  sig_alg: Optional[str] = None, validity: str = "Value=10,Type=YEARS",
                  template: str = "RootCACertificate", via: str = "cli") -> CaInfo:
    """create -> wait csr -> issue RootCACertificate/V1 on itself -> wait -> get -> import.

    via="cli" types it with the AWS CLI; via="boto3" does the same quickly (for fixtures)."""
    sig_alg = sig_alg or SIG_FOR_KEY[key_alg]
    arn = create_ca(server, name, "ROOT", key_alg, sig_alg, via=via)
    csr = fetch_csr(server, arn, name, via=via)
    cert_arn = issue(server, arn, f"{name}.csr", sig_alg, validity, template, via=via)
    cert, _ = fetch_cert(server, arn, cert_arn, via=via)
    cert_path = server.write(f"{name}.pem", cert)
    import_ca_cert(server, arn, cert_path.name, via=via)
    # A root's "cert + parents" bundle is just root.pem (children import with it as chain).
    return CaInfo(arn=arn, name=name, key_alg=key_alg, sig_alg=sig_alg, cert_pem=cert,
                  chain_pem=None, cert_path=cert_path, bundle_path=cert_path, root_path=cert_path,
                  csr_pem=csr, extra={"cert_arn": cert_arn})


def build_sub_ca(server: Server, parent: CaInfo, name: str, pathlen: Optional[int] = 0,
                 key_alg: str = "EC_prime256v1", sig_alg: Optional[str] = None,
                 validity: str = "Value=3,Type=YEARS", template: Optional[str] = None,
                 via: str = "cli") -> CaInfo:
    """create SUBORDINATE -> csr -> parent issues SubordinateCACertificate_PathLen<N>/V1 ->
    import with --certificate-chain = parent cert + parent chain."""
    sig_alg = sig_alg or SIG_FOR_KEY[key_alg]
    arn = create_ca(server, name, "SUBORDINATE", key_alg, sig_alg, via=via)
    csr = fetch_csr(server, arn, name, via=via)
    tmpl = template or f"SubordinateCACertificate_PathLen{pathlen}"
    cert_arn = issue(server, parent, f"{name}.csr", parent.sig_alg, validity, tmpl, via=via)
    cert, chain = fetch_cert(server, parent.arn, cert_arn, via=via)
    cert_path = server.write(f"{name}.pem", cert)
    import_ca_cert(server, arn, cert_path.name, parent.bundle_path.name, via=via)
    parents = parent.cert_pem + (parent.chain_pem or "")
    bundle = server.write(f"{name}-bundle.pem", cert + parents)
    return CaInfo(arn=arn, name=name, key_alg=key_alg, sig_alg=sig_alg, cert_pem=cert,
                  chain_pem=parents, cert_path=cert_path, bundle_path=bundle,
                  root_path=parent.root_path, csr_pem=csr, parent=parent,
                  extra={"cert_arn": cert_arn, "issued_chain": chain})


@dataclass
class Leaf:
    arn: str
    cert_pem: str
    chain_pem: Optional[str]
    cert_path: Path
    key_path: Path
    csr_path: Path

    @property
    def cert(self) -> x509.Certificate:
        return load_cert(self.cert_pem)


def issue_leaf(server: Server, ca: CaInfo, name: str, kind: str = "ec",
               validity: str = "Value=30,Type=DAYS", template: Optional[str] = None,
               sans: Sequence[str] = (), subject: Optional[str] = None,
               extra_args: Sequence[str] = (), via: str = "cli") -> Leaf:
    key, csr = make_csr(server.work, name, subject=subject, kind=kind,
                        sans=sans or (f"DNS:{name}.example.com",))
    arn = issue(server, ca, csr.name, ca.sig_alg, validity, template, extra_args, via=via)
    cert, chain = fetch_cert(server, ca.arn, arn, via=via)
    path = server.write(f"{name}.pem", cert)
    return Leaf(arn=arn, cert_pem=cert, chain_pem=chain, cert_path=path, key_path=key,
                csr_path=csr)


# --------------------------------------------------------------------------------------------
# unittest glue
# --------------------------------------------------------------------------------------------


class ServerTestCase(unittest.TestCase):
    """One server per test module/class: started in setUpClass, stopped in tearDownClass.

    On any failure the server log tail is printed (and the temp dir kept)."""

    server: Server = None
    server_name = "it"
    server_env: dict = {}
    _had_failure = False

    @classmethod
    def setUpClass(cls):
        cls._had_failure = False
        cls.server = Server(cls.server_name, extra_env=cls.server_env)
        try:
            cls.server.start()
        except BaseException:
            print(cls.server.log_tail(200), file=sys.stderr)
            cls.server.close(keep=True)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            if cls._had_failure:
                print(cls.server.log_tail(40), file=sys.stderr)
            cls.server.close(keep=cls._had_failure)

    def setUp(self):
        # A crash must fail only the test that caused it: bring the server back (same data dir)
        # for the next one. The log keeps the exit code ("exited with -11").
        if not self.server.running:
            rc = self.server.proc.returncode if self.server.proc else self.server.last_exit_code
            if self.server.proc is not None:
                self.server._reap()
            print(f"[harness] server was down (exit {rc}); restarting", file=sys.stderr)
            type(self)._had_failure = True
            self.server.start()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            type(self)._had_failure = True
        return out

    # conveniences
    @property
    def srv(self) -> Server:
        return self.server

    def aws(self, *args, **kw):
        return self.server.aws(*args, **kw)

    # State checks go through boto3: the same wire calls, without ~1-2 s of CLI start-up each.
    @property
    def c(self):
        return self.server.client()

    def describe(self, arn: str) -> dict:
        return self.c.describe_certificate_authority(
            CertificateAuthorityArn=arn)["CertificateAuthority"]

    def status(self, arn: str) -> str:
        return self.describe(arn)["Status"]

    def list_cas(self) -> list:
        out, token = [], None
        while True:
            page = self.c.list_certificate_authorities(
                MaxResults=100, **({"NextToken": token} if token else {}))
            out += page["CertificateAuthorities"]
            token = page.get("NextToken")
            if not token:
                return out

    def tags(self, arn: str) -> dict:
        return {t["Key"]: t.get("Value") for t in
                self.c.list_tags(CertificateAuthorityArn=arn).get("Tags", [])}

    def issue_error(self, codes, ca, csr_name, validity: str, template=None, sig=None) -> str:
        """IssueCertificate through boto3 that must fail with `codes` (CSR file from work/)."""
        arn = ca.arn if isinstance(ca, CaInfo) else ca
        params = dict(CertificateAuthorityArn=arn, Csr=self.server.path(csr_name).read_bytes(),
                      SigningAlgorithm=sig or (ca.sig_alg if isinstance(ca, CaInfo)
                                               else "SHA256WITHECDSA"),
                      Validity=parse_validity(validity))
        if template:
            params["TemplateArn"] = template_arn(template)
        return self.assertApiError(codes, "issue_certificate", **params)

    def assertApiError(self, codes, method: str, **params) -> str:
        """boto3 call that must fail with one of `codes`; returns the code seen."""
        codes = {codes} if isinstance(codes, str) else set(codes)
        try:
            out = getattr(self.c, method)(**params)
        except botocore.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            self.assertIn(code, codes, f"{method}: {e}")
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, str(e))
            return code
        self.fail(f"{method} succeeded, expected {sorted(codes)}: {out}")

    def assertVerifies(self, root: Path, leaf: Path, untrusted: Optional[Path] = None,
                       extra: Sequence[str] = ()):
        ok, out = verify_chain(root, leaf, untrusted, extra)
        self.assertTrue(ok, f"openssl verify failed:\n{out}\n{x509_text(leaf)}")

    def assertCloseTime(self, actual: datetime.datetime, expected: datetime.datetime,
                        tolerance: float = 5.0, msg: str = ""):
        delta = abs((actual - expected).total_seconds())
        self.assertLessEqual(delta, tolerance,
                             f"{msg}: {actual.isoformat()} vs expected {expected.isoformat()} "
                             f"(off by {delta:.1f}s)")


def b64(data: Union[str, bytes]) -> str:
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def random_ca_arn(server: Server, account: str) -> str:
    return f"arn:aws:acm-pca:{server.region}:{account}:certificate-authority/{uuid.uuid4()}"
