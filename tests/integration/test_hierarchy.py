"""The AWS Private CA walkthrough typed with the AWS CLI: root -> subordinate -> third level ->
end-entity certificates, checked with openssl; plus path length, validity cap, listing,
tags, disable/enable, delete/restore and idempotency (spec acm-pca.md §3, templates.md §4-5)."""

import datetime
import json
import re
import subprocess
import unittest
import uuid

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from harness import (AWS, CaInfo, ServerTestCase, build_root_ca, build_sub_ca, create_ca,
                     fetch_cert,
                     issue, issue_leaf, load_cert, make_csr, now_utc, parse_ts,
                     split_pem, verify_chain, x509_ext, x509_text)

ROOT_TEMPLATE = "arn:aws:acm-pca:::template/RootCACertificate/V1"
# templates.md §4 says the validity cap is enforced but names no error code.
VALIDITY_CAP_ERRORS = ("InvalidArgsException", "ValidationException")


class HierarchyTest(ServerTestCase):
    server_name = "hierarchy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls._walkthrough_root()
            # Subordinate (RSA_2048) signed by the root with SubordinateCACertificate_PathLen1/V1.
            cls.sub = build_sub_ca(s, cls.root, "sub", pathlen=1, key_alg="RSA_2048",
                                   validity="Value=5,Type=YEARS")
            # Third level (EC) with PathLen0 under it.
            cls.issuing = build_sub_ca(s, cls.sub, "issuing", pathlen=0,
                                       key_alg="EC_prime256v1", validity="Value=3,Type=YEARS",
                                       via="boto3")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    @classmethod
    def _walkthrough_root(cls):
        """Step by step exactly as the AWS user guide has it."""
        s = cls.server
        s.write("ca_config.txt", json.dumps({
            "KeyAlgorithm": "EC_prime256v1",
            "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"Country": "US", "Organization": "Example Corp",
                        "OrganizationalUnit": "Sales", "State": "WA", "Locality": "Seattle",
                        "CommonName": "Example Root CA"}}))
        out = s.aws("create-certificate-authority",
                    "--certificate-authority-configuration", "file://ca_config.txt",
                    "--certificate-authority-type", "ROOT")
        arn = out["CertificateAuthorityArn"]
        cls.created_status = s.aws("describe-certificate-authority",
                                   "--certificate-authority-arn", arn)[
            "CertificateAuthority"]["Status"]
        s.aws("wait", "certificate-authority-csr-created", "--certificate-authority-arn", arn)
        csr = s.aws("get-certificate-authority-csr", "--certificate-authority-arn", arn)["Csr"]
        s.write("root.csr", csr)
        cert_arn = s.aws("issue-certificate", "--certificate-authority-arn", arn,
                         "--csr", "fileb://root.csr", "--signing-algorithm", "SHA256WITHECDSA",
                         "--template-arn", ROOT_TEMPLATE,
                         "--validity", "Value=10,Type=YEARS")["CertificateArn"]
        s.aws("wait", "certificate-issued", "--certificate-authority-arn", arn,
              "--certificate-arn", cert_arn)
        got = s.aws("get-certificate", "--certificate-authority-arn", arn,
                    "--certificate-arn", cert_arn)
        s.write("root.pem", got["Certificate"])
        cls.root_get_certificate = got
        cls.import_out = s.aws("import-certificate-authority-certificate",
                               "--certificate-authority-arn", arn,
                               "--certificate", "fileb://root.pem")
        cls.root = CaInfo(arn=arn, name="root", key_alg="EC_prime256v1",
                          sig_alg="SHA256WITHECDSA", cert_pem=got["Certificate"], chain_pem=None,
                          cert_path=s.path("root.pem"),
                          bundle_path=s.path("root.pem"),
                          root_path=s.path("root.pem"), csr_pem=csr,
                          extra={"cert_arn": cert_arn})

    # -- root ---------------------------------------------------------------------------------

    def test_01_create_returns_creating_or_pending(self):
        self.assertIn(self.created_status, ("CREATING", "PENDING_CERTIFICATE"))

    def test_02_root_describe_active_with_cert_fields(self):
        ca = self.aws("describe-certificate-authority",
                      "--certificate-authority-arn", self.root.arn)["CertificateAuthority"]
        self.assertEqual(ca["Status"], "ACTIVE")
        self.assertEqual(ca["Type"], "ROOT")
        self.assertEqual(ca["Arn"], self.root.arn)
        cert = self.root.cert
        self.assertEqual(int(ca["Serial"].replace(":", ""), 16), cert.serial_number)
        self.assertEqual(parse_ts(ca["NotBefore"]),
                         cert.not_valid_before.replace(tzinfo=datetime.timezone.utc))
        self.assertEqual(parse_ts(ca["NotAfter"]),
                         cert.not_valid_after.replace(tzinfo=datetime.timezone.utc))
        self.assertNotIn("RestorableUntil", ca)
        cfg = ca["CertificateAuthorityConfiguration"]
        self.assertEqual(cfg["KeyAlgorithm"], "EC_prime256v1")
        self.assertEqual(cfg["SigningAlgorithm"], "SHA256WITHECDSA")
        self.assertEqual(cfg["Subject"]["CommonName"], "Example Root CA")
        self.assertEqual(cfg["Subject"]["Locality"], "Seattle")

    def test_03_import_returns_no_output(self):
        self.assertEqual(self.import_out, {})

    def test_04_root_certificate_content(self):
        cert = self.root.cert
        self.assertEqual(cert.subject, cert.issuer)
        self.assertIsInstance(cert.public_key(), ec.EllipticCurvePublicKey)
        self.assertEqual(cert.public_key().curve.name, "secp256r1")
        csr = x509.load_pem_x509_csr(self.root.csr_pem.encode())
        self.assertEqual(cert.subject, csr.subject)
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        self.assertTrue(bc.critical)
        self.assertTrue(bc.value.ca)
        self.assertIsNone(bc.value.path_length)
        # The root's own get-certificate has no chain (it is self-signed).
        self.assertNotIn("CertificateChain", self.root_get_certificate)
        self.assertIn("Signature Algorithm: ecdsa-with-SHA256", x509_text(self.root.cert_path))
        ok, out = verify_chain(self.root.cert_path, self.root.cert_path)
        self.assertTrue(ok, out)

    def test_05_get_ca_certificate_root_has_no_chain(self):
        out = self.aws("get-certificate-authority-certificate",
                       "--certificate-authority-arn", self.root.arn)
        self.assertEqual(load_cert(out["Certificate"]), self.root.cert)
        self.assertNotIn("CertificateChain", out)

    def test_06_ca_csr_unchanged_after_activation(self):
        out = self.aws("get-certificate-authority-csr",
                       "--certificate-authority-arn", self.root.arn)
        self.assertEqual(out["Csr"].strip(), self.root.csr_pem.strip())

    # -- subordinates -------------------------------------------------------------------------

    def test_10_sub_active_and_chain(self):
        ca = self.describe(self.sub.arn)
        self.assertEqual(ca["Status"], "ACTIVE")
        self.assertEqual(ca["Type"], "SUBORDINATE")
        self.assertEqual(int(ca["Serial"].replace(":", ""), 16), self.sub.cert.serial_number)
        cert = self.sub.cert
        self.assertIsInstance(cert.public_key(), rsa.RSAPublicKey)
        self.assertEqual(cert.public_key().key_size, 2048)
        self.assertEqual(cert.issuer, self.root.cert.subject)
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        self.assertTrue(bc.critical and bc.value.ca)
        self.assertEqual(bc.value.path_length, 1)
        # get-certificate on the root for the sub's certificate: chain = the root.
        chain = split_pem(self.sub.extra["issued_chain"])
        self.assertEqual([load_cert(c) for c in chain], [self.root.cert])
        out = self.aws("get-certificate-authority-certificate",
                       "--certificate-authority-arn", self.sub.arn)
        self.assertEqual(load_cert(out["Certificate"]), cert)
        self.assertEqual([load_cert(c) for c in split_pem(out["CertificateChain"])],
                         [self.root.cert])
        ok, out = verify_chain(self.root.cert_path, self.sub.cert_path)
        self.assertTrue(ok, out)

    def test_11_third_level_active_and_chain(self):
        self.assertEqual(self.status(self.issuing.arn), "ACTIVE")
        cert = self.issuing.cert
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        self.assertTrue(bc.critical and bc.value.ca)
        self.assertEqual(bc.value.path_length, 0)
        self.assertIn("sha256WithRSAEncryption", x509_text(self.issuing.cert_path))
        out = self.aws("get-certificate-authority-certificate",
                       "--certificate-authority-arn", self.issuing.arn)
        self.assertEqual([load_cert(c) for c in split_pem(out["CertificateChain"])],
                         [self.sub.cert, self.root.cert])
        issued_chain = [load_cert(c) for c in split_pem(self.issuing.extra["issued_chain"])]
        self.assertEqual(issued_chain, [self.sub.cert, self.root.cert])

    # -- end entities -------------------------------------------------------------------------

    def _check_leaf(self, leaf, name, key_type):
        cert = leaf.cert
        self.assertIsInstance(cert.public_key(), key_type)
        self.assertEqual(cert.issuer, self.issuing.cert.subject)
        # CertificateChain from the issuer up to the root.
        self.assertEqual([load_cert(c) for c in split_pem(leaf.chain_pem)],
                         [self.issuing.cert, self.sub.cert, self.root.cert])
        chain_path = self.srv.write(f"{name}-chain.pem", leaf.chain_pem)
        # chain.pem includes the root; openssl treats it as untrusted, the root file is trusted.
        self.assertVerifies(self.root.cert_path, leaf.cert_path, chain_path)
        self.assertVerifies(self.root.cert_path, leaf.cert_path, self.issuing.untrusted_path)
        # Without the intermediates the chain cannot be built.
        ok, _ = verify_chain(self.root.cert_path, leaf.cert_path)
        self.assertFalse(ok)
        # A different (self-signed) trust anchor does not verify it.
        ok, _ = verify_chain(self.issuing.cert_path, leaf.cert_path)
        self.assertFalse(ok, "verify must need the real root")
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        self.assertEqual(san.get_values_for_type(x509.DNSName), [f"{name}.example.com"])
        ext = x509_ext(leaf.cert_path, "basicConstraints,keyUsage,extendedKeyUsage")
        self.assertIn("CA:FALSE", ext)
        self.assertIn("TLS Web Server Authentication", ext)
        self.assertIn("TLS Web Client Authentication", ext)

    def test_20_leaf_ec_verifies(self):
        leaf = issue_leaf(self.srv, self.issuing, "leaf-ec", kind="ec")
        self._check_leaf(leaf, "leaf-ec", ec.EllipticCurvePublicKey)
        self.assertIn("ecdsa-with-SHA256", x509_text(leaf.cert_path))

    def test_21_leaf_rsa_verifies(self):
        leaf = issue_leaf(self.srv, self.issuing, "leaf-rsa", kind="rsa")
        self._check_leaf(leaf, "leaf-rsa", rsa.RSAPublicKey)

    def test_22_leaf_from_sub_verifies(self):
        leaf = issue_leaf(self.srv, self.sub, "leaf-sub", kind="ec", via="boto3")
        self.assertEqual([load_cert(c) for c in split_pem(leaf.chain_pem)],
                         [self.sub.cert, self.root.cert])
        self.assertVerifies(self.root.cert_path, leaf.cert_path, self.sub.untrusted_path)
        self.assertIn("sha256WithRSAEncryption", x509_text(leaf.cert_path))

    def test_23_leaf_chain_strict_rfc5280(self):
        leaf = issue_leaf(self.srv, self.issuing, "leaf-strict", kind="ec", via="boto3")
        self.assertVerifies(self.root.cert_path, leaf.cert_path, self.issuing.untrusted_path,
                            extra=["-x509_strict"])

    # -- path length and depth (templates.md §5) ---------------------------------------------

    def test_30_pathlen0_ca_cannot_issue_ca_certificate(self):
        before = self.describe(self.issuing.arn)
        make_csr(self.srv.work, "would-be-sub")
        issue(self.srv, self.issuing, "would-be-sub.csr", self.issuing.sig_alg,
              "Value=1,Type=YEARS", "SubordinateCACertificate_PathLen0",
              expect_error="ValidationException")
        for tmpl in ("SubordinateCACertificate_PathLen1", "SubordinateCACertificate_PathLen0_"
                     "CSRPassthrough", "BlankSubordinateCACertificate_PathLen0_APIPassthrough"):
            self.issue_error("ValidationException", self.issuing, "would-be-sub.csr",
                             "Value=1,Type=YEARS", tmpl)
        self.assertEqual(self.describe(self.issuing.arn), before)

    def test_31_pathlen1_ca_cannot_issue_pathlen1(self):
        before = self.describe(self.sub.arn)
        make_csr(self.srv.work, "would-be-sub2")
        for tmpl in ("SubordinateCACertificate_PathLen1", "SubordinateCACertificate_PathLen2",
                     "SubordinateCACertificate_PathLen3"):
            self.issue_error("ValidationException", self.sub, "would-be-sub2.csr",
                             "Value=1,Type=YEARS", tmpl)
        self.assertEqual(self.describe(self.sub.arn), before)
        # ...but pathlen 0 is fine.
        arn = issue(self.srv, self.sub, "would-be-sub2.csr", self.sub.sig_alg,
                    "Value=1,Type=YEARS", "SubordinateCACertificate_PathLen0", via="boto3")
        cert, _ = fetch_cert(self.srv, self.sub.arn, arn, via="boto3")
        bc = load_cert(cert).extensions.get_extension_for_class(x509.BasicConstraints).value
        self.assertEqual(bc.path_length, 0)

    def test_32_five_levels_then_no_deeper(self):
        s = self.srv
        chain = [self.root]
        for depth, pathlen in enumerate((3, 2, 1, 0), start=2):
            ca = build_sub_ca(s, chain[-1], f"depth{depth}", pathlen=pathlen,
                              validity=f"Value={10 - depth},Type=YEARS", via="boto3")
            chain.append(ca)
        deepest = chain[-1]
        self.assertEqual(len(chain), 5)
        self.assertEqual(self.status(deepest.arn), "ACTIVE")
        leaf = issue_leaf(s, deepest, "depth-leaf", via="boto3")
        self.assertVerifies(self.root.cert_path, leaf.cert_path, deepest.untrusted_path)
        self.assertEqual(len(split_pem(leaf.chain_pem)), 5)
        # A sixth level cannot be issued.
        make_csr(s.work, "depth6")
        before = self.describe(deepest.arn)
        for tmpl in ("SubordinateCACertificate_PathLen0",
                     "BlankSubordinateCACertificate_PathLen0_APIPassthrough"):
            self.issue_error("ValidationException", deepest, "depth6.csr",
                             "Value=1,Type=YEARS", tmpl)
        self.assertEqual(self.describe(deepest.arn), before)

    # -- validity cap (templates.md §4) -------------------------------------------------------

    def test_40_end_entity_not_after_capped_by_issuer(self):
        s = self.srv
        ca_not_after = self.issuing.cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
        make_csr(s.work, "too-long")
        issue(s, self.issuing, "too-long.csr", self.issuing.sig_alg, "Value=4,Type=YEARS",
              expect_error=VALIDITY_CAP_ERRORS)
        later = int(ca_not_after.timestamp()) + 1
        self.issue_error(VALIDITY_CAP_ERRORS, self.issuing, "too-long.csr",
                         f"Value={later},Type=ABSOLUTE")
        self.issue_error(VALIDITY_CAP_ERRORS, self.issuing, "too-long.csr",
                         "Value=1200,Type=DAYS")
        # Exactly the CA's NotAfter is allowed for an end entity.
        exact = int(ca_not_after.timestamp())
        arn = issue(s, self.issuing, "too-long.csr", self.issuing.sig_alg,
                    f"Value={exact},Type=ABSOLUTE", via="boto3")
        cert, _ = fetch_cert(s, self.issuing.arn, arn, via="boto3")
        self.assertEqual(load_cert(cert).not_valid_after.replace(tzinfo=datetime.timezone.utc),
                         ca_not_after)

    def test_41_ca_certificate_must_be_strictly_shorter_than_parent(self):
        s = self.srv
        sub_not_after = int(self.sub.cert.not_valid_after.replace(
            tzinfo=datetime.timezone.utc).timestamp())
        make_csr(s.work, "ca-equal")
        issue(s, self.sub, "ca-equal.csr", self.sub.sig_alg, f"Value={sub_not_after},Type=ABSOLUTE",
              "SubordinateCACertificate_PathLen0", expect_error=VALIDITY_CAP_ERRORS)
        arn = issue(s, self.sub, "ca-equal.csr", self.sub.sig_alg,
                    f"Value={sub_not_after - 3600},Type=ABSOLUTE",
                    "SubordinateCACertificate_PathLen0", via="boto3")
        fetch_cert(s, self.sub.arn, arn, via="boto3")

    # -- list / pagination --------------------------------------------------------------------

    def test_50_list_and_paginate(self):
        full = self.list_cas()
        arns = [c["Arn"] for c in full]
        for ca in (self.root, self.sub, self.issuing):
            self.assertIn(ca.arn, arns)
        self.assertEqual(len(arns), len(set(arns)))
        by_arn = {c["Arn"]: c for c in full}
        self.assertEqual(by_arn[self.root.arn]["Status"], "ACTIVE")
        self.assertEqual(by_arn[self.sub.arn]["Type"], "SUBORDINATE")
        # CLI-side pagination (--max-items / --starting-token) over server pages of 1.
        page1 = self.aws("list-certificate-authorities", "--max-items", "2", "--page-size", "1")
        self.assertEqual(len(page1["CertificateAuthorities"]), 2)
        self.assertIn("NextToken", page1)
        seen = [c["Arn"] for c in page1["CertificateAuthorities"]]
        token = page1["NextToken"]
        while token:
            page = self.aws("list-certificate-authorities", "--max-items", "2",
                            "--page-size", "1", "--starting-token", token)
            seen += [c["Arn"] for c in page["CertificateAuthorities"]]
            token = page.get("NextToken")
        self.assertEqual(sorted(seen), sorted(arns))
        self.assertEqual(len(seen), len(set(seen)))
        # Server-side pagination: --max-results with --no-paginate shows the raw NextToken.
        raw = self.aws("list-certificate-authorities", "--max-results", "1", "--no-paginate")
        self.assertEqual(len(raw["CertificateAuthorities"]), 1)
        self.assertIn("NextToken", raw)
        last = self.aws("list-certificate-authorities", "--max-results", "1000", "--no-paginate")
        self.assertNotIn("NextToken", last)
        self.assertEqual(sorted(c["Arn"] for c in last["CertificateAuthorities"]), sorted(arns))

    # -- PEM text byte for byte ---------------------------------------------------------------

    def test_55_pem_text_byte_for_byte(self):
        """Certificate is one PEM block ending in a single newline; CertificateChain is PEM
        blocks joined with nothing between them (no blank line), the last one also ending in a
        newline; `--output text` prints Certificate, a tab, CertificateChain and a newline (the
        form AWS's CLI output shows: aws/aws-cli#3465)."""
        block = (r"-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n"
                 r"-----END CERTIFICATE-----\n")
        one = re.compile(block)
        many = re.compile(f"(?:{block})+")
        leaf = issue_leaf(self.srv, self.issuing, "pem-bytes", via="boto3")
        got = self.c.get_certificate(CertificateAuthorityArn=self.issuing.arn,
                                     CertificateArn=leaf.arn)
        self.assertTrue(one.fullmatch(got["Certificate"]), repr(got["Certificate"][-40:]))
        self.assertTrue(many.fullmatch(got["CertificateChain"]))
        self.assertEqual(got["CertificateChain"].count("-----BEGIN CERTIFICATE-----"), 3)
        self.assertNotIn("\n\n", got["CertificateChain"])
        self.assertEqual(got["CertificateChain"],
                         self.issuing.cert_pem + self.sub.cert_pem + self.root.cert_pem)

        ca = self.c.get_certificate_authority_certificate(CertificateAuthorityArn=self.sub.arn)
        self.assertTrue(one.fullmatch(ca["Certificate"]))
        self.assertEqual(ca["CertificateChain"], self.root.cert_pem)
        root = self.c.get_certificate_authority_certificate(CertificateAuthorityArn=self.root.arn)
        self.assertTrue(one.fullmatch(root["Certificate"]))
        self.assertNotIn("CertificateChain", root)

        r = subprocess.run([AWS, "acm-pca", "get-certificate", "--certificate-authority-arn",
                            self.issuing.arn, "--certificate-arn", leaf.arn, "--output", "text",
                            "--endpoint-url", self.srv.endpoint],
                           env=self.srv.cli_env(), capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, got["Certificate"] + "\t" + got["CertificateChain"] + "\n")

    # -- tags ---------------------------------------------------------------------------------

    def test_60_tag_untag_list(self):
        arn = self.sub.arn
        self.aws("tag-certificate-authority", "--certificate-authority-arn", arn,
                 "--tags", "Key=Admin,Value=Alice", "Key=Env,Value=test", "Key=Solo")
        tags = self.aws("list-tags", "--certificate-authority-arn", arn)["Tags"]
        got = {t["Key"]: t.get("Value") for t in tags}
        self.assertEqual(len(tags), 3)
        self.assertEqual(got.get("Admin"), "Alice")
        self.assertEqual(got.get("Env"), "test")
        self.assertIn("Solo", got)
        self.assertIn(got["Solo"], (None, ""))
        # Re-tagging a key replaces its value.
        self.aws("tag-certificate-authority", "--certificate-authority-arn", arn,
                 "--tags", "Key=Env,Value=prod")
        got = self.tags(arn)
        self.assertEqual(got["Env"], "prod")
        # Untag by key+wrong value keeps it; key only removes whatever the value.
        self.aws("untag-certificate-authority", "--certificate-authority-arn", arn,
                 "--tags", "Key=Admin,Value=Bob")
        got = self.tags(arn)
        self.assertEqual(got.get("Admin"), "Alice")
        self.aws("untag-certificate-authority", "--certificate-authority-arn", arn,
                 "--tags", "Key=Admin", "Key=Env,Value=prod")
        got = self.tags(arn)
        self.assertNotIn("Admin", got)
        self.assertNotIn("Env", got)
        self.assertIn("Solo", got)
        # list-tags pagination with the CLI.
        self.aws("tag-certificate-authority", "--certificate-authority-arn", arn,
                 "--tags", *[f"Key=k{i},Value=v{i}" for i in range(5)])
        page = self.aws("list-tags", "--certificate-authority-arn", arn, "--max-items", "2")
        self.assertEqual(len(page["Tags"]), 2)
        self.assertIn("NextToken", page)
        allt = self.aws("list-tags", "--certificate-authority-arn", arn, "--page-size", "2")
        self.assertEqual(len(allt["Tags"]), 6)

    def test_61_tags_on_create(self):
        arn = create_ca(self.srv, "tagged", extra_args=["--tags", "Key=Team,Value=pki"])
        self.assertEqual(self.tags(arn), {"Team": "pki"})

    # -- disable / enable / delete / restore --------------------------------------------------

    def test_70_disable_enable_delete_restore(self):
        s = self.srv
        ca = build_root_ca(s, "lifecycle-root", validity="Value=2,Type=YEARS", via="boto3")
        make_csr(s.work, "lc-leaf")
        run = s.aws
        # ACTIVE cannot be deleted.
        run("delete-certificate-authority", "--certificate-authority-arn", ca.arn,
            expect_error="InvalidStateException")
        self.assertEqual(self.status(ca.arn), "ACTIVE")
        # Disable: issuing fails.
        run("update-certificate-authority", "--certificate-authority-arn", ca.arn,
            "--status", "DISABLED")
        self.assertEqual(self.status(ca.arn), "DISABLED")
        issue(s, ca, "lc-leaf.csr", ca.sig_alg, "Value=10,Type=DAYS",
              expect_error="InvalidStateException")
        # Enable again: issuing works.
        run("update-certificate-authority", "--certificate-authority-arn", ca.arn,
            "--status", "ACTIVE")
        self.assertEqual(self.status(ca.arn), "ACTIVE")
        early_arn = issue(s, ca, "lc-leaf.csr", ca.sig_alg, "Value=10,Type=DAYS", via="boto3")
        early, _ = fetch_cert(s, ca.arn, early_arn, via="boto3")
        # Disable + delete -> DELETED with RestorableUntil.
        self.c.update_certificate_authority(CertificateAuthorityArn=ca.arn, Status="DISABLED")
        t0 = now_utc()
        run("delete-certificate-authority", "--certificate-authority-arn", ca.arn,
            "--permanent-deletion-time-in-days", "7")
        d = run("describe-certificate-authority",
                "--certificate-authority-arn", ca.arn)["CertificateAuthority"]
        self.assertEqual(d["Status"], "DELETED")
        self.assertIn("RestorableUntil", d)
        self.assertCloseTime(parse_ts(d["RestorableUntil"]), t0 + datetime.timedelta(days=7),
                             tolerance=120, msg="RestorableUntil")
        self.assertIn(ca.arn, [c["Arn"] for c in self.list_cas()])
        self.issue_error("InvalidStateException", ca, "lc-leaf.csr", "Value=10,Type=DAYS")
        # Restore -> DISABLED (never straight to ACTIVE), RestorableUntil gone.
        run("restore-certificate-authority", "--certificate-authority-arn", ca.arn)
        d = self.describe(ca.arn)
        self.assertEqual(d["Status"], "DISABLED")
        self.assertNotIn("RestorableUntil", d)
        self.c.update_certificate_authority(CertificateAuthorityArn=ca.arn, Status="ACTIVE")
        cert_arn = issue(s, ca, "lc-leaf.csr", ca.sig_alg, "Value=10,Type=DAYS", via="boto3")
        fetch_cert(s, ca.arn, cert_arn, via="boto3")
        # A certificate issued before disable/delete/restore is still retrievable.
        got = self.c.get_certificate(CertificateAuthorityArn=ca.arn, CertificateArn=early_arn)
        self.assertEqual(load_cert(got["Certificate"]), load_cert(early))

    # -- idempotency --------------------------------------------------------------------------

    def test_80_issue_idempotency_token(self):
        s = self.srv
        make_csr(s.work, "idem")
        token = uuid.uuid4().hex[:16]
        a1 = issue(s, self.issuing, "idem.csr", self.issuing.sig_alg, "Value=5,Type=DAYS",
                   extra_args=["--idempotency-token", token])
        a2 = issue(s, self.issuing, "idem.csr", self.issuing.sig_alg, "Value=5,Type=DAYS",
                   extra_args=["--idempotency-token", token])
        self.assertEqual(a1, a2)
        a3 = self.c.issue_certificate(
            CertificateAuthorityArn=self.issuing.arn, Csr=s.path("idem.csr").read_bytes(),
            SigningAlgorithm=self.issuing.sig_alg, Validity={"Value": 5, "Type": "DAYS"},
            IdempotencyToken=token + "x")["CertificateArn"]
        self.assertNotEqual(a1, a3)
        a4 = issue(s, self.issuing, "idem.csr", self.issuing.sig_alg, "Value=5,Type=DAYS",
                   via="boto3")
        self.assertNotIn(a4, (a1, a3))
        c1, _ = fetch_cert(s, self.issuing.arn, a1, via="boto3")
        c3, _ = fetch_cert(s, self.issuing.arn, a3, via="boto3")
        self.assertNotEqual(load_cert(c1).serial_number, load_cert(c3).serial_number)

    def test_81_certificate_arn_format(self):
        leaf = issue_leaf(self.srv, self.issuing, "arnfmt", via="boto3")
        prefix = self.issuing.arn + "/certificate/"
        self.assertTrue(leaf.arn.startswith(prefix), leaf.arn)
        hexpart = leaf.arn[len(prefix):]
        self.assertRegex(hexpart, r"^[0-9a-f]+$")
        self.assertEqual(int(hexpart, 16), leaf.cert.serial_number)

    def test_82_create_idempotency_token(self):
        # The user guide's create command carries --idempotency-token 01234567: the same token
        # and input within 5 minutes give the same CA, not a second one.
        s = self.srv
        s.write("idem_config.txt", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"Country": "US", "Organization": "Example Corp",
                        "CommonName": "Idempotent Root CA"}}))
        args = ("create-certificate-authority",
                "--certificate-authority-configuration", "file://idem_config.txt",
                "--certificate-authority-type", "ROOT", "--idempotency-token", "01234567")
        first = s.aws(*args)["CertificateAuthorityArn"]
        again = s.aws(*args)["CertificateAuthorityArn"]
        self.assertEqual(again, first)
        same = [c for c in self.list_cas()
                if c["CertificateAuthorityConfiguration"]["Subject"]["CommonName"]
                == "Idempotent Root CA"]
        self.assertEqual(len(same), 1, "idempotent create made a second CA")


if __name__ == "__main__":
    unittest.main(verbosity=2)
