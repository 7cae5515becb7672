"""The OCSP responder (spec revocation.md §5; RFC 6960, RFC 5019 profile) driven by
`openssl ocsp` and Python cryptography: POST <url>/ocsp and GET <url>/ocsp/<url-encoded base64>,
good -> revoked after revoke-certificate (bounded poll), nonces, response signatures by the
issuing CA, SHA-1 and SHA-256 CertIDs, several CertIDs in one request, unknown certificates,
malformed requests, RFC 5019 caching headers, CA states and a subordinate issuer, durability
across a restart; cached answers dropped by the time revoke-certificate returns; keep-alive and
HTTP/1.0; OCSP at the root for OcspCustomCname (POST / and GET /<base64>) beside the S3 routes
and the JSON API."""

import base64
import datetime
import email.utils
import hashlib
import http.client
import os
import re
import socket
import time
import unittest
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from harness import (CaInfo, ServerTestCase, create_ca, fetch_cert, fetch_csr, import_ca_cert,
                     issue, issue_leaf, load_cert, make_csr, now_utc, openssl, self_signed_ca,
                     sign_csr)

OCSP_WAIT = 20.0
UTC = datetime.timezone.utc
REQ_CT = "application/ocsp-request"
RESP_CT = "application/ocsp-response"


def colon_serial(n: int) -> str:
    h = format(n, "x")
    if len(h) % 2:
        h = "0" + h
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2)).upper()


def utc(dt: datetime.datetime) -> datetime.datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def ocsp_request(cert: x509.Certificate, issuer: x509.Certificate, algorithm=None,
                 nonce: bytes = None) -> bytes:
    b = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm or hashes.SHA1())
    if nonce is not None:
        b = b.add_extension(x509.OCSPNonce(nonce), critical=False)
    return b.build().public_bytes(serialization.Encoding.DER)


def fake_cert(issuer_name: x509.Name, serial: int) -> x509.Certificate:
    """A certificate naming `issuer_name` with a chosen serial, signed by a throwaway key (for a
    CertID with the right issuer hashes and a serial the CA never issued)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "never issued")]))
            .issuer_name(issuer_name).public_key(key.public_key()).serial_number(serial)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))


class OcspTest(ServerTestCase):
    server_name = "ocsp"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls.root = cls.make_ca("root", "OcspConfiguration={Enabled=true}")
            cls.sub = cls.make_ca("sub", "OcspConfiguration={Enabled=true}", parent=cls.root)
            cls.good = issue_leaf(s, cls.root, "good", via="boto3")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    @classmethod
    def make_ca(cls, name, cli_config, parent: CaInfo = None) -> CaInfo:
        """A CA created with the CLI and --revocation-configuration, activated with boto3."""
        s = cls.server
        arn = create_ca(s, name, "SUBORDINATE" if parent else "ROOT",
                        extra_args=["--revocation-configuration", cli_config])
        csr = fetch_csr(s, arn, name, via="boto3")
        if parent is None:
            cert_arn = issue(s, arn, f"{name}.csr", "SHA256WITHECDSA", "Value=5,Type=YEARS",
                             "RootCACertificate", via="boto3")
            cert, _ = fetch_cert(s, arn, cert_arn, via="boto3")
        else:
            cert_arn = issue(s, parent, f"{name}.csr", parent.sig_alg, "Value=3,Type=YEARS",
                             "SubordinateCACertificate_PathLen0", via="boto3")
            cert, _ = fetch_cert(s, parent.arn, cert_arn, via="boto3")
        path = s.write(f"{name}.pem", cert)
        import_ca_cert(s, arn, path.name, parent.bundle_path.name if parent else None,
                       via="boto3")
        parents = (parent.cert_pem + (parent.chain_pem or "")) if parent else None
        bundle = s.write(f"{name}-bundle.pem", cert + parents) if parent else path
        return CaInfo(arn=arn, name=name, key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                      cert_pem=cert, chain_pem=parents, cert_path=path, bundle_path=bundle,
                      root_path=parent.root_path if parent else path, csr_pem=csr,
                      parent=parent)

    # -- transport ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.srv.endpoint + "/ocsp"

    def _conn(self):
        u = urllib.parse.urlsplit(self.srv.endpoint)
        return http.client.HTTPConnection(u.hostname, u.port, timeout=15)

    def post(self, body: bytes, path: str = "/ocsp", ctype: str = REQ_CT):
        conn = self._conn()
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": ctype})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def get(self, request_der: bytes = None, suffix: str = None):
        """GET /ocsp/<URL-encoded standard base64 of the request> (RFC 6960 A.1)."""
        if suffix is None:
            suffix = urllib.parse.quote(base64.b64encode(request_der).decode(), safe="")
        conn = self._conn()
        try:
            conn.request("GET", "/ocsp/" + suffix)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def ask(self, request_der: bytes, method: str = "POST") -> ocsp.OCSPResponse:
        status, headers, body = (self.post(request_der) if method == "POST"
                                 else self.get(request_der))
        self.assertEqual(status, 200, f"{method} /ocsp -> {status} {body[:200]!r}"
                                      f"\n{self.srv.log_tail(10)}")
        self.assertEqual(headers.get("content-type", "").split(";")[0].strip(), RESP_CT)
        return ocsp.load_der_ocsp_response(body)

    def status_of(self, cert, issuer, method="POST", **kw) -> ocsp.OCSPResponse:
        resp = self.ask(ocsp_request(cert, issuer, **kw), method)
        self.assertEqual(resp.response_status, ocsp.OCSPResponseStatus.SUCCESSFUL)
        return resp

    def wait_status(self, cert, issuer, want, method="POST", timeout=OCSP_WAIT):
        deadline = time.monotonic() + timeout
        while True:
            resp = self.status_of(cert, issuer, method)
            if resp.certificate_status == want:
                return resp
            if time.monotonic() > deadline:
                self.fail(f"{method}: {want} not reported within {timeout}s "
                          f"(last {resp.certificate_status})")
            time.sleep(0.3)

    def openssl_ocsp(self, issuer_path, cert_paths, extra=(), ca_file=None):
        args = ["ocsp", "-issuer", issuer_path]
        for p in cert_paths:
            args += ["-cert", p]
        args += ["-url", self.url, "-CAfile", ca_file or self.root.cert_path, "-resp_text",
                 *extra]
        r = openssl(*args, check=False, cwd=self.srv.work)
        return r.returncode, (r.stdout + r.stderr).decode(errors="replace")

    def wait_openssl(self, issuer_path, cert_path, word, extra=(), timeout=OCSP_WAIT, **kw):
        deadline = time.monotonic() + timeout
        while True:
            rc, out = self.openssl_ocsp(issuer_path, [cert_path], extra, **kw)
            if f"{cert_path}: {word}" in out:
                return rc, out
            if time.monotonic() > deadline:
                self.fail(f"openssl ocsp never said '{word}' within {timeout}s:\n{out}")
            time.sleep(0.5)

    def revoke(self, ca: CaInfo, cert: x509.Certificate, reason="KEY_COMPROMISE"):
        self.aws("revoke-certificate", "--certificate-authority-arn", ca.arn,
                 "--certificate-serial", colon_serial(cert.serial_number),
                 "--revocation-reason", reason)

    def assertSignedBy(self, resp: ocsp.OCSPResponse, ca_cert: x509.Certificate):
        pub = ca_cert.public_key()
        pub.verify(resp.signature, resp.tbs_response_bytes,
                   ec.ECDSA(resp.signature_hash_algorithm))  # raises InvalidSignature
        self.assertEqual(resp.signature_algorithm_oid,
                         x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256,
                         "signed with the CA's SigningAlgorithm (spec §5)")
        if resp.responder_key_hash is not None:
            self.assertEqual(resp.responder_key_hash,
                             x509.SubjectKeyIdentifier.from_public_key(pub).digest)
        else:
            self.assertEqual(resp.responder_name, ca_cert.subject)

    def assertNotGood(self, body: bytes, what: str):
        resp = ocsp.load_der_ocsp_response(body)
        if resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL:
            for single in resp.responses:
                self.assertNotEqual(single.certificate_status, ocsp.OCSPCertStatus.GOOD, what)
        return resp

    # -- tests ----------------------------------------------------------------------------------

    def test_00_route_exists(self):
        status, headers, body = self.post(ocsp_request(self.good.cert, self.root.cert))
        self.assertNotEqual(status, 404, "no OCSP route at POST /ocsp")
        self.assertEqual(status, 200, body[:200])

    def test_01_leaf_aia_names_the_responder(self):
        ext = self.good.cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        ocsp_urls = [d.access_location.value for d in ext.value
                     if d.access_method == AuthorityInformationAccessOID.OCSP]
        self.assertEqual(ocsp_urls, [self.url])

    def test_02_openssl_good_with_nonce(self):
        rc, out = self.openssl_ocsp(self.root.cert_path, [self.good.cert_path])
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{self.good.cert_path}: good", out)
        self.assertIn("OCSP Response Status: successful (0x0)", out)
        self.assertIn("This Update:", out)
        self.assertIn("Next Update:", out)
        # openssl sends a nonce by default and checks it.
        self.assertIn("OCSP Nonce", out)
        self.assertNotIn("WARNING: no nonce in response", out)
        self.assertNotIn("Nonce Verify error", out)
        # -no_nonce works too.
        rc, out = self.openssl_ocsp(self.root.cert_path, [self.good.cert_path], ["-no_nonce"])
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{self.good.cert_path}: good", out)

    def test_03_post_response_content_and_signature(self):
        nonce = os.urandom(16)
        req = ocsp_request(self.good.cert, self.root.cert, nonce=nonce)
        t0 = now_utc()
        resp = self.status_of(self.good.cert, self.root.cert, nonce=nonce)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertEqual(resp.serial_number, self.good.cert.serial_number)
        parsed_req = ocsp.load_der_ocsp_request(req)
        self.assertEqual(resp.issuer_key_hash, parsed_req.issuer_key_hash)
        self.assertEqual(resp.issuer_name_hash, parsed_req.issuer_name_hash)
        self.assertIsInstance(resp.hash_algorithm, hashes.SHA1)
        self.assertSignedBy(resp, self.root.cert)
        with self.assertRaises(Exception):
            self.assertSignedBy(resp, self.sub.cert)
        got = resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        self.assertEqual(got, nonce, "nonce not echoed")
        now = now_utc()
        self.assertLessEqual(utc(resp.this_update), now + datetime.timedelta(seconds=5))
        self.assertIsNotNone(resp.next_update)
        self.assertGreater(utc(resp.next_update), now)
        self.assertLessEqual(utc(resp.produced_at), now + datetime.timedelta(seconds=5))
        self.assertGreaterEqual(utc(resp.produced_at), t0 - datetime.timedelta(seconds=5),
                                "a nonce response must be freshly produced")

    def test_04_sha256_certid(self):
        resp = self.status_of(self.good.cert, self.root.cert, algorithm=hashes.SHA256())
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertIsInstance(resp.hash_algorithm, hashes.SHA256)
        self.assertSignedBy(resp, self.root.cert)

    def test_05_get_form_and_rfc5019_headers(self):
        s = self.srv
        req_path = s.path("good-req.der")
        r = openssl("ocsp", "-issuer", self.root.cert_path, "-cert", self.good.cert_path,
                    "-no_nonce", "-reqout", req_path, check=False, cwd=s.work)
        req = req_path.read_bytes()
        self.assertTrue(req, (r.stdout + r.stderr).decode())
        status, headers, body = self.get(req)
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers.get("content-type", "").split(";")[0].strip(), RESP_CT)
        resp = ocsp.load_der_ocsp_response(body)
        self.assertEqual(resp.response_status, ocsp.OCSPResponseStatus.SUCCESSFUL)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertEqual(resp.serial_number, self.good.cert.serial_number)
        self.assertSignedBy(resp, self.root.cert)
        # openssl verifies the GET response too.
        resp_path = s.write("good-get.resp.der", body)
        r = openssl("ocsp", "-respin", resp_path, "-issuer", self.root.cert_path,
                    "-cert", self.good.cert_path, "-CAfile", self.root.cert_path,
                    "-no_nonce", "-resp_text", check=False, cwd=s.work)
        out = (r.stdout + r.stderr).decode()
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{self.good.cert_path}: good", out)

        # RFC 5019 6.2 caching headers on a nonce-less GET.
        now = now_utc()
        cc = headers.get("cache-control", "")
        m = re.search(r"max-age=(\d+)", cc)
        self.assertIsNotNone(m, f"Cache-Control without max-age: {cc!r}")
        max_age = int(m.group(1))
        until_next = (utc(resp.next_update) - now).total_seconds()
        self.assertGreater(max_age, 0, cc)
        self.assertLessEqual(max_age, until_next + 5, f"max-age beyond nextUpdate: {cc!r}")
        self.assertIn("expires", headers)
        self.assertEqual(email.utils.parsedate_to_datetime(headers["expires"]),
                         utc(resp.next_update), "Expires must equal nextUpdate")
        self.assertIn("last-modified", headers)
        self.assertEqual(email.utils.parsedate_to_datetime(headers["last-modified"]),
                         utc(resp.this_update), "Last-Modified must equal thisUpdate")
        etag = headers.get("etag", "")
        self.assertRegex(etag, r'^(W/)?"[^"]+"$', "ETag missing or unquoted")
        # RFC 5019 6.2 RECOMMENDS the hex SHA-1 of the OCSPResponse.
        self.assertEqual(etag.strip('"').lower(), hashlib.sha1(body).hexdigest())
        # The same GET again: a pre-produced response (same bytes, same ETag).
        status2, headers2, body2 = self.get(req)
        self.assertEqual(status2, 200)
        self.assertEqual(body2, body)
        self.assertEqual(headers2.get("etag"), etag)

    def test_06_nonce_responses_are_not_cacheable(self):
        nonce = os.urandom(20)
        status, headers, body = self.post(ocsp_request(self.good.cert, self.root.cert,
                                                       nonce=nonce))
        self.assertEqual(status, 200)
        cc = headers.get("cache-control", "")
        m = re.search(r"max-age=(\d+)", cc)
        self.assertTrue("no-store" in cc or "no-cache" in cc or (m and int(m.group(1)) == 0),
                        f"a response echoing a nonce is cacheable: Cache-Control={cc!r}")
        # Via GET as well: the nonce is echoed.
        resp = self.ask(ocsp_request(self.good.cert, self.root.cert, nonce=nonce), "GET")
        self.assertEqual(resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce,
                         nonce)

    def test_10_revoke_good_to_revoked(self):
        s = self.srv
        leaf = issue_leaf(s, self.root, "revoke-me", via="boto3")
        # Prime every cache first (nonce-less POST and GET, openssl -no_nonce).
        before = self.status_of(leaf.cert, self.root.cert)
        self.assertEqual(before.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertEqual(self.status_of(leaf.cert, self.root.cert, "GET").certificate_status,
                         ocsp.OCSPCertStatus.GOOD)
        rc, out = self.openssl_ocsp(self.root.cert_path, [leaf.cert_path], ["-no_nonce"])
        self.assertIn(f"{leaf.cert_path}: good", out)
        t0 = now_utc()
        self.revoke(self.root, leaf.cert, "KEY_COMPROMISE")
        resp = self.wait_status(leaf.cert, self.root.cert, ocsp.OCSPCertStatus.REVOKED)
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.key_compromise)
        self.assertCloseTime(utc(resp.revocation_time), t0, 10, "revocationTime")
        self.assertSignedBy(resp, self.root.cert)
        resp = self.wait_status(leaf.cert, self.root.cert, ocsp.OCSPCertStatus.REVOKED, "GET")
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.key_compromise)
        # openssl, without and with a nonce.
        rc, out = self.wait_openssl(self.root.cert_path, leaf.cert_path, "revoked",
                                    ["-no_nonce"])
        self.assertIn("Response verify OK", out)
        self.assertIn("Reason: keyCompromise", out)
        self.assertIn("Revocation Time:", out)
        rc, out = self.wait_openssl(self.root.cert_path, leaf.cert_path, "revoked")
        self.assertIn("Response verify OK", out)
        self.assertIn("Reason: keyCompromise", out)
        self.assertNotIn("WARNING: no nonce in response", out)
        self.assertNotIn("Nonce Verify error", out)
        # The sibling is unaffected.
        rc, out = self.openssl_ocsp(self.root.cert_path, [self.good.cert_path], ["-no_nonce"])
        self.assertIn(f"{self.good.cert_path}: good", out)
        type(self).revoked_leaf = leaf

    def test_11_several_certids_in_one_request(self):
        rc, out = self.openssl_ocsp(self.root.cert_path,
                                    [self.good.cert_path, self.revoked_leaf.cert_path])
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{self.good.cert_path}: good", out)
        self.assertIn(f"{self.revoked_leaf.cert_path}: revoked", out)

    def test_12_reasons(self):
        s = self.srv
        for reason, flag in (("SUPERSEDED", x509.ReasonFlags.superseded),
                             ("CESSATION_OF_OPERATION", x509.ReasonFlags.cessation_of_operation),
                             ("A_A_COMPROMISE", x509.ReasonFlags.aa_compromise),
                             ("UNSPECIFIED", None)):
            with self.subTest(reason=reason):
                leaf = issue_leaf(s, self.root, f"reason-{reason.lower()}", via="boto3")
                self.c.revoke_certificate(CertificateAuthorityArn=self.root.arn,
                                          CertificateSerial=colon_serial(
                                              leaf.cert.serial_number),
                                          RevocationReason=reason)
                resp = self.wait_status(leaf.cert, self.root.cert, ocsp.OCSPCertStatus.REVOKED)
                if flag is None:   # unspecified: the reason may be present (0) or absent
                    self.assertIn(resp.revocation_reason, (None, x509.ReasonFlags.unspecified))
                else:
                    self.assertEqual(resp.revocation_reason, flag)

    def test_13_ocsp_and_crl_agree(self):
        """A CA with both CRL and OCSP (spec §5 last line): same revocation time and reason."""
        s = self.srv
        ca = self.make_ca("both", "CrlConfiguration={Enabled=true,ExpirationInDays=7,"
                                  "S3BucketName=both-crls},OcspConfiguration={Enabled=true}")
        leaf = issue_leaf(s, ca, "both-leaf", via="boto3")
        self.revoke(ca, leaf.cert, "AFFILIATION_CHANGED")
        resp = self.wait_status(leaf.cert, ca.cert, ocsp.OCSPCertStatus.REVOKED)
        key = f"/both-crls/crl/{ca.arn.rsplit('/', 1)[1]}.crl"
        deadline = time.monotonic() + OCSP_WAIT
        entry = None
        while entry is None:
            status, _, body = s.http_get(key)
            if status == 200:
                entry = x509.load_der_x509_crl(body).get_revoked_certificate_by_serial_number(
                    leaf.cert.serial_number)
            if entry is None:
                if time.monotonic() > deadline:
                    self.fail(f"serial not on the CRL within {OCSP_WAIT}s (last HTTP {status})")
                time.sleep(0.3)
        self.assertEqual(utc(entry.revocation_date), utc(resp.revocation_time))
        self.assertEqual(entry.extensions.get_extension_for_class(x509.CRLReason).value.reason,
                         resp.revocation_reason)
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.affiliation_changed)

    def test_20_never_issued_serial_of_a_known_issuer(self):
        serial = int.from_bytes(os.urandom(15), "big") | 1
        fake = fake_cert(self.root.cert.subject, serial)
        status, _, body = self.post(ocsp_request(fake, self.root.cert))
        self.assertEqual(status, 200)
        resp = self.assertNotGood(body, "a serial the CA never issued is good")
        self.assertEqual(resp.response_status, ocsp.OCSPResponseStatus.SUCCESSFUL)
        self.assertIn(resp.certificate_status,
                      (ocsp.OCSPCertStatus.UNKNOWN, ocsp.OCSPCertStatus.REVOKED))

    def test_21_external_issuer(self):
        """A certificate from an openssl CA openpca knows nothing about (RFC 6960 2.3:
        unauthorized, or unknown) — never good."""
        s = self.srv
        ext_key, ext_cert = self_signed_ca(s.work, "external")
        _, csr = make_csr(s.work, "ext-leaf")
        leaf_path = sign_csr(s.work, csr, ext_cert, ext_key, "ext-leaf",
                             ["basicConstraints=CA:FALSE"], days=30)
        rc, out = self.openssl_ocsp(ext_cert, [leaf_path], ["-no_nonce"], ca_file=ext_cert)
        self.assertNotIn(f"{leaf_path}: good", out)
        self.assertTrue("unauthorized" in out or f"{leaf_path}: unknown" in out, out)
        status, _, body = self.post(ocsp_request(load_cert(leaf_path.read_bytes()),
                                                 load_cert(ext_cert.read_bytes())))
        self.assertEqual(status, 200)
        resp = self.assertNotGood(body, "external certificate reported good")
        self.assertIn(resp.response_status, (ocsp.OCSPResponseStatus.UNAUTHORIZED,
                                             ocsp.OCSPResponseStatus.SUCCESSFUL))
        # Right serial, wrong issuer key: the sub's leaf asked about with the root as issuer.
        sub_leaf = issue_leaf(s, self.sub, "sub-wrong-issuer", via="boto3")
        status, _, body = self.post(ocsp_request(sub_leaf.cert, self.root.cert))
        self.assertNotGood(body, "leaf reported good under the wrong issuer")

    def test_22_malformed_requests(self):
        valid = ocsp_request(self.good.cert, self.root.cert)
        cases = {
            "garbage": b"this is not DER at all",
            "truncated": valid[:len(valid) // 2],
            "truncated by one": valid[:-1],
            "trailing bytes": valid + b"\x00\x00",
            "empty": b"",
            "wrong DER type": b"\x02\x01\x05",
        }
        for what, body in cases.items():
            with self.subTest(post=what):
                status, headers, out = self.post(body)
                self.assertIn(status, (200, 400), out[:200])
                if out:
                    resp = ocsp.load_der_ocsp_response(out)
                    self.assertEqual(resp.response_status,
                                     ocsp.OCSPResponseStatus.MALFORMED_REQUEST, what)
                else:
                    self.assertEqual(status, 400, "HTTP 200 without an OCSPResponse")
        get_cases = {
            "not base64": "%21%21%21not*base64",
            "base64 of garbage": urllib.parse.quote(base64.b64encode(b"garbage!").decode(),
                                                    safe=""),
            "truncated request": urllib.parse.quote(
                base64.b64encode(valid[:-3]).decode(), safe=""),
        }
        for what, suffix in get_cases.items():
            with self.subTest(get=what):
                status, headers, out = self.get(suffix=suffix)
                self.assertIn(status, (200, 400), out[:200])
                if out:
                    resp = ocsp.load_der_ocsp_response(out)
                    self.assertEqual(resp.response_status,
                                     ocsp.OCSPResponseStatus.MALFORMED_REQUEST, what)
                else:
                    self.assertEqual(status, 400, "HTTP 200 without an OCSPResponse")
        # The server is fine afterwards.
        self.assertTrue(self.srv.health())
        self.assertEqual(self.status_of(self.good.cert, self.root.cert).certificate_status,
                         ocsp.OCSPCertStatus.GOOD)

    def test_30_subordinate_issuer(self):
        s = self.srv
        leaf = issue_leaf(s, self.sub, "subleaf", via="boto3")
        rc, out = self.openssl_ocsp(self.sub.cert_path, [leaf.cert_path],
                                    ["-verify_other", str(self.sub.cert_path)])
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{leaf.cert_path}: good", out)
        resp = self.status_of(leaf.cert, self.sub.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertSignedBy(resp, self.sub.cert)
        self.revoke(self.sub, leaf.cert, "PRIVILEGE_WITHDRAWN")
        resp = self.wait_status(leaf.cert, self.sub.cert, ocsp.OCSPCertStatus.REVOKED)
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.privilege_withdrawn)
        self.assertSignedBy(resp, self.sub.cert)
        # The sub CA's own certificate is answered by the root.
        resp = self.status_of(self.sub.cert, self.root.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertSignedBy(resp, self.root.cert)

    def test_31_disabled_answers_deleted_does_not(self):
        """spec §5: ACTIVE and DISABLED answer; others do not."""
        s = self.srv
        ca = self.make_ca("life", "OcspConfiguration={Enabled=true}")
        leaf = issue_leaf(s, ca, "life-leaf", via="boto3")
        self.assertEqual(self.status_of(leaf.cert, ca.cert).certificate_status,
                         ocsp.OCSPCertStatus.GOOD)
        self.aws("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--status", "DISABLED")
        resp = self.status_of(leaf.cert, ca.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        self.assertSignedBy(resp, ca.cert)
        self.aws("delete-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--permanent-deletion-time-in-days", "7")
        self.assertEqual(self.status(ca.arn), "DELETED")
        deadline = time.monotonic() + OCSP_WAIT
        while True:
            status, _, body = self.post(ocsp_request(leaf.cert, ca.cert))
            resp = ocsp.load_der_ocsp_response(body)
            if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL or \
                    resp.certificate_status != ocsp.OCSPCertStatus.GOOD:
                break
            if time.monotonic() > deadline:
                self.fail("a DELETED CA still answers good")
            time.sleep(0.5)
        self.assertNotGood(body, "DELETED CA answered good")
        # Also via GET (a cached good must not survive the deletion).
        status, _, body = self.get(ocsp_request(leaf.cert, ca.cert))
        self.assertNotGood(body, "DELETED CA answered good over GET")

    def test_32_ocsp_disabled_by_update(self):
        s = self.srv
        ca = self.make_ca("toggle", "OcspConfiguration={Enabled=true}")
        leaf = issue_leaf(s, ca, "toggle-leaf", via="boto3")
        self.assertEqual(self.status_of(leaf.cert, ca.cert, "GET").certificate_status,
                         ocsp.OCSPCertStatus.GOOD)
        self.aws("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--revocation-configuration", "OcspConfiguration={Enabled=false}")
        deadline = time.monotonic() + OCSP_WAIT
        while True:
            status, _, body = self.get(ocsp_request(leaf.cert, ca.cert))
            resp = ocsp.load_der_ocsp_response(body)
            if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
                break
            if time.monotonic() > deadline:
                self.fail(f"OCSP disabled but still answered ({resp.certificate_status})")
            time.sleep(0.5)
        self.assertEqual(resp.response_status, ocsp.OCSPResponseStatus.UNAUTHORIZED)
        self.aws("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--revocation-configuration", "OcspConfiguration={Enabled=true}")
        self.wait_status(leaf.cert, ca.cert, ocsp.OCSPCertStatus.GOOD)

    def test_14_revoked_at_once_after_revoke_returns(self):
        """Cached good responses (answered without a worker) are dropped by the time
        RevokeCertificate returns: the very next request, without polling, says revoked."""
        leaf = issue_leaf(self.srv, self.root, "revoke-now", via="boto3")
        req = ocsp_request(leaf.cert, self.root.cert)
        for _ in range(3):  # the first signs, the others are cache hits
            self.assertEqual(ocsp.load_der_ocsp_response(self.post(req)[2]).certificate_status,
                             ocsp.OCSPCertStatus.GOOD)
            self.assertEqual(ocsp.load_der_ocsp_response(self.get(req)[2]).certificate_status,
                             ocsp.OCSPCertStatus.GOOD)
        self.revoke(self.root, leaf.cert, "SUPERSEDED")
        for method in ("POST", "GET"):
            resp = self.ask(req, method)
            self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.REVOKED, method)
            self.assertEqual(resp.revocation_reason, x509.ReasonFlags.superseded)
            self.assertSignedBy(resp, self.root.cert)

    def test_15_keep_alive_mixes_hits_misses_and_http10(self):
        req = ocsp_request(self.good.cert, self.root.cert)
        self.ask(req)  # cached from here on
        conn = self._conn()
        try:
            for i in range(6):
                nonce = os.urandom(16) if i % 3 == 2 else None  # a nonce: signed by a worker
                body = ocsp_request(self.good.cert, self.root.cert, nonce=nonce)
                if i % 2:
                    conn.request("GET", "/ocsp/" + urllib.parse.quote(
                        base64.b64encode(body).decode(), safe=""))
                else:
                    conn.request("POST", "/ocsp", body=body, headers={"Content-Type": REQ_CT})
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                self.assertIsNone(r.getheader("connection"))
                resp = ocsp.load_der_ocsp_response(r.read())
                self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
                if nonce:
                    self.assertEqual(
                        resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce,
                        nonce)
        finally:
            conn.close()
        # HTTP/1.0, as `openssl ocsp` and some relying parties speak it: answered, then closed.
        u = urllib.parse.urlsplit(self.srv.endpoint)
        with socket.create_connection((u.hostname, u.port), timeout=15) as sock:
            sock.sendall(b"POST /ocsp HTTP/1.0\r\nContent-Type: " + REQ_CT.encode() +
                         b"\r\nContent-Length: " + str(len(req)).encode() + b"\r\n\r\n" + req)
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break  # the server closed: HTTP/1.0 without keep-alive
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.0 200"), head[:100])
        self.assertIn(b"content-length: " + str(len(body)).encode(), head.lower())
        self.assertEqual(ocsp.load_der_ocsp_response(body).certificate_status,
                         ocsp.OCSPCertStatus.GOOD)

    # -- OCSP at the custom-name root ------------------------------------------------------------

    def test_40_custom_cname_root_post_and_get(self):
        """With OcspCustomCname the AIA is http://<cname> (no path): relying parties POST to /
        and GET /<base64>. openssl -url http://host:port/ and a GET at the root, good then
        revoked right after revoke-certificate."""
        s = self.srv
        ca = self.make_ca("cname", "OcspConfiguration={Enabled=true,"
                                   "OcspCustomCname=ocsp.cname.example}")
        leaf = issue_leaf(s, ca, "cname-leaf", via="boto3")
        ext = leaf.cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        self.assertEqual([d.access_location.value for d in ext.value
                          if d.access_method == AuthorityInformationAccessOID.OCSP],
                         ["http://ocsp.cname.example"])
        root_url = s.endpoint + "/"

        def openssl_root(extra=()):
            r = openssl("ocsp", "-issuer", ca.cert_path, "-cert", leaf.cert_path,
                        "-url", root_url, "-CAfile", ca.cert_path, "-resp_text", *extra,
                        check=False, cwd=s.work)
            return (r.stdout + r.stderr).decode(errors="replace")

        req = ocsp_request(leaf.cert, ca.cert)
        for extra in ((), ("-no_nonce",), ("-no_nonce",)):
            out = openssl_root(extra)
            self.assertIn("Response verify OK", out)
            self.assertIn(f"{leaf.cert_path}: good", out)
        for _ in range(2):  # signed, then from the cache
            status, headers, body = self._get_root(req)
            self.assertEqual(status, 200, body[:200])
            self.assertEqual(headers.get("content-type"), RESP_CT)
            self.assertIn("max-age=", headers.get("cache-control", ""))
            self.assertEqual(headers.get("etag", "").strip('"'), hashlib.sha1(body).hexdigest())
            resp = ocsp.load_der_ocsp_response(body)
            self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
            self.assertSignedBy(resp, ca.cert)
            status, headers, body = self.post(req, path="/")
            self.assertEqual(status, 200, body[:200])
            self.assertEqual(ocsp.load_der_ocsp_response(body).certificate_status,
                             ocsp.OCSPCertStatus.GOOD)

        self.revoke(ca, leaf.cert, "KEY_COMPROMISE")
        status, _, body = self._get_root(req)
        resp = ocsp.load_der_ocsp_response(body)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.REVOKED)
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.key_compromise)
        status, _, body = self.post(req, path="/")
        self.assertEqual(ocsp.load_der_ocsp_response(body).certificate_status,
                         ocsp.OCSPCertStatus.REVOKED)
        for extra in ((), ("-no_nonce",)):
            out = openssl_root(extra)
            self.assertIn("Response verify OK", out)
            self.assertIn(f"{leaf.cert_path}: revoked", out)
            self.assertIn("Reason: keyCompromise", out)

    def _get_root(self, request_der: bytes):
        conn = self._conn()
        try:
            conn.request("GET", "/" + urllib.parse.quote(base64.b64encode(request_der).decode(),
                                                         safe=""))
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def test_41_root_routes_leave_s3_and_the_json_api_alone(self):
        s = self.srv
        ca = self.make_ca("s3root", "CrlConfiguration={Enabled=true,ExpirationInDays=7,"
                                    "S3BucketName=root-crls},OcspConfiguration={Enabled=true}")
        key = f"/root-crls/crl/{ca.arn.rsplit('/', 1)[1]}.crl"
        deadline = time.monotonic() + OCSP_WAIT
        while True:
            status, headers, body = s.http_get(key)
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.assertEqual(status, 200, body[:200])
        x509.load_der_x509_crl(body)  # an S3 object, not an OCSP response
        conn = self._conn()
        try:
            conn.request("HEAD", key)
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            self.assertEqual(int(r.getheader("content-length")), len(body))
        finally:
            conn.close()
        # A bucket that does not exist is still S3's NoSuchBucket; unsigned ListBuckets is S3's.
        status, _, body = s.http_get("/no-such-bucket/x.crl")
        self.assertEqual(status, 404)
        self.assertIn(b"NoSuchBucket", body)
        status, _, body = s.http_get("/")
        self.assertNotEqual(status, 200)
        self.assertIn(b"<Error>", body)
        # POST / without the OCSP content type is the AWS JSON protocol.
        status, headers, body = self.post(b"{}", path="/", ctype="application/x-amz-json-1.1")
        self.assertEqual(status // 100, 4)
        self.assertIn("x-amzn-errortype", headers)
        # And the API itself still works.
        self.assertEqual(self.describe(ca.arn)["Status"], "ACTIVE")

    def test_90_status_survives_restart(self):
        s = self.srv
        self.assertEqual(s.stop(), 0, s.log_tail())
        s.start()
        resp = self.status_of(self.revoked_leaf.cert, self.root.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.REVOKED)
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.key_compromise)
        self.assertSignedBy(resp, self.root.cert)
        self.assertEqual(self.status_of(self.good.cert, self.root.cert, "GET").certificate_status,
                         ocsp.OCSPCertStatus.GOOD)


if __name__ == "__main__":
    unittest.main(verbosity=2)
