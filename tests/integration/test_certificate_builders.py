"""The two certificate builders, read by other tools.

tests/authority/differential_test.cc compares the direct encoder with the OpenSSL reference path
byte for byte. Here its cases (every template x every CA key type) are dumped and read by
`openssl x509 -text` and by Python `cryptography`: both builders' certificates must read the
same, parse completely (every extension) and carry a signature that verifies with the issuer's
key (cryptography has no SM2: those are read, not verified).

Environment: OPENPCA_DIFFERENTIAL_BIN = the authority_test binary (ctest sets it; otherwise
derived from OPENPCA_BIN as <build>/tests/authority/authority_test).
"""

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def differential_binary() -> Path:
    explicit = os.environ.get("OPENPCA_DIFFERENTIAL_BIN")
    if explicit:
        return Path(explicit)
    server = Path(os.environ.get("OPENPCA_BIN", "../../build/src/server/openpca")).resolve()
    return server.parent.parent.parent / "tests" / "authority" / "authority_test"


def openssl_text(path: Path) -> str:
    return subprocess.run(["openssl", "x509", "-inform", "DER", "-in", str(path), "-noout",
                           "-text"], check=True, capture_output=True, text=True).stdout


def verify_signature(cert: x509.Certificate, issuer_key) -> None:
    if isinstance(issuer_key, ec.EllipticCurvePublicKey):
        issuer_key.verify(cert.signature, cert.tbs_certificate_bytes,
                          ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(issuer_key, rsa.RSAPublicKey):
        issuer_key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                          cert.signature_hash_algorithm)
    else:
        raise AssertionError(f"unexpected issuer key {type(issuer_key)}")


class CertificateBuildersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        binary = differential_binary()
        if not binary.exists():
            raise unittest.SkipTest(f"{binary} not built")
        cls.tmp = tempfile.TemporaryDirectory(prefix="openpca-builders-")
        env = dict(os.environ, OPENPCA_DIFFERENTIAL_DUMP=cls.tmp.name)
        subprocess.run([str(binary),
                        "--gtest_filter=CertificateBuilderDifferentialTest.EveryTemplate*"],
                       check=True, env=env, capture_output=True, timeout=300)
        cls.cases = sorted(p.name[: -len(".direct.der")]
                           for p in Path(cls.tmp.name).glob("*.direct.der"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, case: str, kind: str) -> Path:
        return Path(self.tmp.name) / f"{case}.{kind}.der"

    def test_every_template_and_key_type_was_dumped(self):
        # 61 templates x 7 CA key types (EC P-256/384/521, RSA 2048/3072/4096, SM2).
        self.assertEqual(len(self.cases), 61 * 7)
        self.assertTrue(any(c.startswith("SM2-") for c in self.cases))
        self.assertTrue(any("RootCACertificate_APIPassthrough" in c for c in self.cases))

    def test_openssl_reads_both_alike(self):
        for case in self.cases:
            with self.subTest(case=case):
                direct = openssl_text(self.path(case, "direct"))
                reference = openssl_text(self.path(case, "reference"))
                self.assertEqual(direct, reference)
                self.assertIn("Version: 3 (0x2)", direct)
                self.assertIn("X509v3 Subject Key Identifier", direct)

    def test_cryptography_parses_and_verifies_both(self):
        verified = 0
        for case in self.cases:
            with self.subTest(case=case):
                issuer = x509.load_der_x509_certificate(self.path(case, "issuer").read_bytes())
                certs = [x509.load_der_x509_certificate(self.path(case, k).read_bytes())
                         for k in ("direct", "reference")]
                direct, reference = certs
                self.assertEqual(direct.serial_number, reference.serial_number)
                self.assertEqual(direct.subject, reference.subject)
                self.assertEqual(direct.issuer, reference.issuer)
                # not_valid_*_utc from cryptography 42; Debian 12 ships 38.
                for attr in ("not_valid_before", "not_valid_after"):
                    name = attr + "_utc" if hasattr(direct, attr + "_utc") else attr
                    self.assertEqual(getattr(direct, name), getattr(reference, name))
                # Every extension parses (cryptography raises on a malformed one).
                self.assertEqual([e.oid for e in direct.extensions],
                                 [e.oid for e in reference.extensions])
                ski = direct.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
                self.assertEqual(len(ski.value.digest), 20)
                if case.startswith("SM2-"):
                    continue  # cryptography cannot verify SM2 signatures
                root = "RootCACertificate" in case
                for cert in certs:
                    verify_signature(cert, cert.public_key() if root else issuer.public_key())
                verified += 1
        self.assertEqual(verified, 61 * 6)


if __name__ == "__main__":
    unittest.main()
