"""OCSP responses signed by a delegated OCSP signing certificate (RFC 6960 4.2.2.2) that openpca
issues for the CA itself ("ocsp_signer": "delegate" in the configuration file): `openssl ocsp
-issuer ca.pem -CAfile ca.pem` verifies them with only the CA trusted; the signer certificate in
the response carries id-kp-OCSPSigning and id-pkix-ocsp-nocheck and is issued by the CA (Python
cryptography); good -> revoked after `aws acm-pca revoke-certificate`; the delegate is in the CA's
records (get-certificate); after a restart the server answers correctly with a new delegate.
Also: the configuration values the loader refuses."""

import datetime
import http.client
import subprocess
import time
import unittest
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness import (CaInfo, Server, ServerTestCase, create_ca, fetch_cert, fetch_csr,
                     import_ca_cert, issue, issue_leaf, load_cert, openssl)

OCSP_WAIT = 20.0
LIFETIME_HOURS = 72
REQ_CT = "application/ocsp-request"
UTC = datetime.timezone.utc


def colon_serial(n: int) -> str:
    h = format(n, "x")
    if len(h) % 2:
        h = "0" + h
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2)).upper()


def ocsp_request(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    b = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
    return b.build().public_bytes(serialization.Encoding.DER)


def with_config(server: Server, config_text: str) -> None:
    """Makes `server` run `openpca serve ... --config <file>`: the harness starts the binary it is
    given, so a one-line wrapper appends the option."""
    config = server.root / "openpca.json"
    config.write_text(config_text)
    wrapper = server.root / "openpca-with-config"
    wrapper.write_text(f'#!/bin/sh\nexec "{server.binary}" "$@" --config "{config}"\n')
    wrapper.chmod(0o700)
    server.binary = str(wrapper)


class OcspDelegateTest(ServerTestCase):
    server_name = "ocsp-delegate"

    @classmethod
    def setUpClass(cls):
        cls._had_failure = False
        cls.server = Server(cls.server_name)
        with_config(cls.server, '{"ocsp_signer": "delegate", '
                                f'"ocsp_delegate_lifetime_hours": {LIFETIME_HOURS}}}')
        s = cls.server
        try:
            s.start()
            cls.root = cls.make_root("root")
            cls.good = issue_leaf(s, cls.root, "good")
            cls.to_revoke = issue_leaf(s, cls.root, "revokee")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    @classmethod
    def make_root(cls, name) -> CaInfo:
        """A root with OCSP enabled, typed with the AWS CLI."""
        s = cls.server
        arn = create_ca(s, name, "ROOT", extra_args=["--revocation-configuration",
                                                     "OcspConfiguration={Enabled=true}"])
        csr = fetch_csr(s, arn, name)
        cert_arn = issue(s, arn, f"{name}.csr", "SHA256WITHECDSA", "Value=5,Type=YEARS",
                         "RootCACertificate")
        cert, _ = fetch_cert(s, arn, cert_arn)
        path = s.write(f"{name}.pem", cert)
        import_ca_cert(s, arn, path.name)
        return CaInfo(arn=arn, name=name, key_alg="EC_prime256v1", sig_alg="SHA256WITHECDSA",
                      cert_pem=cert, chain_pem=None, cert_path=path, bundle_path=path,
                      root_path=path, csr_pem=csr)

    # -- helpers --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.srv.endpoint + "/ocsp"

    def ask(self, cert: x509.Certificate) -> ocsp.OCSPResponse:
        u = urllib.parse.urlsplit(self.srv.endpoint)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
        try:
            conn.request("POST", "/ocsp", body=ocsp_request(cert, self.root.cert),
                         headers={"Content-Type": REQ_CT})
            r = conn.getresponse()
            body = r.read()
            self.assertEqual(r.status, 200, body[:200])
        finally:
            conn.close()
        resp = ocsp.load_der_ocsp_response(body)
        self.assertEqual(resp.response_status, ocsp.OCSPResponseStatus.SUCCESSFUL)
        return resp

    def openssl_ocsp(self, cert_path, extra=()):
        """openssl ocsp -issuer ca.pem -CAfile ca.pem -cert <leaf> -url ...: only the CA is
        trusted; the delegate must come from the response and chain to it."""
        r = openssl("ocsp", "-issuer", self.root.cert_path, "-CAfile", self.root.cert_path,
                    "-cert", cert_path, "-url", self.url, "-resp_text", *extra,
                    check=False, cwd=self.srv.work)
        return r.returncode, (r.stdout + r.stderr).decode(errors="replace")

    def wait_openssl(self, cert_path, word, timeout=OCSP_WAIT):
        deadline = time.monotonic() + timeout
        while True:
            rc, out = self.openssl_ocsp(cert_path)
            if f"{cert_path}: {word}" in out:
                return rc, out
            if time.monotonic() > deadline:
                self.fail(f"openssl ocsp never said '{word}' within {timeout}s:\n{out}")
            time.sleep(0.5)

    def assertDelegateSigned(self, resp: ocsp.OCSPResponse) -> x509.Certificate:
        """Checks that `resp` is signed by a delegate of the root, returns the delegate."""
        root = self.root.cert
        self.assertEqual(len(resp.certificates), 1, "the delegate certificate is in `certs`")
        delegate = resp.certificates[0]
        # Issued and signed by the CA.
        self.assertEqual(delegate.issuer, root.subject)
        root.public_key().verify(delegate.signature, delegate.tbs_certificate_bytes,
                                 ec.ECDSA(delegate.signature_hash_algorithm))  # raises if bad
        self.assertEqual(delegate.signature_algorithm_oid,
                         x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256)
        # The response is signed by the delegate's key, named by key hash, with the CA's
        # signing algorithm; the CA key did not sign it.
        delegate.public_key().verify(resp.signature, resp.tbs_response_bytes,
                                     ec.ECDSA(resp.signature_hash_algorithm))
        self.assertEqual(resp.signature_algorithm_oid,
                         x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256)
        self.assertEqual(resp.responder_key_hash,
                         x509.SubjectKeyIdentifier.from_public_key(delegate.public_key()).digest)
        self.assertNotEqual(
            delegate.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo),
            root.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo))
        return delegate

    # -- tests ----------------------------------------------------------------------------------

    def test_01_openssl_verifies_with_only_the_ca_trusted(self):
        rc, out = self.openssl_ocsp(self.good.cert_path)
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{self.good.cert_path}: good", out)
        # The response names the delegate, not the CA, and carries its certificate.
        self.assertIn("OCSP Responder", out)
        self.assertIn("OCSP Signing", out)
        rc, out = self.openssl_ocsp(self.good.cert_path, ["-no_nonce"])
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)

    def test_02_signer_certificate(self):
        resp = self.ask(self.good.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        delegate = self.assertDelegateSigned(resp)
        exts = delegate.extensions
        self.assertEqual(list(exts.get_extension_for_class(x509.ExtendedKeyUsage).value),
                         [ExtendedKeyUsageOID.OCSP_SIGNING])
        nocheck = exts.get_extension_for_class(x509.OCSPNoCheck)
        self.assertFalse(nocheck.critical)
        bc = exts.get_extension_for_class(x509.BasicConstraints)
        self.assertTrue(bc.critical)
        self.assertFalse(bc.value.ca)
        ku = exts.get_extension_for_class(x509.KeyUsage)
        self.assertTrue(ku.critical)
        self.assertTrue(ku.value.digital_signature)
        self.assertFalse(ku.value.key_cert_sign)
        self.assertFalse(ku.value.crl_sign)
        ski = exts.get_extension_for_class(x509.SubjectKeyIdentifier).value
        self.assertEqual(ski.digest,
                         x509.SubjectKeyIdentifier.from_public_key(delegate.public_key()).digest)
        aki = exts.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        root_ski = self.root.cert.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value
        self.assertEqual(aki.key_identifier, root_ski.digest)
        # A key of the CA's algorithm; a name derived from the CA's.
        self.assertIsInstance(delegate.public_key(), ec.EllipticCurvePublicKey)
        self.assertEqual(delegate.public_key().curve.name, "secp256r1")
        cn = delegate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        self.assertEqual(cn, "root CA OCSP Responder")
        self.assertEqual(delegate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME),
                         self.root.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))
        # Validity: from an hour back to the configured lifetime ahead; the response's
        # nextUpdate stays inside it.
        not_before = delegate.not_valid_before.replace(tzinfo=UTC)
        not_after = delegate.not_valid_after.replace(tzinfo=UTC)
        self.assertEqual(not_after - not_before, datetime.timedelta(hours=LIFETIME_HOURS + 1))
        self.assertLessEqual(resp.next_update.replace(tzinfo=UTC), not_after)
        # Recorded as a certificate the CA issued.
        out = self.aws("get-certificate", "--certificate-authority-arn", self.root.arn,
                       "--certificate-arn",
                       f"{self.root.arn}/certificate/{format(delegate.serial_number, 'x')}")
        self.assertEqual(load_cert(out["Certificate"]), delegate)

    def test_03_revoked_after_revoke_certificate(self):
        leaf = self.to_revoke
        self.aws("revoke-certificate", "--certificate-authority-arn", self.root.arn,
                 "--certificate-serial", colon_serial(leaf.cert.serial_number),
                 "--revocation-reason", "KEY_COMPROMISE")
        rc, out = self.wait_openssl(leaf.cert_path, "revoked")
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        resp = self.ask(leaf.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.REVOKED)
        self.assertEqual(resp.revocation_reason, x509.ReasonFlags.key_compromise)
        self.assertDelegateSigned(resp)
        # The other leaf is still good.
        self.assertEqual(self.ask(self.good.cert).certificate_status, ocsp.OCSPCertStatus.GOOD)

    def test_04_revoking_the_delegate_replaces_it(self):
        old = self.assertDelegateSigned(self.ask(self.good.cert))
        self.aws("revoke-certificate", "--certificate-authority-arn", self.root.arn,
                 "--certificate-serial", colon_serial(old.serial_number),
                 "--revocation-reason", "KEY_COMPROMISE")
        # The very next answer is signed by a new delegate: a revoked responder certificate never
        # signs again (the revocation is durable when revoke-certificate returns).
        resp = self.ask(self.good.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.GOOD)
        new = self.assertDelegateSigned(resp)
        self.assertNotEqual(new.serial_number, old.serial_number)
        self.assertNotEqual(new.public_key().public_numbers(), old.public_key().public_numbers())
        rc, out = self.openssl_ocsp(self.good.cert_path)
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        # And the old delegate itself is reported revoked.
        old_resp = self.ask(old)
        self.assertEqual(old_resp.certificate_status, ocsp.OCSPCertStatus.REVOKED)

    def test_90_restart_answers_with_a_new_delegate(self):
        before = self.assertDelegateSigned(self.ask(self.good.cert))
        s = self.srv
        self.assertEqual(s.stop(), 0, s.log_tail())
        s.start()
        rc, out = self.wait_openssl(self.good.cert_path, "good")
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        rc, out = self.openssl_ocsp(self.to_revoke.cert_path)
        self.assertEqual(rc, 0, out)
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{self.to_revoke.cert_path}: revoked", out)
        resp = self.ask(self.to_revoke.cert)
        self.assertEqual(resp.certificate_status, ocsp.OCSPCertStatus.REVOKED)
        after = self.assertDelegateSigned(resp)
        # The key lived only in the old process: a new key, a new certificate.
        self.assertNotEqual(after.serial_number, before.serial_number)
        self.assertNotEqual(after.public_key().public_numbers(),
                            before.public_key().public_numbers())


class OcspSignerConfigTest(unittest.TestCase):
    """--check-config refuses values outside what docs/operations.md allows."""

    def check(self, text: str):
        server = Server("ocsp-delegate-config")
        try:
            with_config(server, text)
            r = subprocess.run([server.binary, "serve", "--check-config", "--data-dir",
                                str(server.data_dir)], capture_output=True, timeout=60)
            return r.returncode, (r.stdout + r.stderr).decode(errors="replace")
        finally:
            server.close()

    def test_values(self):
        for ok in ('{"ocsp_signer": "ca"}', '{"ocsp_signer": "delegate"}',
                   '{"ocsp_signer": "delegate", "ocsp_delegate_lifetime_hours": 48}'):
            rc, out = self.check(ok)
            self.assertEqual(rc, 0, f"{ok}: {out}")
        for bad, word in (('{"ocsp_signer": "hsm"}', "ocsp_signer"),
                          ('{"ocsp_signer": 1}', "ocsp_signer"),
                          ('{"ocsp_delegate_lifetime_hours": 47}', "ocsp_delegate_lifetime_hours"),
                          ('{"ocsp_delegate_lifetime_hours": "168"}',
                           "ocsp_delegate_lifetime_hours")):
            rc, out = self.check(bad)
            self.assertNotEqual(rc, 0, f"{bad} accepted: {out}")
            self.assertIn(word, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
