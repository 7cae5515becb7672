"""A subordinate CA under an external root kept outside the service (openssl), per the
ImportCertificateAuthorityCertificate rules (acm-pca.md §3 per-operation notes; templates.md §5
"Subordinate under an external root")."""

import unittest

from cryptography import x509

from harness import (ServerTestCase, create_ca, fetch_csr, issue_leaf, load_cert,
                     make_csr, self_signed_ca, sign_csr, split_pem, verify_chain, x509_ext,
                     CaInfo)

# Import rejections whose exact code the spec leaves open (modeled import errors).
IMPORT_REJECT = {"CertificateMismatchException", "InvalidRequestException",
                 "MalformedCertificateException"}

SUB_EXT = ["basicConstraints=critical,CA:TRUE,pathlen:0",
           "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
           "subjectKeyIdentifier=hash",
           "authorityKeyIdentifier=keyid:always"]


class HybridTest(ServerTestCase):
    server_name = "hybrid"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls.root_key, cls.root_pem = self_signed_ca(s.work, "ext-root",
                                                        subject="/O=Example/CN=External Root")
            cls.other_key, cls.other_pem = self_signed_ca(s.work, "other-root",
                                                          subject="/O=Example/CN=Other Root")
            # A subordinate left PENDING for the negative cases (rejections change nothing).
            cls.neg = create_ca(s, "neg-sub", "SUBORDINATE", via="boto3")
            fetch_csr(s, cls.neg, "neg-sub", via="boto3")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    def sign(self, csr_name, out, ext=SUB_EXT, ca_pem=None, ca_key=None, days=365):
        return sign_csr(self.srv.work, self.srv.path(csr_name), ca_pem or self.root_pem,
                        ca_key or self.root_key, out, ext, days)

    def import_(self, arn, cert_name, chain_name=None, expect_error=None, via="cli"):
        if via == "boto3":
            params = dict(CertificateAuthorityArn=arn,
                          Certificate=self.srv.path(cert_name).read_bytes())
            if chain_name:
                params["CertificateChain"] = self.srv.path(chain_name).read_bytes()
            return self.assertApiError(expect_error, "import_certificate_authority_certificate",
                                       **params)
        args = ["import-certificate-authority-certificate", "--certificate-authority-arn", arn,
                "--certificate", f"fileb://{cert_name}"]
        if chain_name:
            args += ["--certificate-chain", f"fileb://{chain_name}"]
        return self.aws(*args, expect_error=expect_error)

    def assertRejected(self, cert_name, chain_name, codes=IMPORT_REJECT, via="boto3"):
        before = self.describe(self.neg)
        self.import_(self.neg, cert_name, chain_name, expect_error=codes, via=via)
        after = self.describe(self.neg)
        self.assertEqual(after, before)
        self.assertEqual(after["Status"], "PENDING_CERTIFICATE")
        self.assertNotIn("Serial", after)

    # -- success ------------------------------------------------------------------------------

    def test_1_external_root_signs_subordinate(self):
        s = self.srv
        arn = create_ca(s, "hyb-sub", "SUBORDINATE", cn="Hybrid Sub")
        fetch_csr(s, arn, "hyb-sub")
        cert = self.sign("hyb-sub.csr", "hyb-sub")
        self.assertIn("critical", x509_ext(cert, "basicConstraints"))
        self.import_(arn, cert.name, self.root_pem.name)
        d = self.describe(arn)
        self.assertEqual(d["Status"], "ACTIVE")
        sub_cert = load_cert(cert.read_bytes())
        self.assertEqual(int(d["Serial"].replace(":", ""), 16), sub_cert.serial_number)
        got = self.aws("get-certificate-authority-certificate", "--certificate-authority-arn", arn)
        self.assertEqual(load_cert(got["Certificate"]), sub_cert)
        self.assertEqual([load_cert(c) for c in split_pem(got["CertificateChain"])],
                         [load_cert(self.root_pem.read_bytes())])
        ca = CaInfo(arn=arn, name="hyb-sub", key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                    cert_pem=cert.read_text(), chain_pem=self.root_pem.read_text(),
                    cert_path=cert, bundle_path=s.write("hyb-sub-bundle.pem",
                                                        cert.read_text() +
                                                        self.root_pem.read_text()),
                    root_path=self.root_pem)
        for kind in ("ec", "rsa"):
            leaf = issue_leaf(s, ca, f"hyb-leaf-{kind}", kind=kind,
                              via="cli" if kind == "ec" else "boto3")
            self.assertEqual([load_cert(c) for c in split_pem(leaf.chain_pem)],
                             [sub_cert, load_cert(self.root_pem.read_bytes())])
            ok, out = verify_chain(self.root_pem, leaf.cert_path, cert)
            self.assertTrue(ok, out)
            ok, out = verify_chain(self.other_pem, leaf.cert_path, cert)
            self.assertFalse(ok, "must not verify under an unrelated root")
            aki = leaf.cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
            ski = sub_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            self.assertEqual(aki.value.key_identifier, ski.value.digest)
        # The imported pathlen:0 forbids issuing CA certificates.
        make_csr(s.work, "hyb-would-be-ca")
        self.issue_error("ValidationException", ca, "hyb-would-be-ca.csr", "Value=30,Type=DAYS",
                         "SubordinateCACertificate_PathLen0")
        # End-entity NotAfter capped by the imported certificate's NotAfter (365 days); the
        # spec names no code for this (templates.md §4).
        self.issue_error(("InvalidArgsException", "ValidationException"), ca,
                         "hyb-would-be-ca.csr", "Value=2,Type=YEARS")

    def test_2_two_level_external_chain(self):
        s = self.srv
        # External intermediate (pathlen 1) under the external root.
        make_csr(s.work, "ext-int", subject="/O=Example/CN=External Intermediate")
        int_pem = self.sign("ext-int.csr", "ext-int",
                            ext=["basicConstraints=critical,CA:TRUE,pathlen:1",
                                 "keyUsage=critical,keyCertSign,cRLSign",
                                 "subjectKeyIdentifier=hash",
                                 "authorityKeyIdentifier=keyid:always"], days=700)
        arn = create_ca(s, "hyb-sub2", "SUBORDINATE", "RSA_2048", cn="Hybrid Sub 2", via="boto3")
        fetch_csr(s, arn, "hyb-sub2", via="boto3")
        sub_pem = self.sign("hyb-sub2.csr", "hyb-sub2", ca_pem=int_pem,
                            ca_key=s.path("ext-int.key"), days=300)
        chain = s.write("ext-int-chain.pem", int_pem.read_text() + self.root_pem.read_text())
        # Root first is the wrong order.
        wrong = s.write("ext-int-chain-wrong.pem",
                        self.root_pem.read_text() + int_pem.read_text())
        self.import_(arn, sub_pem.name, wrong.name, expect_error=IMPORT_REJECT, via="boto3")
        self.assertEqual(self.status(arn), "PENDING_CERTIFICATE")
        # Missing the intermediate: does not chain to the root.
        self.import_(arn, sub_pem.name, self.root_pem.name,
                     expect_error="CertificateMismatchException", via="boto3")
        self.import_(arn, sub_pem.name, chain.name)
        self.assertEqual(self.status(arn), "ACTIVE")
        got = self.aws("get-certificate-authority-certificate", "--certificate-authority-arn", arn)
        self.assertEqual([load_cert(c) for c in split_pem(got["CertificateChain"])],
                         [load_cert(int_pem.read_bytes()), load_cert(self.root_pem.read_bytes())])
        ca = CaInfo(arn=arn, name="hyb-sub2", key_alg="RSA_2048", sig_alg="SHA256WITHRSA",
                    cert_pem=sub_pem.read_text(), chain_pem=chain.read_text(),
                    cert_path=sub_pem, bundle_path=sub_pem, root_path=self.root_pem)
        leaf = issue_leaf(s, ca, "hyb2-leaf", via="boto3")
        untrusted = s.write("hyb2-untrusted.pem", sub_pem.read_text() + int_pem.read_text())
        ok, out = verify_chain(self.root_pem, leaf.cert_path, untrusted)
        self.assertTrue(ok, out)
        self.assertEqual(len(split_pem(leaf.chain_pem)), 3)

    def test_2a_depth_limit_five_levels(self):
        """templates.md §5: at most five levels (root + four subordinates), even when no
        pathLenConstraint limits the chain."""
        s = self.srv
        ca_ext = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign",
                  "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always"]
        issuer_pem, issuer_key, chain = self.root_pem, self.root_key, [self.root_pem]
        for i in range(1, 5):   # external levels 2..5
            make_csr(s.work, f"deep-i{i}", subject=f"/O=Example/CN=Deep Intermediate {i}")
            pem = self.sign(f"deep-i{i}.csr", f"deep-i{i}", ext=ca_ext, ca_pem=issuer_pem,
                            ca_key=issuer_key, days=900 - 50 * i)
            issuer_pem, issuer_key = pem, s.path(f"deep-i{i}.key")
            chain.insert(0, pem)
        # Hosted CA at level 5 (under deep-i3): accepted.
        arn5 = create_ca(s, "deep-l5", "SUBORDINATE", via="boto3")
        fetch_csr(s, arn5, "deep-l5", via="boto3")
        cert5 = self.sign("deep-l5.csr", "deep-l5", ext=ca_ext, ca_pem=chain[1],
                          ca_key=s.path("deep-i3.key"), days=300)
        chain5 = s.write("deep-l5-chain.pem", "".join(p.read_text() for p in chain[1:]))
        self.import_(arn5, cert5.name, chain5.name)
        self.assertEqual(self.status(arn5), "ACTIVE")
        ca5 = CaInfo(arn=arn5, name="deep-l5", key_alg="EC_prime256v1",
                     sig_alg="SHA256WITHECDSA", cert_pem=cert5.read_text(),
                     chain_pem=chain5.read_text(), cert_path=cert5, bundle_path=cert5,
                     root_path=self.root_pem)
        leaf = issue_leaf(s, ca5, "deep-leaf", via="boto3")
        self.assertEqual(len(split_pem(leaf.chain_pem)), 5)
        # A CA certificate from the level-5 CA would be level 6.
        make_csr(s.work, "deep-l6-csr")
        self.issue_error("ValidationException", ca5, "deep-l6-csr.csr", "Value=30,Type=DAYS",
                         "SubordinateCACertificate_PathLen0")
        # A hosted CA at level 6 (under deep-i4) cannot be imported.
        arn6 = create_ca(s, "deep-l6", "SUBORDINATE", via="boto3")
        fetch_csr(s, arn6, "deep-l6", via="boto3")
        cert6 = self.sign("deep-l6.csr", "deep-l6", ext=ca_ext, ca_pem=chain[0],
                          ca_key=s.path("deep-i4.key"), days=300)
        chain6 = s.write("deep-l6-chain.pem", "".join(p.read_text() for p in chain))
        ok, out = verify_chain(self.root_pem, cert6, chain6)
        self.assertTrue(ok, f"openssl accepts the 6-level chain itself: {out}")
        self.import_(arn6, cert6.name, chain6.name, expect_error=IMPORT_REJECT, via="boto3")
        self.assertEqual(self.status(arn6), "PENDING_CERTIFICATE")

    # -- rejections ---------------------------------------------------------------------------

    def test_3_chain_does_not_verify(self):
        cert = self.sign("neg-sub.csr", "neg-good")
        # Signed by ext-root, but the chain offered is an unrelated root.
        self.assertRejected(cert.name, self.other_pem.name, "CertificateMismatchException",
                            via="cli")

    def test_4_signed_by_other_key_than_chain_root(self):
        # Issuer name claims External Root but the signature is by a different key.
        _, fake = self_signed_ca(self.srv.work, "fake-root", subject="/O=Example/CN=External Root")
        cert = self.sign("neg-sub.csr", "neg-fake", ca_pem=fake,
                         ca_key=self.srv.path("fake-root.key"))
        self.assertRejected(cert.name, self.root_pem.name, "CertificateMismatchException")

    def test_5_basic_constraints_not_critical(self):
        cert = self.sign("neg-sub.csr", "neg-bc-noncrit",
                         ext=["basicConstraints=CA:TRUE,pathlen:0",
                              "keyUsage=critical,keyCertSign,cRLSign",
                              "subjectKeyIdentifier=hash"])
        self.assertNotIn("critical", x509_ext(cert, "basicConstraints"))
        self.assertRejected(cert.name, self.root_pem.name)

    def test_6_basic_constraints_missing_or_not_ca(self):
        for name, ext in (("neg-bc-none", ["keyUsage=critical,keyCertSign,cRLSign"]),
                          ("neg-bc-false", ["basicConstraints=critical,CA:FALSE",
                                            "keyUsage=critical,digitalSignature"])):
            with self.subTest(case=name):
                cert = self.sign("neg-sub.csr", name, ext=ext)
                self.assertRejected(cert.name, self.root_pem.name)

    def test_7_chain_path_length_violated(self):
        s = self.srv
        key, root0 = self_signed_ca(s.work, "ext-root-pl0", subject="/CN=Root PathLen0",
                                    exts=["basicConstraints=critical,CA:TRUE,pathlen:0",
                                          "keyUsage=critical,keyCertSign,cRLSign",
                                          "subjectKeyIdentifier=hash"])
        make_csr(s.work, "ext-int0", subject="/CN=Intermediate under pathlen0")
        int0 = self.sign("ext-int0.csr", "ext-int0", ca_pem=root0, ca_key=key,
                         ext=["basicConstraints=critical,CA:TRUE,pathlen:0",
                              "keyUsage=critical,keyCertSign,cRLSign",
                              "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"])
        cert = self.sign("neg-sub.csr", "neg-pl", ca_pem=int0, ca_key=s.path("ext-int0.key"))
        chain = s.write("neg-pl-chain.pem", int0.read_text() + root0.read_text())
        ok, _ = verify_chain(root0, cert, int0)
        self.assertFalse(ok, "openssl agrees the path length is violated")
        # AWS: "failing with a validation exception" (user guide, RFC compliance).
        self.assertRejected(cert.name, chain.name, "ValidationException")

    def test_7a_directly_below_pathlen0_ca(self):
        """The imported certificate is a CA certificate: a pathlen:0 issuer allows none."""
        s = self.srv
        key, root0 = self_signed_ca(s.work, "ext-root-pl0b", subject="/CN=Root PathLen0 B",
                                    exts=["basicConstraints=critical,CA:TRUE,pathlen:0",
                                          "keyUsage=critical,keyCertSign,cRLSign",
                                          "subjectKeyIdentifier=hash"])
        cert = self.sign("neg-sub.csr", "neg-pl0-direct", ca_pem=root0, ca_key=key)
        for via in ("boto3", "cli"):
            with self.subTest(via=via):
                self.assertRejected(cert.name, root0.name, "ValidationException", via=via)
        # The same certificate under a pathlen:1 root imports (the refusal was the path length).
        key1, root1 = self_signed_ca(s.work, "ext-root-pl1", subject="/CN=Root PathLen1",
                                     exts=["basicConstraints=critical,CA:TRUE,pathlen:1",
                                           "keyUsage=critical,keyCertSign,cRLSign",
                                           "subjectKeyIdentifier=hash"])
        arn = create_ca(s, "pl1-sub", "SUBORDINATE", via="boto3")
        fetch_csr(s, arn, "pl1-sub", via="boto3")
        ok_cert = self.sign("pl1-sub.csr", "pl1-sub", ca_pem=root1, ca_key=key1)
        self.import_(arn, ok_cert.name, root1.name)
        self.assertEqual(self.status(arn), "ACTIVE")

    def test_8_critical_aia_rejected(self):
        cert = self.sign("neg-sub.csr", "neg-aia",
                         ext=SUB_EXT + ["authorityInfoAccess=critical,"
                                        "caIssuers;URI:http://example.com/root.crt"])
        self.assertRejected(cert.name, self.root_pem.name)

    def test_9_chain_including_the_certificate_itself(self):
        cert = self.sign("neg-sub.csr", "neg-self-in-chain")
        chain = self.srv.write("neg-self-in-chain-chain.pem",
                               cert.read_text() + self.root_pem.read_text())
        self.assertRejected(cert.name, chain.name)

    def test_9a_no_chain_for_subordinate(self):
        cert = self.sign("neg-sub.csr", "neg-no-chain")
        self.assertRejected(cert.name, None)


if __name__ == "__main__":
    unittest.main(verbosity=2)
