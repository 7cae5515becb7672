"""PARTITIONED CRLs with the AWS CLI (spec revocation.md §2-3): a CA created with
CrlType=PARTITIONED binds each certificate to a partition whose CRL lives at
<bucket>/crl/<CA id>/<partition id>.crl; the certificate's CDP is that object's URL, and the
partition CRL carries a critical Issuing Distribution Point equal to it. Checked with openssl
(crl -verify, verify -crl_check with each certificate's own partition CRL) and Python
cryptography; `aws s3 ls` lists the partitions and the acm-pca-permission-test-key object that
Create/UpdateCertificateAuthority write; an unwritable bucket fails both calls with
ValidationException and changes nothing; switching to COMPLETE strands no certificate.

The server runs with crl_partition_capacity=3 (a testing setting, docs/operations.md), so a few
certificates fill several partitions, and crl_regenerate_delay_ms=200.

The Debian AWS CLI (2.9) predates CrlType in its acm-pca model: the test gives it openpca's own
model (src/api/model, which has it) as a customer model under $HOME/.aws/models."""

import json
import os
import shutil
import subprocess
import time
import unittest
import urllib.parse
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from harness import (AWS, REPO, CaInfo, Server, ServerTestCase, fetch_cert, fetch_csr,
                     import_ca_cert, issue, issue_leaf, openssl, verify_chain)

CAPACITY = 3
BUCKET = "part-crls"
CRL_WAIT = 20.0


def ca_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def cdp_uri(cert: x509.Certificate) -> str:
    ext = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    (dp,) = ext.value
    (name,) = dp.full_name
    return name.value


def idp(crl: x509.CertificateRevocationList):
    """(critical, [fullName URIs]) of the CRL's Issuing Distribution Point, or None."""
    try:
        ext = crl.extensions.get_extension_for_oid(ExtensionOID.ISSUING_DISTRIBUTION_POINT)
    except x509.ExtensionNotFound:
        return None
    return ext.critical, [n.value for n in (ext.value.full_name or [])]


def colon_serial(n: int) -> str:
    h = format(n, "x")
    h = "0" * (len(h) % 2) + h
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


class PartitionedCrlTest(ServerTestCase):
    server_name = "partitioned"

    @classmethod
    def setUpClass(cls):
        cls._had_failure = False
        cls.server = s = Server(cls.server_name)
        try:
            config = s.root / "openpca.json"
            config.write_text(json.dumps({"crl_partition_capacity": CAPACITY,
                                          "crl_regenerate_delay_ms": 200}))
            wrapper = s.root / "openpca-with-config"
            wrapper.write_text(f'#!/bin/sh\nexec "{s.binary}" "$@" --config "{config}"\n')
            wrapper.chmod(0o755)
            s.binary = str(wrapper)
            models = s.home / ".aws" / "models" / "acm-pca" / "2017-08-22"
            models.mkdir(parents=True)
            shutil.copy(REPO / "src" / "api" / "model" / "acm-pca-2017-08-22.json",
                        models / "service-2.json")
            s.start()
            cls.root = cls.make_root("proot", "CrlConfiguration={Enabled=true,ExpirationInDays=7,"
                                              f"S3BucketName={BUCKET},CrlType=PARTITIONED}}")
            cls.leaves = [issue_leaf(s, cls.root, f"pleaf{i}", via="boto3")
                          for i in range(2 * CAPACITY + 1)]
        except BaseException:
            print(s.log_tail(200))
            s.close(keep=True)
            cls.server = None
            raise

    @classmethod
    def make_root(cls, name, revocation_shorthand) -> CaInfo:
        s = cls.server
        cfg = s.write(f"{name}-config.json", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"Country": "US", "Organization": "Example Corp",
                        "CommonName": f"{name} CA"}}))
        arn = s.aws("create-certificate-authority", "--certificate-authority-configuration",
                    f"file://{cfg.name}", "--certificate-authority-type", "ROOT",
                    "--revocation-configuration", revocation_shorthand)["CertificateAuthorityArn"]
        csr = fetch_csr(s, arn, name, via="boto3")
        cert_arn = issue(s, arn, f"{name}.csr", "SHA256WITHECDSA", "Value=5,Type=YEARS",
                         "RootCACertificate", via="boto3")
        cert, _ = fetch_cert(s, arn, cert_arn, via="boto3")
        path = s.write(f"{name}.pem", cert)
        import_ca_cert(s, arn, path.name, via="boto3")
        return CaInfo(arn=arn, name=name, key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                      cert_pem=cert, chain_pem=None, cert_path=path, bundle_path=path,
                      root_path=path, csr_pem=csr, extra={"cert_arn": cert_arn})

    # -- helpers ----------------------------------------------------------------------------

    def cli(self, *args, check=True):
        """`aws <args> --endpoint-url <server>` (any service); returns the CompletedProcess."""
        cmd = [AWS, *[str(a) for a in args], "--endpoint-url", self.srv.endpoint]
        r = subprocess.run(cmd, cwd=str(self.srv.work), env=self.srv.cli_env(),
                           capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            self.fail(f"`aws {' '.join(cmd[1:])}` exited {r.returncode}\n{r.stderr}")
        return r

    def fetch(self, url: str):
        """Anonymous GET of a CDP URL at this server -> (status, body)."""
        u = urllib.parse.urlsplit(url)
        self.assertEqual(f"{u.scheme}://{u.netloc}", self.srv.endpoint, url)
        status, _, body = self.srv.http_get(u.path)
        return status, body

    def fetch_crl(self, url: str) -> bytes:
        status, body = self.fetch(url)
        self.assertEqual(status, 200, f"{url}: {body[:200]!r}")
        return body

    def wait_crl(self, url: str, pred, what: str):
        deadline = time.monotonic() + CRL_WAIT
        while True:
            status, body = self.fetch(url)
            if status == 200:
                crl = x509.load_der_x509_crl(body)
                if pred(crl):
                    return crl, body
            if time.monotonic() > deadline:
                self.fail(f"{url}: {what} not seen within {CRL_WAIT}s\n{self.srv.log_tail(20)}")
            time.sleep(0.2)

    def by_partition(self, leaves):
        groups = {}
        for leaf in leaves:
            groups.setdefault(cdp_uri(leaf.cert), []).append(leaf)
        return groups

    def crl_pem(self, der: bytes, name: str) -> Path:
        d = self.srv.write(f"{name}.crl.der", der)
        p = self.srv.path(f"{name}.crl.pem")
        openssl("crl", "-inform", "DER", "-in", d, "-outform", "PEM", "-out", p)
        return p

    def assertCrlVerifies(self, der: bytes, name: str):
        d = self.srv.write(f"{name}.verify.der", der)
        r = openssl("crl", "-inform", "DER", "-in", d, "-noout", "-verify",
                    "-CAfile", self.root.cert_path, check=False)
        out = (r.stdout + r.stderr).decode()
        self.assertEqual(r.returncode, 0, out)
        self.assertIn("verify OK", out)

    # -- tests --------------------------------------------------------------------------------

    def test_01_describe_shows_partitioned(self):
        crl = self.aws("describe-certificate-authority", "--certificate-authority-arn",
                       self.root.arn)["CertificateAuthority"]["RevocationConfiguration"][
                           "CrlConfiguration"]
        self.assertEqual(crl["CrlType"], "PARTITIONED")
        self.assertEqual(crl["S3BucketName"], BUCKET)

    def test_02_each_certificate_names_a_partition_of_bounded_size(self):
        cid = ca_id(self.root.arn)
        groups = self.by_partition(self.leaves)
        self.assertEqual(sorted(len(g) for g in groups.values()), [1, CAPACITY, CAPACITY])
        prefix = f"{self.srv.endpoint}/{BUCKET}/crl/{cid}/"
        for uri in groups:
            self.assertTrue(uri.startswith(prefix) and uri.endswith(".crl"), uri)
            partition = uri[len(prefix):-len(".crl")]
            self.assertRegex(partition, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                                        r"[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        # The CDP is non-critical, as for a complete CRL.
        ext = self.leaves[0].cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        self.assertFalse(ext.critical)

    def test_03_every_partition_crl_resolves_with_a_critical_idp_equal_to_the_cdp(self):
        # No wait: a partition's CRL exists before the first certificate naming it is returned.
        for i, uri in enumerate(self.by_partition(self.leaves)):
            with self.subTest(uri=uri):
                der = self.fetch_crl(uri)
                self.assertEqual(der[0], 0x30, "DER, not PEM")
                self.assertCrlVerifies(der, f"part{i}")
                crl = x509.load_der_x509_crl(der)
                self.assertTrue(crl.is_signature_valid(self.root.cert.public_key()))
                self.assertEqual(crl.issuer, self.root.cert.subject)
                self.assertEqual(idp(crl), (True, [uri]))
                text = openssl("crl", "-inform", "DER", "-in", self.srv.path(f"part{i}.verify.der"),
                               "-noout", "-text").stdout.decode()
                self.assertIn("X509v3 Issuing Distribution Point: critical", text)

    def test_04_s3_ls_lists_partitions_and_the_permission_test_key(self):
        cid = ca_id(self.root.arn)
        r = self.cli("s3", "ls", f"s3://{BUCKET}/")
        self.assertIn("acm-pca-permission-test-key", r.stdout)
        r = self.cli("s3", "ls", f"s3://{BUCKET}/crl/{cid}/")
        listed = {line.split()[-1] for line in r.stdout.splitlines() if line.strip()}
        want = {uri.rsplit("/", 1)[1] for uri in self.by_partition(self.leaves)}
        self.assertTrue(want <= listed, f"{want} not in {listed}")
        # Nothing names the complete CRL of a CA partitioned from the start: none is written.
        r = self.cli("s3", "ls", f"s3://{BUCKET}/crl/{cid}.crl", check=False)
        self.assertNotIn(f"{cid}.crl", r.stdout)

    def test_05_revocation_lands_on_its_own_partition_only(self):
        groups = self.by_partition(self.leaves)
        full = [g for g in groups.values() if len(g) == CAPACITY]
        revoked, good = full[0][0], full[0][1]
        other_uri = cdp_uri(full[1][0].cert)
        mine_uri = cdp_uri(revoked.cert)
        other_before = self.fetch_crl(other_uri)
        serial = revoked.cert.serial_number
        self.aws("revoke-certificate", "--certificate-authority-arn", self.root.arn,
                 "--certificate-serial", colon_serial(serial), "--revocation-reason",
                 "KEY_COMPROMISE")
        crl, der = self.wait_crl(
            mine_uri, lambda c: c.get_revoked_certificate_by_serial_number(serial) is not None,
            "revoked serial")
        self.assertEqual(idp(crl), (True, [mine_uri]))
        self.assertEqual(self.fetch_crl(other_uri), other_before,
                         "a revocation regenerated another partition")
        pem = self.crl_pem(der, "revoked-partition")
        ok, out = verify_chain(self.root.cert_path, revoked.cert_path,
                               extra=["-crl_check", "-CRLfile", str(pem)])
        self.assertFalse(ok, out)
        self.assertIn("certificate revoked", out)
        ok, out = verify_chain(self.root.cert_path, good.cert_path,
                               extra=["-crl_check", "-CRLfile", str(pem)])
        self.assertTrue(ok, out)
        # Each certificate with its own partition's CRL: accepted; with another partition's CRL
        # OpenSSL finds the CRL out of scope (its IDP does not match the CDP) and refuses.
        stranger = full[1][0]
        own = self.crl_pem(self.fetch_crl(other_uri), "own-partition")
        ok, out = verify_chain(self.root.cert_path, stranger.cert_path,
                               extra=["-crl_check", "-CRLfile", str(own)])
        self.assertTrue(ok, out)
        ok, out = verify_chain(self.root.cert_path, stranger.cert_path,
                               extra=["-crl_check", "-CRLfile", str(pem)])
        self.assertFalse(ok, out)
        self.assertIn("different CRL scope", out)

    def test_06_switching_to_complete_strands_no_certificate(self):
        s = self.srv
        cid = ca_id(self.root.arn)
        self.aws("update-certificate-authority", "--certificate-authority-arn", self.root.arn,
                 "--revocation-configuration",
                 f"CrlConfiguration={{Enabled=true,ExpirationInDays=7,S3BucketName={BUCKET},"
                 "CrlType=COMPLETE}")
        fresh = issue_leaf(s, self.root, "after-switch")
        complete_uri = f"{s.endpoint}/{BUCKET}/crl/{cid}.crl"
        self.assertEqual(cdp_uri(fresh.cert), complete_uri)
        old = self.leaves[-1]
        old_uri = cdp_uri(old.cert)
        serial = old.cert.serial_number
        self.aws("revoke-certificate", "--certificate-authority-arn", self.root.arn,
                 "--certificate-serial", colon_serial(serial), "--revocation-reason",
                 "SUPERSEDED")
        # The old certificate's partition still gets its revocation...
        crl, der = self.wait_crl(
            old_uri, lambda c: c.get_revoked_certificate_by_serial_number(serial) is not None,
            "revocation in the old partition")
        self.assertEqual(idp(crl), (True, [old_uri]))
        ok, out = verify_chain(self.root.cert_path, old.cert_path,
                               extra=["-crl_check", "-CRLfile", str(self.crl_pem(der, "old"))])
        self.assertFalse(ok, out)
        # ... and the complete CRL, which has no IDP, lists every revocation of the CA.
        complete, der = self.wait_crl(
            complete_uri,
            lambda c: c.get_revoked_certificate_by_serial_number(serial) is not None,
            "complete CRL")
        self.assertIsNone(idp(complete))
        ok, out = verify_chain(self.root.cert_path, fresh.cert_path,
                               extra=["-crl_check", "-CRLfile", str(self.crl_pem(der, "all"))])
        self.assertTrue(ok, out)
        # Back to PARTITIONED: new certificates name partitions again; the complete CRL, which
        # `fresh` names, stays published.
        self.aws("update-certificate-authority", "--certificate-authority-arn", self.root.arn,
                 "--revocation-configuration",
                 f"CrlConfiguration={{Enabled=true,ExpirationInDays=7,S3BucketName={BUCKET},"
                 "CrlType=PARTITIONED}")
        again = issue_leaf(s, self.root, "after-switch-back", via="boto3")
        uri = cdp_uri(again.cert)
        self.assertTrue(uri.startswith(f"{s.endpoint}/{BUCKET}/crl/{cid}/"), uri)
        self.assertEqual(idp(x509.load_der_x509_crl(self.fetch_crl(uri))), (True, [uri]))
        self.wait_crl(complete_uri, lambda c: True, "complete CRL after switching back")

    def test_07_unwritable_bucket_fails_create_and_update_and_changes_nothing(self):
        s = self.srv
        # A file where the bucket's folder would be: nothing can be written into that bucket.
        blocked = s.data_dir / "buckets" / "blocked-crls"
        blocked.parent.mkdir(parents=True, exist_ok=True)
        blocked.write_text("not a folder")
        before_cas = sorted(ca["Arn"] for ca in self.list_cas())
        before = self.describe(self.root.arn)
        cfg = s.write("blocked-config.json", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "never created"}}))
        bad = "CrlConfiguration={Enabled=true,S3BucketName=blocked-crls,CrlType=PARTITIONED}"
        self.aws("create-certificate-authority", "--certificate-authority-configuration",
                 f"file://{cfg.name}", "--certificate-authority-type", "ROOT",
                 "--revocation-configuration", bad, expect_error="ValidationException")
        self.aws("update-certificate-authority", "--certificate-authority-arn", self.root.arn,
                 "--revocation-configuration", bad, expect_error="ValidationException")
        self.assertEqual(sorted(ca["Arn"] for ca in self.list_cas()), before_cas)
        self.assertEqual(self.describe(self.root.arn), before)
        # A writable bucket gets the test key as soon as a configuration names it.
        self.aws("update-certificate-authority", "--certificate-authority-arn", self.root.arn,
                 "--revocation-configuration",
                 "CrlConfiguration={Enabled=true,S3BucketName=probe-crls,CrlType=PARTITIONED,"
                 "S3ObjectAcl=BUCKET_OWNER_FULL_CONTROL}")
        r = self.cli("s3", "ls", "s3://probe-crls/")
        self.assertIn("acm-pca-permission-test-key", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
