"""Revocation with the AWS CLI and the CRLs openpca publishes (spec revocation.md §1-2, §4, §6):
revoke-certificate and its errors, the CRL in the built-in bucket (S3 reads with the CLI, signed
and anonymous HTTP), its content checked with openssl and Python cryptography, CRL numbers across
regenerations and restarts, CDP/AIA extensions of issued certificates (default, CustomCname,
CustomPath, OmitExtension), revocation-configuration validation, and a subordinate's own CRL.

The CRL is rebuilt ~2 s after a change (server key crl_regenerate_delay_ms); every wait for it is
bounded (CRL_WAIT seconds)."""

import datetime
import json
import subprocess
import time
import unittest
import urllib.parse

import boto3
import botocore.config
import botocore.exceptions
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from harness import (AWS, CaInfo, ServerTestCase, build_root_ca, create_ca, fetch_cert,
                     fetch_csr, import_ca_cert, issue, issue_leaf, load_cert, now_utc, openssl,
                     raw_request, verify_chain)

CRL_WAIT = 20.0
ROOT_BUCKET = "my-crls"
SUB_BUCKET = "sub-crls"

# RevocationReason -> cryptography ReasonFlags (spec §4 reason code mapping).
REASONS = {
    "UNSPECIFIED": x509.ReasonFlags.unspecified,
    "KEY_COMPROMISE": x509.ReasonFlags.key_compromise,
    "CERTIFICATE_AUTHORITY_COMPROMISE": x509.ReasonFlags.ca_compromise,
    "AFFILIATION_CHANGED": x509.ReasonFlags.affiliation_changed,
    "SUPERSEDED": x509.ReasonFlags.superseded,
    "CESSATION_OF_OPERATION": x509.ReasonFlags.cessation_of_operation,
    "PRIVILEGE_WITHDRAWN": x509.ReasonFlags.privilege_withdrawn,
    "A_A_COMPROMISE": x509.ReasonFlags.aa_compromise,
}
# ... and the RFC 5280 code each maps to.
REASON_CODES = {"UNSPECIFIED": 0, "KEY_COMPROMISE": 1, "CERTIFICATE_AUTHORITY_COMPROMISE": 2,
                "AFFILIATION_CHANGED": 3, "SUPERSEDED": 4, "CESSATION_OF_OPERATION": 5,
                "PRIVILEGE_WITHDRAWN": 9, "A_A_COMPROMISE": 10}


def ca_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def crl_key(arn: str, folder: str = "crl") -> str:
    return f"{folder}/{ca_id(arn)}.crl"


def colon_serial(n: int, upper: bool = True) -> str:
    h = format(n, "x")
    if len(h) % 2:
        h = "0" + h
    pairs = [h[i:i + 2] for i in range(0, len(h), 2)]
    s = ":".join(pairs)
    return s.upper() if upper else s


def cdp_uris(cert: x509.Certificate):
    """The fullName URIs of the CRL distribution points, or None when there is no CDP."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return None
    uris = []
    for dp in ext.value:
        for name in dp.full_name or []:
            uris.append(name.value)
    return uris


def cdp_critical(cert: x509.Certificate) -> bool:
    return cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).critical


def aia(cert: x509.Certificate):
    """{"ocsp": [...], "ca_issuers": [...]} or None when there is no AIA."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        return None
    out = {"ocsp": [], "ca_issuers": []}
    for d in ext.value:
        if d.access_method == AuthorityInformationAccessOID.OCSP:
            out["ocsp"].append(d.access_location.value)
        elif d.access_method == AuthorityInformationAccessOID.CA_ISSUERS:
            out["ca_issuers"].append(d.access_location.value)
    return out


def crl_number(crl: x509.CertificateRevocationList) -> int:
    return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


def entry_reason(entry: x509.RevokedCertificate):
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None


def crl_sig_ok(crl: x509.CertificateRevocationList, cert_pem: str) -> bool:
    return crl.is_signature_valid(load_cert(cert_pem).public_key())


class RevocationTest(ServerTestCase):
    server_name = "revocation"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            # The root is typed with the CLI, its revocation configuration given at creation.
            cls.root = cls.make_root(
                "root", cli_config=f"CrlConfiguration={{Enabled=true,ExpirationInDays=7,"
                                   f"S3BucketName={ROOT_BUCKET}}},"
                                   f"OcspConfiguration={{Enabled=true}}")
            cls.sub = cls.make_sub(
                "sub", cls.root,
                cli_config=f"CrlConfiguration={{Enabled=true,ExpirationInDays=3,"
                           f"S3BucketName={SUB_BUCKET}}}")
            cls.leaf = issue_leaf(s, cls.root, "leaf", via="boto3")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    # -- fixtures -----------------------------------------------------------------------------

    @classmethod
    def _create(cls, name, ca_type, cli_config=None, revocation=None):
        """CLI with a --revocation-configuration shorthand, or a raw signed call with a
        RevocationConfiguration dict (for members the CLI/boto3 models lack)."""
        s = cls.server
        if revocation is not None:
            cfg = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
                   "Subject": {"Country": "US", "Organization": "Example Corp",
                               "CommonName": f"{name} CA"}}
            out = s.call("CreateCertificateAuthority", CertificateAuthorityConfiguration=cfg,
                         CertificateAuthorityType=ca_type, RevocationConfiguration=revocation)
            return out["CertificateAuthorityArn"]
        extra = ["--revocation-configuration", cli_config] if cli_config else []
        return create_ca(s, name, ca_type, extra_args=extra)

    @classmethod
    def make_root(cls, name, cli_config=None, revocation=None) -> CaInfo:
        s = cls.server
        arn = cls._create(name, "ROOT", cli_config, revocation)
        csr = fetch_csr(s, arn, name, via="boto3")
        cert_arn = issue(s, arn, f"{name}.csr", "SHA256WITHECDSA", "Value=5,Type=YEARS",
                         "RootCACertificate", via="boto3")
        cert, _ = fetch_cert(s, arn, cert_arn, via="boto3")
        path = s.write(f"{name}.pem", cert)
        import_ca_cert(s, arn, path.name, via="boto3")
        return CaInfo(arn=arn, name=name, key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                      cert_pem=cert, chain_pem=None, cert_path=path, bundle_path=path,
                      root_path=path, csr_pem=csr, extra={"cert_arn": cert_arn})

    @classmethod
    def make_sub(cls, name, parent: CaInfo, cli_config=None, revocation=None) -> CaInfo:
        s = cls.server
        arn = cls._create(name, "SUBORDINATE", cli_config, revocation)
        csr = fetch_csr(s, arn, name, via="boto3")
        cert_arn = issue(s, parent, f"{name}.csr", parent.sig_alg, "Value=3,Type=YEARS",
                         "SubordinateCACertificate_PathLen0", via="boto3")
        cert, chain = fetch_cert(s, parent.arn, cert_arn, via="boto3")
        path = s.write(f"{name}.pem", cert)
        import_ca_cert(s, arn, path.name, parent.bundle_path.name, via="boto3")
        parents = parent.cert_pem + (parent.chain_pem or "")
        bundle = s.write(f"{name}-bundle.pem", cert + parents)
        return CaInfo(arn=arn, name=name, key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                      cert_pem=cert, chain_pem=parents, cert_path=path, bundle_path=bundle,
                      root_path=parent.root_path, csr_pem=csr, parent=parent,
                      extra={"cert_arn": cert_arn, "issued_chain": chain})

    # -- clients ------------------------------------------------------------------------------

    def cli(self, *args, check=True, timeout=120):
        """`aws <args> --endpoint-url <server>` (any service); returns the CompletedProcess."""
        cmd = [AWS, *[str(a) for a in args], "--endpoint-url", self.srv.endpoint]
        r = subprocess.run(cmd, cwd=str(self.srv.work), env=self.srv.cli_env(),
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            self.fail(f"`aws {' '.join(cmd[1:])}` exited {r.returncode}\n"
                      f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def s3(self):
        s = self.srv
        if getattr(self, "_s3_for", None) != s.endpoint:
            type(self)._s3 = boto3.session.Session().client(
                "s3", endpoint_url=s.endpoint, region_name=s.region,
                aws_access_key_id=s.access_key_id, aws_secret_access_key=s.secret_access_key,
                config=botocore.config.Config(s3={"addressing_style": "path"},
                                              retries={"max_attempts": 1}))
            type(self)._s3_for = s.endpoint
        return self._s3

    def anon_get(self, bucket, key):
        """Unsigned plain HTTP GET <endpoint>/<bucket>/<key> -> (status, headers, body)."""
        return self.srv.http_get(f"/{bucket}/{urllib.parse.quote(key)}")

    def signed_get(self, bucket, key):
        """GetObject signed for s3 (boto3); None when the key does not exist."""
        try:
            return self.s3().get_object(Bucket=bucket, Key=key)["Body"].read()
        except botocore.exceptions.ClientError as e:
            # The bucket itself appears with the first object written to it.
            if e.response["Error"]["Code"] in ("NoSuchKey", "NoSuchBucket", "404"):
                return None
            raise

    def wait_crl(self, bucket, key, pred=lambda crl: True, signed=False, what="",
                 timeout=CRL_WAIT):
        """Polls the CRL object until it parses and pred(crl) holds; returns (crl, der)."""
        deadline = time.monotonic() + timeout
        last = "no CRL object"
        while True:
            if signed:
                der = self.signed_get(bucket, key)
            else:
                status, _, body = self.anon_get(bucket, key)
                der = body if status == 200 else None
                if status != 200:
                    last = f"HTTP {status}: {body[:200]!r}"
            if der is not None:
                try:
                    crl = x509.load_der_x509_crl(der)
                    if pred(crl):
                        return crl, der
                    last = (f"CRL #{crl_number(crl)} with serials "
                            f"{[format(r.serial_number, 'x') for r in crl]}")
                except ValueError as e:
                    last = f"unparsable CRL: {e}"
            if time.monotonic() > deadline:
                self.fail(f"s3://{bucket}/{key}: {what} not seen within {timeout}s; last: {last}"
                          f"\n{self.srv.log_tail(20)}")
            time.sleep(0.3)

    def listed(self, *serials):
        return lambda crl: all(crl.get_revoked_certificate_by_serial_number(n) is not None
                               for n in serials)

    def revoke_cli(self, ca: CaInfo, serial: str, reason: str = "KEY_COMPROMISE",
                   expect_error=None):
        return self.aws("revoke-certificate", "--certificate-authority-arn", ca.arn,
                        "--certificate-serial", serial, "--revocation-reason", reason,
                        expect_error=expect_error)

    def write_crl_pem(self, der: bytes, name: str):
        d = self.srv.write(f"{name}.crl.der", der)
        p = self.srv.path(f"{name}.crl.pem")
        openssl("crl", "-inform", "DER", "-in", d, "-outform", "PEM", "-out", p)
        return d, p

    # -- the root's certificate and the CDP/AIA of what it issues -----------------------------

    def test_01_describe_echoes_revocation_configuration(self):
        ca = self.aws("describe-certificate-authority",
                      "--certificate-authority-arn", self.root.arn)["CertificateAuthority"]
        rc = ca["RevocationConfiguration"]
        crl = rc["CrlConfiguration"]
        self.assertTrue(crl["Enabled"])
        self.assertEqual(crl["ExpirationInDays"], 7)
        self.assertEqual(crl["S3BucketName"], ROOT_BUCKET)
        self.assertTrue(rc["OcspConfiguration"]["Enabled"])

    def test_02_root_certificate_has_no_cdp_or_aia(self):
        cert = self.root.cert
        self.assertIsNone(cdp_uris(cert), "self-signed root carries a CDP")
        self.assertIsNone(aia(cert), "self-signed root carries an AIA")

    def test_03_default_cdp_and_aia(self):
        """spec §2: <bucket>/crl/<CA id>.crl, reached path-style at openpca's URL; §5 AIA."""
        ep = self.srv.endpoint
        cert = self.leaf.cert
        self.assertEqual(cdp_uris(cert), [f"{ep}/{ROOT_BUCKET}/crl/{ca_id(self.root.arn)}.crl"])
        self.assertFalse(cdp_critical(cert), "CDP must be non-critical (spec §2)")
        self.assertEqual(aia(cert), {"ocsp": [f"{ep}/ocsp"],
                                     "ca_issuers": [f"{ep}/ca/{ca_id(self.root.arn)}.crt"]})
        # The subordinate's own certificate was issued by the root: root's CDP and AIA.
        self.assertEqual(cdp_uris(self.sub.cert),
                         [f"{ep}/{ROOT_BUCKET}/crl/{ca_id(self.root.arn)}.crl"])
        self.assertIsNotNone(aia(self.sub.cert))
        # The sub has CRL but no OCSP: its leaves carry a CDP to the sub's bucket and no AIA.
        leaf = issue_leaf(self.srv, self.sub, "subleaf-cdp", via="boto3")
        self.assertEqual(cdp_uris(leaf.cert), [f"{ep}/{SUB_BUCKET}/crl/{ca_id(self.sub.arn)}.crl"])
        self.assertIsNone(aia(leaf.cert), "OCSP disabled: no AIA expected (spec §5)")

    def test_04_ca_issuers_url_serves_the_ca_certificate(self):
        url = aia(self.leaf.cert)["ca_issuers"][0]
        path = urllib.parse.urlsplit(url).path
        status, headers, body = self.srv.http_get(path)
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(x509.load_der_x509_certificate(body), self.root.cert)
        # The sub's certificate is served the same way; an unknown id is 404.
        status, _, body = self.srv.http_get(f"/ca/{ca_id(self.sub.arn)}.crt")
        self.assertEqual(status, 200)
        self.assertEqual(x509.load_der_x509_certificate(body), self.sub.cert)
        status, _, _ = self.srv.http_get("/ca/00000000-0000-4000-8000-000000000000.crt")
        self.assertEqual(status, 404)

    def test_05_custom_cname(self):
        ca = self.make_root("cname", cli_config=(
            "CrlConfiguration={Enabled=true,ExpirationInDays=7,S3BucketName=cname-crls,"
            "CustomCname=crl.example.com},"
            "OcspConfiguration={Enabled=true,OcspCustomCname=ocsp.example.com}"))
        leaf = issue_leaf(self.srv, ca, "cname-leaf", via="boto3")
        cid = ca_id(ca.arn)
        self.assertEqual(cdp_uris(leaf.cert), [f"http://crl.example.com/crl/{cid}.crl"])
        self.assertEqual(aia(leaf.cert), {"ocsp": ["http://ocsp.example.com"],
                                          "ca_issuers": [f"{self.srv.endpoint}/ca/{cid}.crt"]})
        d = self.describe(ca.arn)["RevocationConfiguration"]
        self.assertEqual(d["CrlConfiguration"]["CustomCname"], "crl.example.com")
        self.assertEqual(d["OcspConfiguration"]["OcspCustomCname"], "ocsp.example.com")
        # The object still lands in the configured bucket under crl/.
        self.wait_crl("cname-crls", crl_key(ca.arn), what="first CRL")

    def test_05b_custom_cname_served_by_a_bucket_of_that_name(self):
        """As with S3, a bucket named like the CustomCname serves the CDP URL when the name points
        at the server: the Host header picks the bucket, the path is the key."""
        name = "crl.pki.example.test"
        ca = self.make_root("vhost", revocation={"CrlConfiguration": {
            "Enabled": True, "S3BucketName": name, "CustomCname": name,
            "CustomPath": "pki/crls"}})
        leaf = issue_leaf(self.srv, ca, "vhost-leaf", via="boto3")
        self.revoke_cli(ca, colon_serial(leaf.cert.serial_number), "KEY_COMPROMISE")
        key = crl_key(ca.arn, "pki/crls")
        url = urllib.parse.urlsplit(cdp_uris(leaf.cert)[0])
        self.assertEqual((url.scheme, url.netloc, url.path), ("http", name, f"/{key}"))
        self.wait_crl(name, key, self.listed(leaf.cert.serial_number), what="revoked serial")
        for host in (name, name.upper() + ":80"):
            status, headers, body = self.srv.http_get(url.path, headers={"Host": host})
            self.assertEqual(status, 200, body[:300])
            crl = x509.load_der_x509_crl(body)
            self.assertTrue(crl_sig_ok(crl, ca.cert_pem))
            self.assertIsNotNone(crl.get_revoked_certificate_by_serial_number(
                leaf.cert.serial_number))
        # Path style still works, and a host naming no bucket is not virtual-hosted.
        self.assertEqual(self.anon_get(name, key)[0], 200)
        status, _, _ = self.srv.http_get(url.path, headers={"Host": "other.example.test"})
        self.assertEqual(status, 404)

    def test_06_custom_path(self):
        """spec §1: CustomPath replaces the crl folder in the key and the URL."""
        ca = self.make_root("cpath", revocation={"CrlConfiguration": {
            "Enabled": True, "ExpirationInDays": 7, "S3BucketName": "cpath-crls",
            "CustomPath": "pki/crls"}})
        leaf = issue_leaf(self.srv, ca, "cpath-leaf", via="boto3")
        cid = ca_id(ca.arn)
        self.assertEqual(cdp_uris(leaf.cert),
                         [f"{self.srv.endpoint}/cpath-crls/pki/crls/{cid}.crl"])
        self.assertIsNone(aia(leaf.cert))
        self.assertEqual(self.srv.call("DescribeCertificateAuthority",
                                       CertificateAuthorityArn=ca.arn)["CertificateAuthority"]
                         ["RevocationConfiguration"]["CrlConfiguration"].get("CustomPath"),
                         "pki/crls")
        self.revoke_cli(ca, colon_serial(leaf.cert.serial_number))
        crl, _ = self.wait_crl("cpath-crls", f"pki/crls/{cid}.crl",
                               self.listed(leaf.cert.serial_number), what="revoked serial")
        self.assertTrue(crl_sig_ok(crl, ca.cert_pem))
        status, _, _ = self.anon_get("cpath-crls", f"crl/{cid}.crl")
        self.assertNotEqual(status, 200, "CRL also written under crl/ despite CustomPath")
        # CustomCname + CustomPath: http://<cname>/<path>/<id>.crl.
        ca2 = self.make_root("cpath2", revocation={"CrlConfiguration": {
            "Enabled": True, "S3BucketName": "cpath-crls", "CustomCname": "pki.example.com",
            "CustomPath": "revocation"}})
        leaf2 = issue_leaf(self.srv, ca2, "cpath2-leaf", via="boto3")
        self.assertEqual(cdp_uris(leaf2.cert),
                         [f"http://pki.example.com/revocation/{ca_id(ca2.arn)}.crl"])

    def test_07_omit_extension(self):
        """spec §1: OmitExtension=true -> no CDP; the CRL is still published; OCSP AIA stays."""
        ca = self.make_root("omit", revocation={
            "CrlConfiguration": {"Enabled": True, "ExpirationInDays": 7,
                                 "S3BucketName": "omit-crls",
                                 "CrlDistributionPointExtensionConfiguration":
                                     {"OmitExtension": True}},
            "OcspConfiguration": {"Enabled": True}})
        leaf = issue_leaf(self.srv, ca, "omit-leaf", via="boto3")
        self.assertIsNone(cdp_uris(leaf.cert), "OmitExtension=true but a CDP is present")
        self.assertEqual(aia(leaf.cert)["ocsp"], [f"{self.srv.endpoint}/ocsp"])
        self.revoke_cli(ca, colon_serial(leaf.cert.serial_number))
        crl, _ = self.wait_crl("omit-crls", crl_key(ca.arn),
                               self.listed(leaf.cert.serial_number), what="revoked serial")
        self.assertTrue(crl_sig_ok(crl, ca.cert_pem))

    def test_08_no_revocation_no_extensions(self):
        """spec §5: with neither CRL nor OCSP, no CDP/AIA; OCSP alone: AIA, no CDP."""
        plain = build_root_ca(self.srv, "plain", validity="Value=1,Type=YEARS", via="boto3")
        leaf = issue_leaf(self.srv, plain, "plain-leaf", via="boto3")
        self.assertIsNone(cdp_uris(leaf.cert))
        self.assertIsNone(aia(leaf.cert))
        ocsp_only = self.make_root("ocsponly", cli_config="OcspConfiguration={Enabled=true}")
        leaf = issue_leaf(self.srv, ocsp_only, "ocsponly-leaf", via="boto3")
        self.assertIsNone(cdp_uris(leaf.cert))
        self.assertEqual(aia(leaf.cert)["ocsp"], [f"{self.srv.endpoint}/ocsp"])

    # -- revoke flow --------------------------------------------------------------------------

    def test_10_revoke_flow_openssl_and_cryptography(self):
        s = self.srv
        revoked = issue_leaf(s, self.root, "revoked", via="boto3")
        sibling = issue_leaf(s, self.root, "sibling", via="boto3")
        serial = revoked.cert.serial_number
        t0 = now_utc()
        out = self.revoke_cli(self.root, colon_serial(serial))
        self.assertEqual(out, {}, "revoke-certificate prints nothing")
        crl, der = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn), self.listed(serial),
                                 what=f"serial {serial:x}")
        self.assertEqual(der[0], 0x30, "CRL object must be DER (spec §2 Encoding)")
        der_path, pem_path = self.write_crl_pem(der, "root1")

        text = openssl("crl", "-inform", "DER", "-in", der_path, "-noout",
                       "-text").stdout.decode()
        self.assertIn("Version 2 (0x1)", text)
        self.assertIn(format(serial, "X").rjust(2, "0")[-8:], text.replace(":", "").upper())
        self.assertIn("Key Compromise", text)
        self.assertIn("X509v3 CRL Number", text)
        self.assertIn("X509v3 Authority Key Identifier", text)

        r = openssl("crl", "-inform", "DER", "-in", der_path, "-noout", "-verify",
                    "-CAfile", self.root.cert_path, check=False)
        msg = (r.stdout + r.stderr).decode()
        self.assertEqual(r.returncode, 0, msg)
        self.assertIn("verify OK", msg)

        ok, vout = verify_chain(self.root.cert_path, revoked.cert_path,
                                extra=["-crl_check", "-CRLfile", str(pem_path)])
        self.assertFalse(ok, vout)
        self.assertIn("certificate revoked", vout)
        ok, vout = verify_chain(self.root.cert_path, sibling.cert_path,
                                extra=["-crl_check", "-CRLfile", str(pem_path)])
        self.assertTrue(ok, vout)

        # Python cryptography.
        crl = x509.load_der_x509_crl(der)
        self.assertTrue(crl.is_signature_valid(self.root.cert.public_key()))
        self.assertFalse(crl.is_signature_valid(self.sub.cert.public_key()),
                         "CRL verifies under an unrelated key")
        self.assertEqual(crl.issuer, self.root.cert.subject)
        entry = crl.get_revoked_certificate_by_serial_number(serial)
        self.assertIsNotNone(entry)
        self.assertEqual(entry_reason(entry), x509.ReasonFlags.key_compromise)
        self.assertCloseTime(entry.revocation_date.replace(tzinfo=datetime.timezone.utc), t0,
                             10, "revocationDate")
        self.assertIsNone(crl.get_revoked_certificate_by_serial_number(
            sibling.cert.serial_number))
        type(self).revoked_leaf = revoked
        type(self).first_crl_number = crl_number(crl)

        # Second revocation of the same serial, plain lower-case hex this time (spec §6).
        self.revoke_cli(self.root, format(serial, "x"),
                        expect_error="RequestAlreadyProcessedException")
        self.revoke_cli(self.root, colon_serial(serial, upper=False), "SUPERSEDED",
                        expect_error="RequestAlreadyProcessedException")

    def test_11_crl_structure(self):
        """spec §4: v2, issuer, signature algorithm, AKI = CA SKI, CRL number, update times."""
        crl, der = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn), what="root CRL")
        root = self.root.cert
        self.assertEqual(crl.issuer, root.subject)
        self.assertEqual(crl.signature_algorithm_oid, x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256)
        aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
        ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        self.assertEqual(aki.value.key_identifier, ski)
        self.assertFalse(aki.critical)
        self.assertFalse(crl.extensions.get_extension_for_class(x509.CRLNumber).critical)
        this_update = crl.last_update.replace(tzinfo=datetime.timezone.utc)
        next_update = crl.next_update.replace(tzinfo=datetime.timezone.utc)
        now = now_utc()
        self.assertLessEqual(this_update, now)
        span = next_update - this_update
        # nextUpdate = generation + ExpirationInDays (7); thisUpdate up to 1 h backdated.
        self.assertGreaterEqual(span, datetime.timedelta(days=7), span)
        self.assertLessEqual(span, datetime.timedelta(days=7, hours=1, minutes=1), span)
        self.assertGreater(next_update, now + datetime.timedelta(days=6, hours=23))
        # CRL Number: epoch milliseconds of the generation in AWS's examples (spec §4 obs).
        n = crl_number(crl)
        now_ms = int(now.timestamp() * 1000)
        self.assertGreater(n, 1_500_000_000_000, n)
        self.assertLessEqual(n, now_ms + 60_000, n)
        # openssl shows no deltas, no IDP for a COMPLETE CRL.
        with self.assertRaises(x509.ExtensionNotFound):
            crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint)
        with self.assertRaises(x509.ExtensionNotFound):
            crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)

    def test_12_every_reason_code(self):
        """spec §4 mapping; serials given upper-case with colons and plain lower-case hex."""
        s = self.srv
        leaves = {}
        for i, reason in enumerate(REASONS):
            leaf = issue_leaf(s, self.root, f"reason{i}", via="boto3")
            serial = leaf.cert.serial_number
            given = colon_serial(serial) if i % 2 else format(serial, "x")
            self.c.revoke_certificate(CertificateAuthorityArn=self.root.arn,
                                      CertificateSerial=given, RevocationReason=reason)
            leaves[reason] = serial
        crl, der = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn),
                                 self.listed(*leaves.values()), what="all reason serials")
        for reason, serial in leaves.items():
            entry = crl.get_revoked_certificate_by_serial_number(serial)
            self.assertEqual(entry_reason(entry), REASONS[reason], reason)
        # The same through openssl's text output.
        der_path, _ = self.write_crl_pem(der, "reasons")
        text = openssl("crl", "-inform", "DER", "-in", der_path, "-noout",
                       "-text").stdout.decode()
        for label in ("Unspecified", "Key Compromise", "CA Compromise", "Affiliation Changed",
                      "Superseded", "Cessation Of Operation", "Privilege Withdrawn",
                      "AA Compromise"):
            self.assertIn(label, text)

    def test_13_revoke_errors(self):
        s = self.srv
        # Unknown serial.
        self.revoke_cli(self.root, "01:23:45:67:89:AB:CD:EF",
                        expect_error="ResourceNotFoundException")
        # The root's own certificate.
        root_serial = self.describe(self.root.arn)["Serial"]
        self.revoke_cli(self.root, root_serial, expect_error="InvalidRequestException")
        self.revoke_cli(self.root, colon_serial(self.root.cert.serial_number),
                        expect_error="InvalidRequestException")
        # Another self-signed certificate of the root (issued again from its own CSR, e.g. to
        # renew it): also refused, and it stays off the CRL.
        again_arn = issue(s, self.root.arn, f"{self.root.name}.csr", "SHA256WITHECDSA",
                          "Value=4,Type=YEARS", "RootCACertificate", via="boto3")
        again = load_cert(fetch_cert(s, self.root.arn, again_arn, via="boto3")[0])
        self.assertEqual(again.issuer, again.subject)
        self.revoke_cli(self.root, colon_serial(again.serial_number), "SUPERSEDED",
                        expect_error="InvalidRequestException")
        # Unknown reason: rejected by the CLI's model or the server; never a success.
        r = subprocess.run([AWS, "acm-pca", "revoke-certificate", "--certificate-authority-arn",
                            self.root.arn, "--certificate-serial",
                            colon_serial(self.leaf.cert.serial_number),
                            "--revocation-reason", "NOT_A_REASON",
                            "--endpoint-url", s.endpoint],
                           cwd=str(s.work), env=s.cli_env(), capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        # A PENDING_CERTIFICATE CA.
        pending = create_ca(s, "pending", "ROOT", via="boto3")
        fetch_csr(s, pending, "pending", via="boto3")
        self.aws("revoke-certificate", "--certificate-authority-arn", pending,
                 "--certificate-serial", "01:02:03:04", "--revocation-reason", "UNSPECIFIED",
                 expect_error="InvalidStateException")
        # Nothing above revoked the leaf or the second root certificate.
        crl, _ = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn), what="root CRL")
        self.assertIsNone(crl.get_revoked_certificate_by_serial_number(
            self.leaf.cert.serial_number))
        self.assertIsNone(crl.get_revoked_certificate_by_serial_number(again.serial_number))

    def test_14_disabled_ca_may_revoke(self):
        s = self.srv
        ca = self.make_root("dis", cli_config=(
            "CrlConfiguration={Enabled=true,ExpirationInDays=2,S3BucketName=dis-crls}"))
        leaf = issue_leaf(s, ca, "dis-leaf", via="boto3")
        self.aws("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--status", "DISABLED")
        self.assertEqual(self.status(ca.arn), "DISABLED")
        self.revoke_cli(ca, colon_serial(leaf.cert.serial_number), "CESSATION_OF_OPERATION")
        crl, _ = self.wait_crl("dis-crls", crl_key(ca.arn), self.listed(leaf.cert.serial_number),
                               what="serial revoked by a DISABLED CA")
        self.assertTrue(crl_sig_ok(crl, ca.cert_pem))
        self.assertEqual(entry_reason(crl.get_revoked_certificate_by_serial_number(
            leaf.cert.serial_number)), x509.ReasonFlags.cessation_of_operation)
        self.assertEqual(self.status(ca.arn), "DISABLED")

    def test_15_crl_number_increases_across_regenerations(self):
        crl1, _ = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn), what="root CRL")
        n1 = crl_number(crl1)
        leaf = issue_leaf(self.srv, self.root, "numbered", via="boto3")
        self.revoke_cli(self.root, colon_serial(leaf.cert.serial_number), "SUPERSEDED")
        crl2, _ = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn),
                                self.listed(leaf.cert.serial_number), what="new serial")
        self.assertGreater(crl_number(crl2), n1)
        # Earlier entries stay listed.
        self.assertIsNotNone(crl2.get_revoked_certificate_by_serial_number(
            self.revoked_leaf.cert.serial_number))

    # -- validation -----------------------------------------------------------------------------

    def test_20_invalid_configurations_change_nothing(self):
        """Create and update with invalid configs -> InvalidArgsException; no state change."""
        s = self.srv
        bad_shorthand = [
            "CrlConfiguration={Enabled=false,ExpirationInDays=7}",
            f"CrlConfiguration={{Enabled=false,S3BucketName={ROOT_BUCKET}}}",
            "OcspConfiguration={Enabled=false,OcspCustomCname=ocsp.example.com}",
            f"CrlConfiguration={{Enabled=true,S3BucketName={ROOT_BUCKET},"
            f"CustomCname=http://crl.example.com}}",
            f"CrlConfiguration={{Enabled=true,S3BucketName={ROOT_BUCKET},"
            f"CustomCname=https://crl.example.com}}",
            "OcspConfiguration={Enabled=true,OcspCustomCname=http://ocsp.example.com}",
            "CrlConfiguration={Enabled=true,ExpirationInDays=7}",
            "CrlConfiguration={Enabled=true,S3BucketName=Bad.Bucket}",
            "CrlConfiguration={Enabled=true,S3BucketName=my..bucket}",
            "CrlConfiguration={Enabled=true,S3BucketName=192.168.10.20}",
            "CrlConfiguration={Enabled=true,S3BucketName=-leading-dash}",
            # The paths of these bucket names belong to the OCSP responder and the health check.
            "CrlConfiguration={Enabled=true,S3BucketName=ocsp}",
            "CrlConfiguration={Enabled=true,S3BucketName=health}",
            f"CrlConfiguration={{Enabled=true,S3BucketName={ROOT_BUCKET},"
            f"CustomCname=ftp://crl.example.com}}",
            "OcspConfiguration={Enabled=true,OcspCustomCname=ldap://ocsp.example.com}",
        ]
        bad_raw = [
            {"CrlConfiguration": {"Enabled": True, "S3BucketName": ROOT_BUCKET,
                                  "CustomCname": "crl.example.com",
                                  "CrlDistributionPointExtensionConfiguration":
                                      {"OmitExtension": True}}},
            {"CrlConfiguration": {"Enabled": False,
                                  "CrlDistributionPointExtensionConfiguration":
                                      {"OmitExtension": True}}},
            {"CrlConfiguration": {"Enabled": False, "CustomPath": "x"}},
            # Below the model's minimum length (3): the model validator may answer first.
            {"CrlConfiguration": {"Enabled": True, "S3BucketName": ""}},
        ]
        raw_codes = {"InvalidArgsException"}
        short_codes = {"InvalidArgsException", "ValidationException"}
        target = self.make_root("valid", cli_config=(
            "CrlConfiguration={Enabled=true,ExpirationInDays=9,S3BucketName=valid-crls}"))
        before_cas = sorted(ca["Arn"] for ca in self.list_cas())
        before = self.describe(target.arn)
        cfg = s.write("bad-config.json", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "never created"}}))
        for bad in bad_shorthand:
            with self.subTest(create=bad):
                self.aws("create-certificate-authority", "--certificate-authority-configuration",
                         f"file://{cfg.name}", "--certificate-authority-type", "ROOT",
                         "--revocation-configuration", bad, expect_error="InvalidArgsException")
            with self.subTest(update=bad):
                self.aws("update-certificate-authority", "--certificate-authority-arn",
                         target.arn, "--revocation-configuration", bad,
                         expect_error="InvalidArgsException")
        for bad in bad_raw:
            with self.subTest(create_raw=bad):
                r = raw_request(s, "ACMPrivateCA.CreateCertificateAuthority", {
                    "CertificateAuthorityConfiguration": json.loads(cfg.read_text()),
                    "CertificateAuthorityType": "ROOT", "RevocationConfiguration": bad})
                codes = short_codes if bad["CrlConfiguration"].get("S3BucketName") == "" \
                    else raw_codes
                self.assertEqual(r.status, 400, r.body[:300])
                self.assertIn(r.code, codes, r.body[:300])
            with self.subTest(update_raw=bad):
                r = raw_request(s, "ACMPrivateCA.UpdateCertificateAuthority", {
                    "CertificateAuthorityArn": target.arn, "RevocationConfiguration": bad})
                self.assertEqual(r.status, 400, r.body[:300])
                self.assertIn(r.code, codes, r.body[:300])
        self.assertEqual(sorted(ca["Arn"] for ca in self.list_cas()), before_cas,
                         "a rejected create made a CA")
        self.assertEqual(self.describe(target.arn), before, "a rejected update changed the CA")
        # A valid update goes through and is described.
        self.aws("update-certificate-authority", "--certificate-authority-arn", target.arn,
                 "--revocation-configuration",
                 "CrlConfiguration={Enabled=true,ExpirationInDays=3,S3BucketName=valid-crls},"
                 "OcspConfiguration={Enabled=true}")
        rc = self.describe(target.arn)["RevocationConfiguration"]
        self.assertEqual(rc["CrlConfiguration"]["ExpirationInDays"], 3)
        self.assertTrue(rc["OcspConfiguration"]["Enabled"])
        # Disabling with only Enabled=false is fine; the CDP disappears from new certificates.
        self.aws("update-certificate-authority", "--certificate-authority-arn", target.arn,
                 "--revocation-configuration",
                 "CrlConfiguration={Enabled=false},OcspConfiguration={Enabled=false}")
        rc = self.describe(target.arn)["RevocationConfiguration"]
        self.assertFalse(rc["CrlConfiguration"]["Enabled"])
        self.assertFalse(rc["OcspConfiguration"]["Enabled"])
        leaf = issue_leaf(s, target, "valid-leaf", via="boto3")
        self.assertIsNone(cdp_uris(leaf.cert))
        self.assertIsNone(aia(leaf.cert))

    def test_21_null_and_unknown_members_are_ignored(self):
        """JSON null is an absent member and members the model lacks are dropped, as AWS reads a
        request; nothing of either is stored, described, or reaches the CRL publisher."""
        s = self.srv
        ca = self.make_root("nulls", cli_config=(
            "CrlConfiguration={Enabled=true,S3BucketName=nulls-crls}"))
        r = raw_request(s, "ACMPrivateCA.UpdateCertificateAuthority", {
            "CertificateAuthorityArn": ca.arn, "Unknown": 1,
            "RevocationConfiguration": {
                "CrlConfiguration": {"Enabled": True, "S3BucketName": "nulls-crls",
                                     "ExpirationInDays": None, "CrlType": None,
                                     "CustomPath": None, "CustomCname": None,
                                     "S3ObjectAcl": None, "Surplus": "x"},
                "OcspConfiguration": {"Enabled": True, "OcspCustomCname": None},
                "Extra": {"Enabled": True}}})
        self.assertEqual(r.status, 200, r.body[:300])
        rc = self.describe(ca.arn)["RevocationConfiguration"]
        self.assertEqual(rc, {"CrlConfiguration": {"Enabled": True, "S3BucketName": "nulls-crls"},
                              "OcspConfiguration": {"Enabled": True}})
        # The publisher runs with that configuration (a revocation regenerates the CRL) and the
        # server is still up.
        leaf = issue_leaf(s, ca, "nulls-leaf", via="boto3")
        self.assertEqual(cdp_uris(leaf.cert), [f"{s.endpoint}/nulls-crls/{crl_key(ca.arn)}"])
        self.revoke_cli(ca, colon_serial(leaf.cert.serial_number), "KEY_COMPROMISE")
        crl, _ = self.wait_crl("nulls-crls", crl_key(ca.arn), self.listed(leaf.cert.serial_number),
                               what="CRL after an update with nulls")
        self.assertTrue(crl_sig_ok(crl, ca.cert_pem))
        self.assertIsNone(s.proc.poll(), s.log_tail())
        # null sections are absent sections: both described as disabled.
        r = raw_request(s, "ACMPrivateCA.UpdateCertificateAuthority", {
            "CertificateAuthorityArn": ca.arn,
            "RevocationConfiguration": {"CrlConfiguration": None, "OcspConfiguration": None}})
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(self.describe(ca.arn)["RevocationConfiguration"],
                         {"CrlConfiguration": {"Enabled": False},
                          "OcspConfiguration": {"Enabled": False}})
        # The same on create.
        r = raw_request(s, "ACMPrivateCA.CreateCertificateAuthority", {
            "CertificateAuthorityConfiguration": {
                "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
                "Subject": {"CommonName": "nulls on create", "Surplus": "x"}},
            "CertificateAuthorityType": "ROOT", "IdempotencyToken": None,
            "RevocationConfiguration": {"CrlConfiguration": {
                "Enabled": True, "S3BucketName": "nulls-crls", "ExpirationInDays": None,
                "CustomCname": None, "Bogus": [1]}}})
        self.assertEqual(r.status, 200, r.body[:300])
        created = self.describe(json.loads(r.body)["CertificateAuthorityArn"])
        self.assertEqual(created["RevocationConfiguration"]["CrlConfiguration"],
                         {"Enabled": True, "S3BucketName": "nulls-crls"})
        self.assertEqual(created["CertificateAuthorityConfiguration"]["Subject"],
                         {"CommonName": "nulls on create"})

    # -- S3 reads ---------------------------------------------------------------------------------

    def test_30_s3_ls_and_cp_with_the_cli(self):
        crl, der = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn), what="root CRL")
        key = crl_key(self.root.arn)
        r = self.cli("s3", "ls", f"s3://{ROOT_BUCKET}/", "--recursive")
        self.assertIn(key, r.stdout)
        # Written when the CA's CRL configuration named the bucket (spec §2).
        self.assertIn("acm-pca-permission-test-key", r.stdout)
        r = self.cli("s3", "ls")
        self.assertIn(ROOT_BUCKET, r.stdout)
        self.assertIn(SUB_BUCKET, r.stdout)
        self.cli("s3", "cp", f"s3://{ROOT_BUCKET}/{key}", "cli-copy.crl")
        got = self.srv.path("cli-copy.crl").read_bytes()
        crl2 = x509.load_der_x509_crl(got)
        self.assertGreaterEqual(crl_number(crl2), crl_number(crl))
        self.assertTrue(crl2.is_signature_valid(self.root.cert.public_key()))
        # The CLI copy equals the anonymous HTTP GET (no regeneration pending).
        status, headers, body = self.anon_get(ROOT_BUCKET, key)
        self.assertEqual(status, 200)
        self.assertEqual(body, got)
        ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        self.assertIn("pkix-crl", ctype)
        # openssl can read what the CLI copied.
        openssl("crl", "-inform", "DER", "-in", self.srv.path("cli-copy.crl"), "-noout")

    def test_30b_other_s3_operations(self):
        """GetBucketLocation answers; sub-resources openpca does not serve are NotImplemented,
        never the object body or a listing; buckets keep their creation date."""
        key = crl_key(self.root.arn)
        self.wait_crl(ROOT_BUCKET, key, what="root CRL")
        s3 = self.s3()
        self.assertIsNone(s3.get_bucket_location(Bucket=ROOT_BUCKET)["LocationConstraint"])
        # GetObjectAcl is served: the PUBLIC_READ CRL grants everyone READ.
        grants = s3.get_object_acl(Bucket=ROOT_BUCKET, Key=key)["Grants"]
        self.assertIn(("Group", "READ"), [(g["Grantee"]["Type"], g["Permission"]) for g in grants])
        for call in (lambda: s3.get_object_tagging(Bucket=ROOT_BUCKET, Key=key),
                     lambda: s3.get_bucket_acl(Bucket=ROOT_BUCKET),
                     lambda: s3.get_bucket_versioning(Bucket=ROOT_BUCKET)):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                call()
            self.assertEqual(cm.exception.response["Error"]["Code"], "NotImplemented")
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 501)
        # Unsigned, on a public object: still not the body.
        status, _, body = self.srv.http_get(f"/{ROOT_BUCKET}/{urllib.parse.quote(key)}?tagging")
        self.assertNotEqual(status, 200)
        self.assertNotIn(b"\x30\x82", body[:2])
        first = {b["Name"]: b["CreationDate"] for b in s3.list_buckets()["Buckets"]}
        time.sleep(1.1)
        again = {b["Name"]: b["CreationDate"] for b in s3.list_buckets()["Buckets"]}
        self.assertEqual(first, again)
        self.assertLessEqual(first[ROOT_BUCKET], now_utc())

    def test_31_cdp_url_fetches_the_crl(self):
        """The leaf's CDP is a URL a relying party can GET anonymously (PUBLIC_READ default)."""
        url = cdp_uris(self.leaf.cert)[0]
        u = urllib.parse.urlsplit(url)
        self.assertEqual(f"{u.scheme}://{u.netloc}", self.srv.endpoint)
        status, _, body = self.srv.http_get(u.path)
        self.assertEqual(status, 200, body[:200])
        crl = x509.load_der_x509_crl(body)
        self.assertTrue(crl.is_signature_valid(self.root.cert.public_key()))

    def test_32_missing_key_is_no_such_key(self):
        r = self.cli("s3", "cp", f"s3://{ROOT_BUCKET}/crl/does-not-exist.crl", "missing.crl",
                     check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue("404" in r.stderr or "Not Found" in r.stderr, r.stderr)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3().get_object(Bucket=ROOT_BUCKET, Key="crl/does-not-exist.crl")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NoSuchKey")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_33_bucket_owner_full_control_is_not_public(self):
        s = self.srv
        ca = self.make_root("priv", cli_config=(
            "CrlConfiguration={Enabled=true,ExpirationInDays=7,S3BucketName=private-crls,"
            "S3ObjectAcl=BUCKET_OWNER_FULL_CONTROL}"))
        self.assertEqual(self.describe(ca.arn)["RevocationConfiguration"]["CrlConfiguration"]
                         ["S3ObjectAcl"], "BUCKET_OWNER_FULL_CONTROL")
        leaf = issue_leaf(s, ca, "priv-leaf", via="boto3")
        self.revoke_cli(ca, colon_serial(leaf.cert.serial_number))
        key = crl_key(ca.arn)
        self.wait_crl("private-crls", key, self.listed(leaf.cert.serial_number), signed=True,
                      what="revoked serial (signed read)")
        status, _, body = self.anon_get("private-crls", key)
        self.assertEqual(status, 403, body[:300])
        self.assertIn(b"AccessDenied", body)
        self.cli("s3", "cp", f"s3://private-crls/{key}", "priv.crl")
        crl = x509.load_der_x509_crl(self.srv.path("priv.crl").read_bytes())
        self.assertIsNotNone(crl.get_revoked_certificate_by_serial_number(
            leaf.cert.serial_number))
        # Switching the ACL to PUBLIC_READ makes the next CRL readable anonymously.
        self.aws("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--revocation-configuration",
                 "CrlConfiguration={Enabled=true,ExpirationInDays=7,S3BucketName=private-crls,"
                 "S3ObjectAcl=PUBLIC_READ}")
        self.wait_crl("private-crls", key, self.listed(leaf.cert.serial_number),
                      what="anonymous read after switching to PUBLIC_READ")

    # -- subordinate ----------------------------------------------------------------------------

    def test_40_subordinate_crl(self):
        s = self.srv
        leaf = issue_leaf(s, self.sub, "subleaf", via="boto3")
        sibling = issue_leaf(s, self.sub, "subsibling", via="boto3")
        self.revoke_cli(self.sub, colon_serial(leaf.cert.serial_number), "AFFILIATION_CHANGED")
        crl, der = self.wait_crl(SUB_BUCKET, crl_key(self.sub.arn),
                                 self.listed(leaf.cert.serial_number), what="sub leaf serial")
        self.assertEqual(crl.issuer, self.sub.cert.subject)
        self.assertTrue(crl.is_signature_valid(self.sub.cert.public_key()))
        self.assertFalse(crl.is_signature_valid(self.root.cert.public_key()))
        aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        self.assertEqual(aki.key_identifier, self.sub.cert.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value.digest)
        span = crl.next_update - crl.last_update
        self.assertGreaterEqual(span, datetime.timedelta(days=3))
        self.assertLessEqual(span, datetime.timedelta(days=3, hours=1, minutes=1))
        self.assertIsNone(self.signed_get(ROOT_BUCKET, crl_key(self.sub.arn)),
                          "sub CRL written to the root's bucket")
        der_path, sub_crl_pem = self.write_crl_pem(der, "sub")
        r = openssl("crl", "-inform", "DER", "-in", der_path, "-noout", "-verify",
                    "-CAfile", self.sub.bundle_path, check=False)
        self.assertIn("verify OK", (r.stdout + r.stderr).decode())
        r = openssl("crl", "-inform", "DER", "-in", der_path, "-noout", "-verify",
                    "-CAfile", self.root.cert_path, check=False)
        self.assertNotIn("verify OK", (r.stdout + r.stderr).decode(),
                         "sub CRL verified against the root")
        # Chain check with both CRLs: revoked leaf fails, sibling passes.
        _, root_der = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn), what="root CRL")
        _, root_crl_pem = self.write_crl_pem(root_der, "root-for-sub")
        both = s.write("both-crls.pem", root_crl_pem.read_text() + sub_crl_pem.read_text())
        extra = ["-crl_check_all", "-CRLfile", str(both)]
        ok, out = verify_chain(self.root.cert_path, leaf.cert_path, self.sub.cert_path, extra)
        self.assertFalse(ok, out)
        self.assertIn("certificate revoked", out)
        ok, out = verify_chain(self.root.cert_path, sibling.cert_path, self.sub.cert_path, extra)
        self.assertTrue(ok, out)
        # Revoking the sub CA's certificate on the root puts it on the root's CRL and breaks the
        # sibling's chain under -crl_check_all.
        self.revoke_cli(self.root, colon_serial(self.sub.cert.serial_number),
                        "CERTIFICATE_AUTHORITY_COMPROMISE")
        _, root_der = self.wait_crl(ROOT_BUCKET, crl_key(self.root.arn),
                                    self.listed(self.sub.cert.serial_number),
                                    what="sub CA certificate serial")
        _, root_crl_pem = self.write_crl_pem(root_der, "root-after-sub")
        both = s.write("both-crls2.pem", root_crl_pem.read_text() + sub_crl_pem.read_text())
        ok, out = verify_chain(self.root.cert_path, sibling.cert_path, self.sub.cert_path,
                               ["-crl_check_all", "-CRLfile", str(both)])
        self.assertFalse(ok, out)
        self.assertIn("certificate revoked", out)

    # -- restart (last: the endpoint's port changes) ----------------------------------------------

    def test_90_crl_number_increases_across_restarts(self):
        s = self.srv
        key = crl_key(self.root.arn)
        crl, _ = self.wait_crl(ROOT_BUCKET, key, what="root CRL")
        n0 = crl_number(crl)
        revoked_before = {r.serial_number for r in crl}
        leaf = issue_leaf(s, self.root, "after-restart", via="boto3")
        leaf2 = issue_leaf(s, self.root, "after-kill", via="boto3")
        self.assertEqual(s.stop(), 0, s.log_tail())
        s.start()
        crl, _ = self.wait_crl(ROOT_BUCKET, key, what="root CRL after restart")
        self.assertGreaterEqual(crl_number(crl), n0)
        self.assertEqual({r.serial_number for r in crl}, revoked_before,
                         "revocations lost or invented across a restart")
        self.revoke_cli(self.root, colon_serial(leaf.cert.serial_number))
        crl, _ = self.wait_crl(ROOT_BUCKET, key, self.listed(leaf.cert.serial_number),
                               what="serial revoked after restart")
        n1 = crl_number(crl)
        self.assertGreater(n1, n0)
        # Crash, then another revocation: the number still goes up.
        s.kill9()
        s.start()
        self.revoke_cli(self.root, colon_serial(leaf2.cert.serial_number))
        crl, _ = self.wait_crl(ROOT_BUCKET, key, self.listed(leaf2.cert.serial_number),
                               what="serial revoked after kill -9")
        self.assertGreater(crl_number(crl), n1)
        self.assertTrue(crl.is_signature_valid(self.root.cert.public_key()))
        # Revocations are durable: the second revoke is still refused.
        self.revoke_cli(self.root, colon_serial(leaf.cert.serial_number),
                        expect_error="RequestAlreadyProcessedException")


if __name__ == "__main__":
    unittest.main(verbosity=2)
