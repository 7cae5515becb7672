"""CA status rules (acm-pca.md §5 status matrix and §3 per-operation notes): CREATING ->
PENDING_CERTIFICATE -> ACTIVE <-> DISABLED, EXPIRED, DELETED/restore, which operations each status
allows, and which describe fields exist in each."""

import datetime
import json
import time
import unittest

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from harness import (ServerTestCase, build_root_ca, ca_config, create_ca, fetch_cert, fetch_csr,
                     import_ca_cert, issue, load_cert, load_csr, make_csr, now_utc, parse_ts)

CERT_FIELDS = ("Serial", "NotBefore", "NotAfter")
STATUSES = {"CREATING", "PENDING_CERTIFICATE", "ACTIVE", "DELETED", "DISABLED", "EXPIRED",
            "FAILED"}


class LifecycleTest(ServerTestCase):
    server_name = "lifecycle"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            make_csr(cls.server.work, "leaf")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    # -- creation -----------------------------------------------------------------------------

    def test_create_describe_fields_before_certificate(self):
        t0 = now_utc()
        arn = create_ca(self.srv, "fresh", "ROOT", "EC_secp384r1", cn="Fresh CA")
        ca = self.describe(arn)
        self.assertIn(ca["Status"], ("CREATING", "PENDING_CERTIFICATE"))
        self.assertEqual(ca["Arn"], arn)
        self.assertRegex(arn, r"^arn:aws:acm-pca:us-east-1:\d{12}:certificate-authority/"
                              r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                              r"[0-9a-f]{12}$")
        self.assertRegex(ca["OwnerAccount"], r"^\d{12}$")
        self.assertEqual(ca["OwnerAccount"], arn.split(":")[4])
        self.assertEqual(ca["Type"], "ROOT")
        self.assertCloseTime(parse_ts(ca["CreatedAt"]), t0, tolerance=30, msg="CreatedAt")
        self.assertEqual(ca["CertificateAuthorityConfiguration"],
                         ca_config("Fresh CA", "EC_secp384r1"))
        # The software key store meets none of AWS's standards: the field is absent rather than
        # a claim it cannot back (docs/decisions.md "KeyStorageSecurityStandard").
        self.assertNotIn("KeyStorageSecurityStandard", ca)
        self.assertEqual(ca.get("UsageMode"), "GENERAL_PURPOSE")
        for f in CERT_FIELDS + ("RestorableUntil", "FailureReason"):
            self.assertNotIn(f, ca)
        # No RevocationConfiguration given = CRL and OCSP disabled (if echoed at all).
        rc = ca.get("RevocationConfiguration", {})
        self.assertFalse(rc.get("CrlConfiguration", {}).get("Enabled", False))
        self.assertFalse(rc.get("OcspConfiguration", {}).get("Enabled", False))
        # Listed as well.
        listed = {c["Arn"]: c for c in self.list_cas()}
        self.assertIn(arn, listed)

    def test_csr_before_key_ready_then_waiter(self):
        arn = create_ca(self.srv, "csrpoll", "SUBORDINATE", "RSA_2048")
        # Poll by hand: only RequestInProgressException may precede the CSR.
        deadline = time.monotonic() + 120
        r = self.srv.boto3()
        while True:
            try:
                csr = r.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"]
                break
            except r.exceptions.RequestInProgressException:
                self.assertLess(time.monotonic(), deadline, "CSR never became ready")
                time.sleep(0.2)
        # The waiter succeeds too and the status is now PENDING_CERTIFICATE.
        self.aws("wait", "certificate-authority-csr-created", "--certificate-authority-arn", arn)
        self.assertEqual(self.status(arn), "PENDING_CERTIFICATE")
        parsed = load_csr(csr)
        self.assertTrue(parsed.is_signature_valid)
        self.assertIsInstance(parsed.public_key(), rsa.RSAPublicKey)
        self.assertEqual(parsed.public_key().key_size, 2048)
        self.assertEqual(parsed.signature_hash_algorithm.name, "sha256")
        self.assertEqual(parsed.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value,
                         "csrpoll CA")
        self.assertEqual(parsed.subject.get_attributes_for_oid(
            x509.NameOID.ORGANIZATION_NAME)[0].value, "Example Corp")
        # Same CSR every time.
        again = self.aws("get-certificate-authority-csr", "--certificate-authority-arn", arn)
        self.assertEqual(again["Csr"].strip(), csr.strip())

    def test_csr_matches_key_algorithms(self):
        cases = [("EC_prime256v1", "SHA256WITHECDSA", "secp256r1", "sha256"),
                 ("EC_secp384r1", "SHA384WITHECDSA", "secp384r1", "sha384"),
                 ("EC_prime256v1", "SHA512WITHECDSA", "secp256r1", "sha512")]
        for key_alg, sig_alg, curve, hash_name in cases:
            with self.subTest(key=key_alg, sig=sig_alg):
                arn = create_ca(self.srv, f"alg-{key_alg}-{sig_alg}", "ROOT", key_alg, sig_alg,
                                via="boto3")
                csr = load_csr(fetch_csr(self.srv, arn, f"alg-{key_alg}-{sig_alg}", via="boto3"))
                self.assertTrue(csr.is_signature_valid)
                self.assertIsInstance(csr.public_key(), ec.EllipticCurvePublicKey)
                self.assertEqual(csr.public_key().curve.name, curve)
                self.assertEqual(csr.signature_hash_algorithm.name, hash_name)

    def test_create_idempotency(self):
        self.srv.write("idem-config.json", json.dumps(ca_config("Idem CA", "EC_prime256v1")))
        args = ("create-certificate-authority", "--certificate-authority-configuration",
                "file://idem-config.json", "--certificate-authority-type", "ROOT",
                "--idempotency-token", "lifecycle-idem")
        a1 = self.aws(*args)["CertificateAuthorityArn"]
        a2 = self.aws(*args)["CertificateAuthorityArn"]
        self.assertEqual(a1, a2)
        names = [c for c in self.list_cas()
                 if c["CertificateAuthorityConfiguration"]["Subject"]["CommonName"] == "Idem CA"]
        self.assertEqual(len(names), 1)

    # -- PENDING_CERTIFICATE ------------------------------------------------------------------

    def test_pending_certificate_rules(self):
        s = self.srv
        arn = create_ca(s, "pending", "ROOT", via="boto3")
        fetch_csr(s, arn, "pending", via="boto3")
        self.assertEqual(self.status(arn), "PENDING_CERTIFICATE")
        self.assertApiError("InvalidStateException", "get_certificate_authority_certificate",
                            CertificateAuthorityArn=arn)
        self.issue_error("InvalidStateException", arn, "leaf.csr", "Value=1,Type=DAYS")
        for st in ("DISABLED", "ACTIVE"):
            self.assertApiError("InvalidStateException", "update_certificate_authority",
                                CertificateAuthorityArn=arn, Status=st)
        self.assertApiError("InvalidStateException", "restore_certificate_authority",
                            CertificateAuthorityArn=arn)
        # Tags work in any status.
        self.c.tag_certificate_authority(CertificateAuthorityArn=arn,
                                         Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(self.status(arn), "PENDING_CERTIFICATE")
        # Delete from PENDING_CERTIFICATE: DELETED, default window 30 days; restore -> PENDING.
        t0 = now_utc()
        s.aws("delete-certificate-authority", "--certificate-authority-arn", arn)
        d = self.describe(arn)
        self.assertEqual(d["Status"], "DELETED")
        self.assertCloseTime(parse_ts(d["RestorableUntil"]), t0 + datetime.timedelta(days=30),
                             tolerance=120, msg="default RestorableUntil")
        self.assertApiError("InvalidStateException", "delete_certificate_authority",
                            CertificateAuthorityArn=arn)
        self.assertApiError("InvalidStateException", "get_certificate_authority_csr",
                            CertificateAuthorityArn=arn)
        self.c.restore_certificate_authority(CertificateAuthorityArn=arn)
        d = self.describe(arn)
        self.assertEqual(d["Status"], "PENDING_CERTIFICATE")
        self.assertNotIn("RestorableUntil", d)
        # Still activatable after restore (a PENDING root self-signs its own CSR); tags kept.
        csr = self.c.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"]
        s.write("pending2.csr", csr)
        cert_arn = issue(s, arn, "pending2.csr", "SHA256WITHECDSA", "Value=1,Type=YEARS",
                         "RootCACertificate", via="boto3")
        pem, _ = fetch_cert(s, arn, cert_arn, via="boto3")
        s.write("pending2.pem", pem)
        import_ca_cert(s, arn, "pending2.pem", via="boto3")
        self.assertEqual(self.status(arn), "ACTIVE")
        self.assertEqual(self.tags(arn), {"k": "v"})

    # -- ACTIVE / DISABLED --------------------------------------------------------------------

    def test_active_disabled_rules(self):
        s = self.srv
        ca = build_root_ca(s, "ad-root", validity="Value=2,Type=YEARS", via="boto3")
        d = self.describe(ca.arn)
        self.assertEqual(d["Status"], "ACTIVE")
        for f in CERT_FIELDS:
            self.assertIn(f, d)
        self.assertNotIn("RestorableUntil", d)
        last_change = parse_ts(d["LastStateChangeAt"]) if "LastStateChangeAt" in d else None
        # Only ACTIVE <-> DISABLED.
        for st in ("PENDING_CERTIFICATE", "DELETED", "EXPIRED"):
            self.assertApiError(("InvalidArgsException", "InvalidStateException"),
                                "update_certificate_authority", CertificateAuthorityArn=ca.arn,
                                Status=st)
        self.assertEqual(self.status(ca.arn), "ACTIVE")
        self.assertApiError("InvalidStateException", "restore_certificate_authority",
                            CertificateAuthorityArn=ca.arn)
        self.assertApiError("InvalidStateException", "delete_certificate_authority",
                            CertificateAuthorityArn=ca.arn)
        time.sleep(1.1)
        self.c.update_certificate_authority(CertificateAuthorityArn=ca.arn, Status="DISABLED")
        d = self.describe(ca.arn)
        self.assertEqual(d["Status"], "DISABLED")
        if last_change is not None:
            self.assertGreater(parse_ts(d["LastStateChangeAt"]), last_change)
        # DISABLED: no issuance, no replacing the CA certificate, cert still readable.
        self.issue_error("InvalidStateException", ca, "leaf.csr", "Value=1,Type=DAYS")
        self.assertApiError("InvalidStateException", "import_certificate_authority_certificate",
                            CertificateAuthorityArn=ca.arn, Certificate=ca.cert_pem.encode())
        got = self.c.get_certificate_authority_certificate(CertificateAuthorityArn=ca.arn)
        self.assertEqual(load_cert(got["Certificate"]), ca.cert)
        self.c.get_certificate_authority_csr(CertificateAuthorityArn=ca.arn)
        # Back to ACTIVE: issuing works again.
        self.c.update_certificate_authority(CertificateAuthorityArn=ca.arn, Status="ACTIVE")
        arn = issue(s, ca, "leaf.csr", ca.sig_alg, "Value=1,Type=DAYS", via="boto3")
        fetch_cert(s, ca.arn, arn, via="boto3")

    def test_replace_certificate_of_active_ca(self):
        s = self.srv
        ca = build_root_ca(s, "renew-root", validity="Value=1,Type=YEARS", via="boto3")
        # Self-sign the same CSR again with a longer validity and import it: still ACTIVE,
        # same key, new serial and dates.
        arn = issue(s, ca, "renew-root.csr", ca.sig_alg, "Value=3,Type=YEARS",
                    "RootCACertificate", via="boto3")
        pem, _ = fetch_cert(s, ca.arn, arn, via="boto3")
        s.write("renew-root-2.pem", pem)
        s.aws("import-certificate-authority-certificate", "--certificate-authority-arn", ca.arn,
              "--certificate", "fileb://renew-root-2.pem")
        d = self.describe(ca.arn)
        new = load_cert(pem)
        self.assertEqual(d["Status"], "ACTIVE")
        self.assertEqual(int(d["Serial"].replace(":", ""), 16), new.serial_number)
        self.assertNotEqual(new.serial_number, ca.cert.serial_number)
        self.assertEqual(parse_ts(d["NotAfter"]),
                         new.not_valid_after.replace(tzinfo=datetime.timezone.utc))
        got = self.c.get_certificate_authority_certificate(CertificateAuthorityArn=ca.arn)
        self.assertEqual(load_cert(got["Certificate"]), new)
        # Leaves issued now go beyond the old NotAfter.
        arn = issue(s, ca, "leaf.csr", ca.sig_alg, "Value=2,Type=YEARS", via="boto3")
        leaf, _ = fetch_cert(s, ca.arn, arn, via="boto3")
        self.assertGreater(load_cert(leaf).not_valid_after, ca.cert.not_valid_after)

    # -- DELETED ------------------------------------------------------------------------------

    def test_deleted_rules(self):
        s = self.srv
        ca = build_root_ca(s, "del-root", validity="Value=2,Type=YEARS", via="boto3")
        self.c.update_certificate_authority(CertificateAuthorityArn=ca.arn, Status="DISABLED")
        t0 = now_utc()
        self.c.delete_certificate_authority(CertificateAuthorityArn=ca.arn,
                                            PermanentDeletionTimeInDays=12)
        d = self.describe(ca.arn)
        self.assertEqual(d["Status"], "DELETED")
        self.assertCloseTime(parse_ts(d["RestorableUntil"]), t0 + datetime.timedelta(days=12),
                             tolerance=120, msg="RestorableUntil")
        listed = {c["Arn"]: c for c in self.list_cas()}
        self.assertEqual(listed[ca.arn]["Status"], "DELETED")
        self.assertIn("RestorableUntil", listed[ca.arn])
        # Nothing but describe/list/restore (and reads of issued certs) on a DELETED CA.
        self.issue_error("InvalidStateException", ca, "leaf.csr", "Value=1,Type=DAYS")
        for st in ("ACTIVE", "DISABLED"):
            self.assertApiError("InvalidStateException", "update_certificate_authority",
                                CertificateAuthorityArn=ca.arn, Status=st)
        self.assertApiError("InvalidStateException", "import_certificate_authority_certificate",
                            CertificateAuthorityArn=ca.arn, Certificate=ca.cert_pem.encode())
        self.c.restore_certificate_authority(CertificateAuthorityArn=ca.arn)
        d = self.describe(ca.arn)
        self.assertEqual(d["Status"], "DISABLED")
        self.assertNotIn("RestorableUntil", d)
        for f in CERT_FIELDS:
            self.assertIn(f, d)
        self.assertApiError("InvalidStateException", "restore_certificate_authority",
                            CertificateAuthorityArn=ca.arn)

    def test_delete_while_creating_is_not_restorable(self):
        # Only meaningful if the server is still generating the key when delete arrives:
        # then the CA is gone at once (not DELETED/restorable).
        s = self.srv
        arn = create_ca(s, "quick-delete", "ROOT", "RSA_4096", via="boto3")
        self.c.delete_certificate_authority(CertificateAuthorityArn=arn)
        try:
            d = self.describe(arn)
        except self.c.exceptions.ResourceNotFoundException:
            return   # was CREATING: gone at once, which is the documented outcome
        self.assertEqual(d["Status"], "DELETED")   # was PENDING_CERTIFICATE already
        self.assertIn("RestorableUntil", d)

    # -- EXPIRED ------------------------------------------------------------------------------

    def test_expired_ca(self):
        s = self.srv
        arn = create_ca(s, "short-root", "ROOT", via="boto3")
        fetch_csr(s, arn, "short-root", via="boto3")
        # Root CA certificates are not validity-checked: NotAfter a few seconds out.
        not_after = int(time.time()) + 25
        cert_arn = issue(s, arn, "short-root.csr", "SHA256WITHECDSA",
                         f"Value={not_after},Type=ABSOLUTE", "RootCACertificate", via="boto3")
        pem, _ = fetch_cert(s, arn, cert_arn, via="boto3")
        s.write("short-root.pem", pem)
        import_ca_cert(s, arn, "short-root.pem", via="boto3")
        self.assertEqual(self.status(arn), "ACTIVE")
        self.c.tag_certificate_authority(CertificateAuthorityArn=arn,
                                         Tags=[{"Key": "k", "Value": "v"}])
        time.sleep(max(0.0, not_after - time.time()) + 2)
        d = self.describe(arn)
        self.assertEqual(d["Status"], "EXPIRED")
        self.assertIn("EXPIRED", [c["Status"] for c in self.list_cas() if c["Arn"] == arn])
        self.issue_error("InvalidStateException", arn, "leaf.csr", "Value=1,Type=DAYS")
        for st in ("ACTIVE", "DISABLED"):
            self.assertApiError("InvalidStateException", "update_certificate_authority",
                                CertificateAuthorityArn=arn, Status=st)
        got = self.c.get_certificate_authority_certificate(CertificateAuthorityArn=arn)
        self.assertEqual(load_cert(got["Certificate"]), load_cert(pem))
        # An EXPIRED CA can be deleted (restorable) and restored to EXPIRED.
        self.c.delete_certificate_authority(CertificateAuthorityArn=arn,
                                            PermanentDeletionTimeInDays=7)
        self.assertEqual(self.status(arn), "DELETED")
        self.c.restore_certificate_authority(CertificateAuthorityArn=arn)
        self.assertEqual(self.status(arn), "EXPIRED")

    def test_statuses_in_list_are_modeled(self):
        for ca in self.list_cas():
            self.assertIn(ca["Status"], STATUSES)
            self.assertIn(ca["Type"], ("ROOT", "SUBORDINATE"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
