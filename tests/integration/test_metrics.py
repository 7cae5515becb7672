"""Prometheus metrics (docs/operations.md "Metrics"): GET /metrics on the API listener in the text
exposition format 0.0.4 after certificates were issued with the AWS CLI v2 and boto3, one revoked
(CRL regenerated, OCSP asked); the issuance and revocation counters per CA id, request counters
with HTTP status and error class, CA certificate expiry gauges and the issued-certificate expiry
histogram; Debian's `promtool check metrics` on the scraped text; Debian's `prometheus` server
scraping the endpoint every second, its query API returning the issuance counter, and the
documented alert rule (docs/prometheus/openpca-alerts.yml) pending for a CA certificate that
expires within 90 days. Then the bearer-token and separate-listener modes.

Prometheus runs on a free loopback port with a temp config and data dir, and is stopped in
tearDownClass. Every wait is bounded."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
from pathlib import Path
from typing import Dict, Optional, Tuple

from harness import (REPO, CaInfo, ServerTestCase, create_ca, fetch_cert, fetch_csr,
                     import_ca_cert, issue, issue_leaf, load_cert, openssl)

N = 3
WAIT = 25.0
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
ALERT_RULES = REPO / "docs" / "prometheus" / "openpca-alerts.yml"
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ca_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def parse_metrics(text: str) -> Dict[Tuple[str, frozenset], float]:
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL_RE.findall(m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(samples, name: str, **labels) -> Optional[float]:
    return samples.get((name, frozenset(labels.items())))


def http_get(host: str, port: int, path: str, headers: Optional[dict] = None):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def make_ca(server, name: str, parent: Optional[CaInfo] = None,
            validity: str = "Value=3,Type=YEARS") -> CaInfo:
    """A CA with CRL and OCSP enabled, created with the CLI and activated with boto3."""
    config = ("CrlConfiguration={Enabled=true,S3BucketName=metrics-crls},"
              "OcspConfiguration={Enabled=true}")
    arn = create_ca(server, name, "SUBORDINATE" if parent else "ROOT",
                    extra_args=["--revocation-configuration", config])
    csr = fetch_csr(server, arn, name, via="boto3")
    if parent is None:
        cert_arn = issue(server, arn, f"{name}.csr", "SHA256WITHECDSA", "Value=5,Type=YEARS",
                         "RootCACertificate", via="boto3")
        cert, _ = fetch_cert(server, arn, cert_arn, via="boto3")
    else:
        cert_arn = issue(server, parent, f"{name}.csr", parent.sig_alg, validity,
                         "SubordinateCACertificate_PathLen0", via="boto3")
        cert, _ = fetch_cert(server, parent.arn, cert_arn, via="boto3")
    path = server.write(f"{name}.pem", cert)
    import_ca_cert(server, arn, path.name, parent.bundle_path.name if parent else None,
                   via="boto3")
    parents = (parent.cert_pem + (parent.chain_pem or "")) if parent else None
    bundle = server.write(f"{name}-bundle.pem", cert + parents) if parent else path
    return CaInfo(arn=arn, name=name, key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                  cert_pem=cert, chain_pem=parents, cert_path=path, bundle_path=bundle,
                  root_path=parent.root_path if parent else path, csr_pem="", parent=parent)


class Prometheus:
    """Debian's prometheus on a free loopback port, scraping `target` every second."""

    def __init__(self, target: str, path: str = "/metrics", rules: Optional[Path] = None):
        self.root = Path(tempfile.mkdtemp(prefix="openpca-prometheus-"))
        self.port = free_port()
        config = ["global:", "  scrape_interval: 1s", "  evaluation_interval: 1s"]
        if rules is not None:
            config += ["rule_files:", f"  - {rules}"]
        config += ["scrape_configs:", "  - job_name: openpca", f"    metrics_path: {path}",
                   "    static_configs:", f"      - targets: ['{target}']"]
        (self.root / "prometheus.yml").write_text("\n".join(config) + "\n")
        self.log = open(self.root / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.root / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.root / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)

    def query(self, expr: str):
        """The result vector of an instant query, or None while Prometheus is not answering."""
        import json
        try:
            status, _, body = http_get("127.0.0.1", self.port,
                                       "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        except OSError:
            return None
        if status != 200:
            return None
        doc = json.loads(body)
        return doc["data"]["result"] if doc.get("status") == "success" else None

    def wait_for(self, expr: str, want, timeout: float = WAIT):
        """Polls until the query's results satisfy `want(results)`; returns them."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited {self.proc.returncode}:\n{self.log_tail()}")
            last = self.query(expr)
            if last is not None and want(last):
                return last
            time.sleep(0.5)
        raise AssertionError(f"{expr}: never as wanted within {timeout}s (last {last})\n"
                             f"{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return "\n".join((self.root / "prometheus.log").read_text(errors="replace")
                             .splitlines()[-20:])
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


class MetricsOnApiListenerTest(ServerTestCase):
    server_name = "metrics"
    # Count the issued certificates at every scrape (the default reuses the count for 300 s).
    server_env = {"OPENPCA_METRICS_EXPIRY_REFRESH_SECONDS": "0"}
    prometheus: Optional[Prometheus] = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls.root = make_ca(s, "root")
            cls.sub = make_ca(s, "sub", parent=cls.root)
            # A CA certificate that expires within 90 days: the documented alert must fire.
            cls.short = make_ca(s, "short", parent=cls.root, validity="Value=60,Type=DAYS")
            # N certificates of the subordinate: the first with the AWS CLI v2, the rest with
            # boto3; the last one revoked with the CLI.
            cls.leaves = [issue_leaf(s, cls.sub, f"leaf{i}", via="cli" if i == 0 else "boto3")
                          for i in range(N)]
            revoked = load_cert(cls.leaves[-1].cert_pem)
            h = format(revoked.serial_number, "x")
            h = "0" * (len(h) % 2) + h
            s.aws("revoke-certificate", "--certificate-authority-arn", cls.sub.arn,
                  "--certificate-serial", ":".join(h[i:i + 2] for i in range(0, len(h), 2)),
                  "--revocation-reason", "KEY_COMPROMISE")
            # One failed call (ResourceNotFoundException, HTTP 400, error class "client").
            try:
                s.client().describe_certificate_authority(
                    CertificateAuthorityArn=cls.sub.arn[:-4] + "0000")
            except Exception:  # noqa: BLE001 - the error is what we want counted
                pass
            # OCSP: one good, one revoked (after the revocation, as the cache was invalidated).
            for leaf, word in ((cls.leaves[0], "good"), (cls.leaves[-1], "revoked")):
                r = openssl("ocsp", "-issuer", cls.sub.cert_path, "-cert", leaf.cert_path,
                            "-url", s.endpoint + "/ocsp", "-CAfile", cls.root.cert_path,
                            "-no_nonce", check=False, cwd=s.work)
                out = (r.stdout + r.stderr).decode(errors="replace")
                assert f"{leaf.cert_path}: {word}" in out, out
        except BaseException:
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.prometheus is not None:
            cls.prometheus.stop()
        super().tearDownClass()

    def scrape(self):
        status, headers, body = self.srv.http_get("/metrics")
        self.assertEqual(status, 200, body[:300])
        return headers, body.decode()

    def wait_samples(self, want, timeout: float = WAIT):
        deadline = time.monotonic() + timeout
        while True:
            _, text = self.scrape()
            samples = parse_metrics(text)
            if want(samples) or time.monotonic() > deadline:
                return samples, text
            time.sleep(0.3)

    def test_01_content_type_and_issuance_counters(self):
        headers, text = self.scrape()
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"),
                        headers)
        samples = parse_metrics(text)
        sub, root = ca_id(self.sub.arn), ca_id(self.root.arn)
        self.assertEqual(value(samples, "openpca_certificates_issued_total", ca=sub), N, text)
        # The root issued its own certificate and the two subordinates'.
        self.assertEqual(value(samples, "openpca_certificates_issued_total", ca=root), 3)
        self.assertEqual(value(samples, "openpca_certificates_revoked_total", ca=sub), 1)
        self.assertIsNone(value(samples, "openpca_certificates_revoked_total", ca=root))
        self.assertIn("# TYPE openpca_certificates_issued_total counter", text)

    def test_02_request_counters_and_latency(self):
        _, text = self.scrape()
        samples = parse_metrics(text)
        ok = value(samples, "openpca_api_requests_total", service="acm-pca",
                   operation="IssueCertificate", code="200", error_class="ok")
        self.assertEqual(ok, N + 3)
        missing = value(samples, "openpca_api_requests_total", service="acm-pca",
                        operation="DescribeCertificateAuthority", code="400",
                        error_class="client")
        self.assertEqual(missing, 1)
        count = value(samples, "openpca_api_request_duration_seconds_count", service="acm-pca",
                      operation="IssueCertificate")
        self.assertEqual(count, N + 3)
        inf = value(samples, "openpca_api_request_duration_seconds_bucket", service="acm-pca",
                    operation="IssueCertificate", le="+Inf")
        self.assertEqual(inf, count)
        # Raw routes: the OCSP requests and the scrapes themselves.
        ocsp = value(samples, "openpca_http_requests_total", route="POST /ocsp", code="200")
        self.assertGreaterEqual(ocsp, 2)
        self.assertIsNotNone(value(samples, "openpca_worker_queue_depth"))
        self.assertGreater(value(samples, "openpca_db_commit_batch_size_count"), 0)
        self.assertEqual(value(samples, "openpca_db_write_queue_depth"), 0)

    def test_03_ocsp_crl_and_expiry(self):
        samples, text = self.wait_samples(
            lambda s: (value(s, "openpca_crl_generation_duration_seconds_count") or 0) >= 1)
        self.assertGreaterEqual(value(samples, "openpca_crl_generation_duration_seconds_count"),
                                1, text)
        self.assertGreater(value(samples, "openpca_crl_size_bytes_sum"), 0)
        self.assertEqual(value(samples, "openpca_ocsp_responses_total", status="good"), 1)
        self.assertEqual(value(samples, "openpca_ocsp_responses_total", status="revoked"), 1)
        self.assertGreaterEqual(value(samples, "openpca_ocsp_requests_total"), 2)
        self.assertIsNotNone(value(samples, "openpca_ocsp_cache_hits_total"))
        # CA certificate expiry: the subordinate's 3 years, the short one's 60 days.
        sub_left = value(samples, "openpca_ca_certificate_expires_in_seconds",
                         ca=ca_id(self.sub.arn))
        short_left = value(samples, "openpca_ca_certificate_expires_in_seconds",
                           ca=ca_id(self.short.arn))
        self.assertAlmostEqual(short_left, 60 * 86400, delta=3600)
        self.assertGreater(sub_left, 3 * 365 * 86400 - 3600)
        # Issued-certificate expiry: N - 1 unrevoked 30-day leaves, all within le=30 days.
        sub = ca_id(self.sub.arn)
        self.assertEqual(value(samples, "openpca_issued_certificate_expires_in_seconds_count",
                               ca=sub), N - 1)
        self.assertEqual(value(samples, "openpca_issued_certificate_expires_in_seconds_bucket",
                               ca=sub, le="2592000"), N - 1)
        self.assertEqual(value(samples, "openpca_issued_certificate_expires_in_seconds_bucket",
                               ca=sub, le="1209600"), 0)

    def test_04_promtool_check_metrics(self):
        _, text = self.scrape()
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0,
                         (r.stdout + r.stderr).decode(errors="replace") + "\n" + text[:2000])

    def test_05_prometheus_scrapes_and_alerts(self):
        r = subprocess.run([PROMTOOL, "check", "rules", str(ALERT_RULES)], capture_output=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, (r.stdout + r.stderr).decode(errors="replace"))
        target = urllib.parse.urlsplit(self.srv.endpoint).netloc
        type(self).prometheus = prom = Prometheus(target, rules=ALERT_RULES)
        sub = ca_id(self.sub.arn)
        results = prom.wait_for(f'openpca_certificates_issued_total{{ca="{sub}"}}',
                                lambda res: len(res) == 1)
        self.assertEqual(float(results[0]["value"][1]), N)
        alerts = prom.wait_for('ALERTS{alertname="OpenpcaCaCertificateExpiresWithin90Days"}',
                               lambda res: len(res) >= 1)
        self.assertEqual({a["metric"]["ca"] for a in alerts}, {ca_id(self.short.arn)})

    def test_06_signed_get_of_the_path_stays_s3(self):
        # A SigV4-signed GET /metrics is an S3 ListObjects of a bucket named "metrics".
        import boto3
        import botocore.config
        s3 = boto3.client("s3", endpoint_url=self.srv.endpoint, region_name=self.srv.region,
                          aws_access_key_id=self.srv.access_key_id,
                          aws_secret_access_key=self.srv.secret_access_key,
                          config=botocore.config.Config(s3={"addressing_style": "path"}))
        with self.assertRaises(Exception) as ctx:
            s3.list_objects_v2(Bucket="metrics")
        self.assertIn("NoSuchBucket", str(ctx.exception))


class MetricsAuthAndListenerTest(ServerTestCase):
    """Bearer token from a file, metrics on a listener of their own."""

    server_name = "metrics-auth"
    TOKEN = "s3cr3t-metrics-token"

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="openpca-metrics-token-"))
        token = cls.tmp / "token"
        token.write_text(cls.TOKEN + "\n")
        token.chmod(0o600)
        cls.metrics_port = free_port()
        cls.server_env = {"OPENPCA_METRICS_LISTEN": f"127.0.0.1:{cls.metrics_port}",
                          "OPENPCA_METRICS_BEARER_TOKEN_FILE": str(token)}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def get(self, path="/metrics", token=None):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return http_get("127.0.0.1", self.metrics_port, path, headers)

    def test_01_refuses_without_or_with_a_wrong_token(self):
        for token in (None, "wrong", self.TOKEN + "x", self.TOKEN[:-1]):
            status, headers, body = self.get(token=token)
            self.assertEqual(status, 401, token)
            self.assertTrue(headers.get("www-authenticate", "").startswith("Bearer"), headers)
            self.assertNotIn(b"openpca_", body)
        status, _, _ = http_get("127.0.0.1", self.metrics_port, "/metrics",
                                {"Authorization": "Basic " + self.TOKEN})
        self.assertEqual(status, 401)

    def test_02_serves_with_the_token(self):
        self.c.list_certificate_authorities()
        status, headers, body = self.get(token=self.TOKEN)
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        samples = parse_metrics(body.decode())
        self.assertEqual(value(samples, "openpca_api_requests_total", service="acm-pca",
                               operation="ListCertificateAuthorities", code="200",
                               error_class="ok"), 1)

    def test_03_only_the_metrics_on_their_listener_and_none_on_the_api_listener(self):
        status, _, _ = self.get("/other", token=self.TOKEN)
        self.assertEqual(status, 404)
        status, _, body = self.srv.http_get("/metrics")
        self.assertNotEqual(status, 200)
        self.assertNotIn(b"openpca_", body)


class MetricsTokenOnApiListenerTest(ServerTestCase):
    """Bearer token on the API listener; and `OPENPCA_METRICS=false` turns the endpoint off."""

    server_name = "metrics-token"
    TOKEN = "another-token"

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="openpca-metrics-token-"))
        token = cls.tmp / "token"
        token.write_text(cls.TOKEN)
        cls.server_env = {"OPENPCA_METRICS_BEARER_TOKEN_FILE": str(token)}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_01_token_required(self):
        status, headers, _ = self.srv.http_get("/metrics")
        self.assertEqual(status, 401)
        status, _, body = self.srv.http_get("/metrics",
                                            headers={"Authorization": f"Bearer {self.TOKEN}"})
        self.assertEqual(status, 200)
        self.assertIn(b"# TYPE openpca_http_requests_total counter", body)

    def test_02_disabled(self):
        self.srv.stop()
        self.srv.extra_env["OPENPCA_METRICS"] = "false"
        try:
            self.srv.start()
            status, _, body = self.srv.http_get(
                "/metrics", headers={"Authorization": f"Bearer {self.TOKEN}"})
            self.assertNotEqual(status, 200)
            self.assertNotIn(b"openpca_", body)
        finally:
            self.srv.stop()
            del self.srv.extra_env["OPENPCA_METRICS"]
            self.srv.start()


if __name__ == "__main__":
    unittest.main()
