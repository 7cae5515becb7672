#!/usr/bin/python3
"""The failover test's clients (run by `ha.sh failover-test`).

Writers, each in its own thread, bounded in count and time:
  sql   INSERTs through haproxy's PostgreSQL port, one connection kept open and reopened after an
        error, each logical write retried (same id, ON CONFLICT DO NOTHING) until acknowledged.
  cert  IssueCertificate through haproxy's openpca port (when --openpca-url is given), each
        logical issue retried with the same IdempotencyToken until it returns an ARN.
After a warm-up the primary's Patroni and postgres are SIGKILLed (--kill-cmd). Each writer goes on
until it has written for --after-seconds past its first success after the kill. Then every
acknowledged write is looked for on the new primary (SELECT; GetCertificate for each ARN).

Prints the figures (and writes DIR/failover.json); exits 1 when an acknowledged write is missing
or a writer never recovered, 2 on a setup error.
"""

import argparse
import configparser
import json
import os
import shlex
import subprocess
import sys
import threading
import time
import uuid

for _k in list(os.environ):
    if _k.startswith("AWS_"):
        del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import psycopg2  # noqa: E402

REGION = "us-east-1"
mono = time.monotonic


def log(msg):
    print(f"[load {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Writer(threading.Thread):
    """A client writing one logical item after the other, retrying each until acknowledged."""

    kind = "?"

    def __init__(self, args, kill_event, stop_event, run_id):
        super().__init__(daemon=True, name=self.kind)
        self.args = args
        self.kill_event = kill_event     # set when the kill command has run
        self.stop_event = stop_event     # set by main: stop now (time bound)
        self.run_id = run_id
        self.attempts = []               # (t_start, t_end, ok, error)
        self.acked = []                  # keys of acknowledged writes
        self.failed_keys = set()         # keys of which at least one attempt failed
        self.recovered_at = None         # end of the first success after the kill's first failure
        self.done_reason = None
        self.interval = 1.0 / args.rate if args.rate > 0 else 0.0

    def write(self, n):                  # returns the acknowledged key, raises on failure
        raise NotImplementedError

    def reset(self):                     # after a failure: drop connections
        pass

    def run(self):
        n = 0
        try:
            while not self.stop_event.is_set() and n < self.args.max_writes:
                n += 1
                while not self.stop_event.is_set():
                    t0 = mono()
                    try:
                        key = self.write(n)
                    except Exception as e:  # noqa: BLE001 - every failure is counted and retried
                        self.attempts.append((t0, mono(), False, f"{type(e).__name__}: {e}"[:200]))
                        self.failed_keys.add(n)
                        self.reset()
                        time.sleep(self.args.retry_delay)
                        continue
                    t1 = mono()
                    self.attempts.append((t0, t1, True, None))
                    self.acked.append(key)
                    if self.kill_event.is_set() and self.recovered_at is None and \
                            any(not a[2] for a in self.attempts if a[1] >= self.kill_event.t):
                        self.recovered_at = t1
                    break
                if self.kill_event.is_set() and self.recovered_at is None and \
                        mono() - self.kill_event.t >= self.args.quiet_seconds and \
                        not any(not a[2] for a in self.attempts if a[1] >= self.kill_event.t):
                    self.done_reason = "no failure after the kill"
                    return
                if self.recovered_at is not None and \
                        mono() - self.recovered_at >= self.args.after_seconds:
                    self.done_reason = "recovered"
                    return
                if self.interval:
                    time.sleep(self.interval)
            self.done_reason = "max writes" if n >= self.args.max_writes else "time bound"
        except BaseException as e:  # noqa: BLE001
            self.done_reason = f"crashed: {e!r}"

    # -- figures ----------------------------------------------------------------------------

    def figures(self, kill_t):
        after = [a for a in self.attempts if a[1] >= kill_t]
        first_fail = next((a for a in after if not a[2]), None)
        out = {
            "attempts": len(self.attempts),
            "failed_attempts": sum(1 for a in self.attempts if not a[2]),
            "acknowledged": len(self.acked),
            "retried_items": len(self.failed_keys),
            "done": self.done_reason,
        }
        if first_fail is not None:
            ok_after = next((a for a in after if a[2] and a[1] > first_fail[1]), None)
            out["first_failure_after_kill_s"] = round(first_fail[0] - kill_t, 3)
            if ok_after is not None:
                out["outage_s"] = round(ok_after[1] - first_fail[0], 3)
                out["kill_to_first_success_s"] = round(ok_after[1] - kill_t, 3)
            out["errors"] = sorted({a[3].split("\n")[0][:200] for a in after if not a[2]})[:8]
        else:
            out["outage_s"] = 0.0
        ok_ends = [a[1] for a in self.attempts if a[2]]
        gaps = [b - a for a, b in zip(ok_ends, ok_ends[1:])]
        out["max_gap_between_successes_s"] = round(max(gaps), 3) if gaps else None
        failed = sorted(a[1] - a[0] for a in self.attempts if not a[2] and a[1] >= kill_t)
        if failed:
            out["failed_attempt_s_median"] = round(failed[len(failed) // 2], 3)
            out["failed_attempt_s_max"] = round(failed[-1], 3)
        slow = [a[1] - a[0] for a in self.attempts if a[2] and a[1] >= kill_t]
        out["max_latency_after_kill_s"] = round(max(slow), 3) if slow else None
        lat = sorted(a[1] - a[0] for a in self.attempts if a[2] and a[1] < kill_t)
        if lat:
            out["latency_before_kill_ms_p50"] = round(1000 * lat[len(lat) // 2], 1)
            out["latency_before_kill_ms_p99"] = round(1000 * lat[min(len(lat) - 1, int(len(lat) * .99))], 1)
        return out


class SqlWriter(Writer):
    kind = "sql"

    def __init__(self, *a):
        super().__init__(*a)
        self.conn = None

    def dsn(self):
        return (f"host=127.0.0.1 port={self.args.pg_port} user=postgres dbname=openpca "
                "connect_timeout=2 application_name=ha-failover-load "
                "keepalives=1 keepalives_idle=2 keepalives_interval=1 keepalives_count=2")

    def write(self, n):
        if self.conn is None:
            self.conn = psycopg2.connect(self.dsn())
            self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("INSERT INTO ha_check.writes (run, id) VALUES (%s, %s) "
                        "ON CONFLICT DO NOTHING", (self.run_id, n))
        # A commit whose wait for the synchronous standby was cancelled is not acknowledged.
        if any("synchronous replication" in m for m in self.conn.notices):
            self.conn.notices.clear()
            raise RuntimeError("commit not confirmed by the synchronous standby")
        return n

    def reset(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None


class CertWriter(Writer):
    kind = "cert"

    def __init__(self, args, kill_event, stop_event, run_id, ca_arn, csr):
        super().__init__(args, kill_event, stop_event, run_id)
        self.ca_arn = ca_arn
        self.csr = csr
        self.client = make_client(args, read_timeout=15)

    def write(self, n):
        r = self.client.issue_certificate(
            CertificateAuthorityArn=self.ca_arn, Csr=self.csr, SigningAlgorithm="SHA256WITHECDSA",
            Validity={"Value": 7, "Type": "DAYS"},
            IdempotencyToken=f"{self.run_id[:16]}-{n}")
        return r["CertificateArn"]

    def reset(self):
        self.client = make_client(self.args, read_timeout=15)


def make_client(args, read_timeout=15):
    import boto3
    import botocore.config
    cp = configparser.ConfigParser()
    if not cp.read(args.credentials):
        raise RuntimeError(f"no credentials file {args.credentials}")
    cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                 connect_timeout=2, read_timeout=read_timeout,
                                 max_pool_connections=2)
    return boto3.session.Session().client(
        "acm-pca", region_name=REGION, endpoint_url=args.openpca_url, config=cfg,
        aws_access_key_id=cp["default"]["aws_access_key_id"].strip(),
        aws_secret_access_key=cp["default"]["aws_secret_access_key"].strip())


def retrying(fn, what, seconds=60, codes=("RequestInProgressException",)):
    """fn() until it does not raise one of `codes` (or a connection error), for `seconds`."""
    import botocore.exceptions
    deadline = mono() + seconds
    while True:
        try:
            return fn()
        except botocore.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            if code not in codes or mono() > deadline:
                raise
        except (botocore.exceptions.EndpointConnectionError,
                botocore.exceptions.ConnectionClosedError,
                botocore.exceptions.ReadTimeoutError):
            if mono() > deadline:
                raise
        time.sleep(0.2)


def make_csr():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ha-failover.test")]))
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


def setup_ca(args):
    """A ROOT CA, created and activated through haproxy (so through both servers)."""
    c = make_client(args, read_timeout=30)
    ca = c.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "openpca HA failover test root"}},
        IdempotencyToken=uuid.uuid4().hex[:32])["CertificateAuthorityArn"]
    csr = retrying(lambda: c.get_certificate_authority_csr(CertificateAuthorityArn=ca)["Csr"],
                   "CA CSR")
    cert_arn = c.issue_certificate(
        CertificateAuthorityArn=ca, Csr=csr.encode(), SigningAlgorithm="SHA256WITHECDSA",
        TemplateArn="arn:aws:acm-pca:::template/RootCACertificate/V1",
        Validity={"Value": 2, "Type": "YEARS"})["CertificateArn"]
    pem = retrying(lambda: c.get_certificate(CertificateAuthorityArn=ca,
                                             CertificateArn=cert_arn)["Certificate"], "CA cert")
    c.import_certificate_authority_certificate(CertificateAuthorityArn=ca,
                                               Certificate=pem.encode())
    status = c.describe_certificate_authority(
        CertificateAuthorityArn=ca)["CertificateAuthority"]["Status"]
    if status != "ACTIVE":
        raise RuntimeError(f"CA {ca} is {status} after import")
    return ca


def pg_query(args, sql, params=(), seconds=60):
    deadline = mono() + seconds
    while True:
        try:
            conn = psycopg2.connect(host="127.0.0.1", port=args.pg_port, user="postgres",
                                    dbname="openpca", connect_timeout=2)
            conn.autocommit = True
            try:
                with conn.cursor() as cur:
                    cur.execute(sql, params)
                    return cur.fetchall() if cur.description else None
            finally:
                conn.close()
        except psycopg2.OperationalError:
            if mono() > deadline:
                raise
            time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--pg-port", type=int, required=True)
    ap.add_argument("--kill-cmd", required=True)
    ap.add_argument("--openpca-url")
    ap.add_argument("--credentials")
    ap.add_argument("--warmup-seconds", type=float, default=5.0)
    ap.add_argument("--after-seconds", type=float, default=5.0)
    ap.add_argument("--max-seconds", type=float, default=90.0)
    ap.add_argument("--quiet-seconds", type=float, default=40.0,
                    help="a writer with no failure this long after the kill stops")
    ap.add_argument("--max-writes", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=40.0, help="logical writes/s per writer")
    ap.add_argument("--cert-rate", type=float, default=8.0)
    ap.add_argument("--retry-delay", type=float, default=0.1)
    args = ap.parse_args()

    run_id = uuid.uuid4().hex
    pg_query(args, "CREATE SCHEMA IF NOT EXISTS ha_check")
    pg_query(args, "CREATE TABLE IF NOT EXISTS ha_check.writes (run text NOT NULL, id bigint NOT "
                   "NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run, id))")

    kill_event = threading.Event()
    kill_event.t = None
    stop_event = threading.Event()
    writers = [SqlWriter(args, kill_event, stop_event, run_id)]
    if args.openpca_url:
        try:
            ca = setup_ca(args)
        except Exception as e:  # noqa: BLE001
            log(f"setup of the CA failed: {e!r}")
            return 2
        log(f"CA {ca} active")
        cargs = argparse.Namespace(**vars(args))
        cargs.rate = args.cert_rate
        cargs.max_writes = min(args.max_writes, 1000)
        writers.append(CertWriter(cargs, kill_event, stop_event, run_id, ca, make_csr()))

    start = mono()
    deadline = start + args.max_seconds
    for w in writers:
        w.start()
    time.sleep(args.warmup_seconds)
    bad = [w.kind for w in writers if not w.acked]
    if bad:
        log(f"no acknowledged write during the warm-up: {bad}")
        stop_event.set()
        return 2
    t_kill = mono()
    out = subprocess.run(shlex.split(args.kill_cmd), capture_output=True, text=True, timeout=30,
                         env=dict(os.environ, OPENPCA_HA_DIR=args.dir))
    if out.returncode != 0:
        log(f"kill command failed: {out.stderr[-500:]}")
        stop_event.set()
        return 2
    killed = out.stdout.strip()
    kill_event.t = t_kill
    kill_event.set()
    log(f"killed {killed} (patroni and postgres, SIGKILL) {t_kill - start:.1f}s into the load")

    for w in writers:
        w.join(max(0.0, deadline - mono()))
    stop_event.set()
    for w in writers:
        w.join(5)
    stuck = [w.kind for w in writers if w.is_alive()]
    load_s = mono() - start

    # -- verification on the new primary --------------------------------------------------------
    result = {"killed": killed, "load_seconds": round(load_s, 1), "writers": {}}
    ok = True
    for w in writers:
        fig = w.figures(t_kill)
        result["writers"][w.kind] = fig
        if w.recovered_at is None and fig.get("failed_attempts", 0) > 0:
            ok = False
            fig["not_recovered"] = True
    sql = writers[0]
    rows = pg_query(args, "SELECT id FROM ha_check.writes WHERE run = %s", (run_id,))
    present = {r[0] for r in rows}
    missing = sorted(set(sql.acked) - present)
    unacked_present = sorted(present - set(sql.acked))
    result["writers"]["sql"].update(missing=len(missing), present=len(present),
                                    committed_but_not_acknowledged=len(unacked_present))
    if missing:
        ok = False
        log(f"MISSING acknowledged rows: {missing[:20]}")
    leader = pg_query(args, "SELECT inet_server_port()")[0][0]
    result["primary_port_after"] = leader
    if len(writers) > 1:
        cw = writers[1]
        c = make_client(args, read_timeout=15)
        lost = []
        for arn in dict.fromkeys(cw.acked):
            try:
                pem = retrying(lambda: c.get_certificate(CertificateAuthorityArn=cw.ca_arn,
                                                         CertificateArn=arn)["Certificate"],
                               "certificate", seconds=30)
                if "BEGIN CERTIFICATE" not in pem:
                    lost.append(arn)
            except Exception as e:  # noqa: BLE001
                lost.append(arn)
                log(f"GetCertificate {arn}: {e!r}")
        result["writers"]["cert"].update(missing=len(lost), distinct_arns=len(set(cw.acked)))
        if lost:
            ok = False
            log(f"MISSING acknowledged certificates: {lost[:10]}")
        if len(set(cw.acked)) != len(cw.acked):
            # The same idempotency token answered twice can only be a retry of one item.
            log("note: an ARN was returned for two items")
    if stuck:
        ok = False
        result["stuck_writers"] = stuck
        log(f"writers still blocked at the time bound: {stuck}")
    result["passed"] = ok

    with open(os.path.join(args.dir, "failover.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))
    for kind, fig in result["writers"].items():
        log(f"RESULT {kind}: outage {fig.get('outage_s')} s (first failed to first successful "
            f"write), kill -> first success {fig.get('kill_to_first_success_s', 0.0)} s, "
            f"{fig['acknowledged']} acknowledged, {fig['missing']} missing, "
            f"{fig['failed_attempts']} failed attempts")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
