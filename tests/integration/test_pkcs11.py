"""CA keys on a PKCS#11 token (SoftHSM2 in a temp directory), end to end: the real server with
the PKCS#11 key store (configured through OPENPCA_PKCS11_MODULE / _TOKEN_LABEL / _PIN_FILE),
a root and a subordinate CA made with the AWS CLI, a certificate verified with `openssl verify`,
revocation with the CRL and OCSP responses verified against the CA certificates; a second server
process on the same token (its own data directory holding a copy of the database) signing for
the same CA; KeyStorageSecurityStandard as the key store truly meets it; and
`openpca migrate-key` moving a software-store CA key onto the token (and refusing the way back).
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from cryptography import x509

from harness import (Server, ServerTestCase, build_root_ca, build_sub_ca, issue_leaf, openssl)

LABEL = "openpca-it"
USER_PIN = "8642-it-user"
CRL_BUCKET = "hsm-crls"
WAIT = 30.0


def softhsm_module() -> str:
    path = os.environ.get("OPENPCA_TEST_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
    if not os.path.exists(path):
        raise RuntimeError(f"SoftHSM2 module {path} is missing (scripts/install-deps.sh installs "
                           "softhsm2)")
    return path


class SoftHsmToken:
    """A SoftHSM2 token in a temp directory: softhsm2.conf, tokens/, a 0600 PIN file."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="openpca-softhsm-"))
        tokens = self.root / "tokens"
        tokens.mkdir()
        self.conf = self.root / "softhsm2.conf"
        self.conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                             "log.level = ERROR\nslots.removable = false\n")
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", LABEL,
                        "--so-pin", "1234-so", "--pin", USER_PIN],
                       env={"PATH": "/usr/bin:/bin", "SOFTHSM2_CONF": str(self.conf)},
                       check=True, stdout=subprocess.DEVNULL)
        self.pin_file = self.root / "user.pin"
        fd = os.open(self.pin_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, (USER_PIN + "\n").encode())
        os.close(fd)

    def env(self) -> dict:
        return {"SOFTHSM2_CONF": str(self.conf), "OPENPCA_PKCS11_MODULE": softhsm_module(),
                "OPENPCA_PKCS11_TOKEN_LABEL": LABEL, "OPENPCA_PKCS11_PIN_FILE": str(self.pin_file)}

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def key_ids(data_dir: Path) -> dict:
    """CA id -> key id, read from the server's database (read-only)."""
    db = sqlite3.connect(f"file:{data_dir / 'openpca.db'}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT id, key_id FROM certificate_authorities"))
    finally:
        db.close()


def software_key_files(data_dir: Path) -> list:
    keys = data_dir / "keys"
    return sorted(p.name for p in keys.glob("*.key")) if keys.exists() else []


def ca_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


class Pkcs11KeyStoreTest(ServerTestCase):
    server_name = "pkcs11"

    @classmethod
    def setUpClass(cls):
        cls.hsm = SoftHsmToken()
        cls.server_env = cls.hsm.env()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.hsm.close()

    def revocation(self) -> list:
        return ["--revocation-configuration",
                f"CrlConfiguration={{Enabled=true,ExpirationInDays=7,S3BucketName={CRL_BUCKET}}},"
                "OcspConfiguration={Enabled=true}"]

    def test_hierarchy_revocation_and_a_second_server_on_the_token(self):
        s = self.srv
        # Root (EC P-256) and subordinate (RSA 2048) made with the AWS CLI; keys on the token.
        root = build_root_ca(s, "root", "EC_prime256v1")
        sub = build_sub_ca(s, root, "sub", key_alg="RSA_2048")
        s.aws("update-certificate-authority", "--certificate-authority-arn", sub.arn,
              *self.revocation())
        ids = key_ids(s.data_dir)
        for ca in (root, sub):
            self.assertTrue(ids[ca_id(ca.arn)].startswith(f"pkcs11:token={LABEL};id="),
                            ids[ca_id(ca.arn)])
            self.assertTrue(ids[ca_id(ca.arn)].endswith(";type=private"))
        self.assertEqual(software_key_files(s.data_dir), [], "no CA key in the software store")
        # SoftHSM2 meets none of AWS's standards and none was claimed: nothing is reported, and
        # asking for FIPS level 3 is refused as AWS refuses it, creating nothing.
        self.assertNotIn("KeyStorageSecurityStandard", self.describe(root.arn))
        before = len(self.list_cas())
        cfg = s.write("fips.json", '{"KeyAlgorithm":"EC_prime256v1","SigningAlgorithm":'
                                   '"SHA256WITHECDSA","Subject":{"CommonName":"fips"}}')
        s.aws("create-certificate-authority", "--certificate-authority-configuration",
              f"file://{cfg.name}", "--certificate-authority-type", "ROOT",
              "--key-storage-security-standard", "FIPS_140_2_LEVEL_3_OR_HIGHER",
              expect_error="InvalidArgsException")
        self.assertEqual(len(self.list_cas()), before)

        leaf = issue_leaf(s, sub, "leaf")
        self.assertVerifies(root.cert_path, leaf.cert_path, untrusted=sub.cert_path)

        # Revoke; the CRL (signed on the token by the subordinate's key) lists it.
        serial = format(leaf.cert.serial_number, "x")
        s.aws("revoke-certificate", "--certificate-authority-arn", sub.arn,
              "--certificate-serial", serial, "--revocation-reason", "KEY_COMPROMISE")
        crl_path = f"/{CRL_BUCKET}/crl/{ca_id(sub.arn)}.crl"
        deadline = time.monotonic() + WAIT
        while True:
            status, _, body = s.http_get(crl_path)
            if status == 200:
                crl = x509.load_der_x509_crl(body)
                if crl.get_revoked_certificate_by_serial_number(leaf.cert.serial_number):
                    break
            self.assertLess(time.monotonic(), deadline, f"CRL never listed {serial}")
            time.sleep(0.3)
        self.assertTrue(crl.is_signature_valid(sub.cert.public_key()))
        der = s.write("sub.crl.der", body)
        r = openssl("crl", "-inform", "DER", "-in", der, "-CAfile", sub.bundle_path, "-noout",
                    check=False, cwd=s.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"verify OK", r.stdout + r.stderr)

        # OCSP: signed by the subordinate's key on the token, verified by openssl.
        r = openssl("ocsp", "-issuer", sub.cert_path, "-cert", leaf.cert_path,
                    "-url", s.endpoint + "/ocsp", "-CAfile", root.cert_path,
                    "-verify_other", sub.cert_path, check=False, cwd=s.work)
        out = (r.stdout + r.stderr).decode(errors="replace")
        self.assertIn("Response verify OK", out)
        self.assertIn(f"{leaf.cert_path}: revoked", out)

        # A second server process: its own data directory with a copy of the database (and the
        # master key the identities are sealed with), the same token. It signs for the same CA.
        other = Server("pkcs11-b", extra_env=self.hsm.env())
        try:
            src = sqlite3.connect(str(s.data_dir / "openpca.db"))
            dst = sqlite3.connect(str(other.data_dir / "openpca.db"))
            src.backup(dst)
            src.close()
            dst.close()
            for name in ("master.key", "credentials"):
                shutil.copy2(s.data_dir / name, other.data_dir / name)
            other.start()
            leaf_b = issue_leaf(other, sub, "leaf-b", via="boto3")
            self.assertVerifies(root.cert_path, leaf_b.cert_path, untrusted=sub.cert_path)
            self.assertEqual(leaf_b.cert.issuer, leaf.cert.issuer)
        except BaseException:
            print(other.log_tail(40))
            raise
        finally:
            other.close()

    def test_migrate_software_key_onto_the_token_and_refuse_the_way_back(self):
        # A server with the software key store (no PKCS#11 settings) makes and activates a CA.
        soft = Server("pkcs11-migrate", extra_env={"SOFTHSM2_CONF": str(self.hsm.conf)})
        try:
            soft.start()
            root = build_root_ca(soft, "mroot", "EC_secp384r1", via="boto3")
            old_key = key_ids(soft.data_dir)[ca_id(root.arn)]
            self.assertTrue(old_key.startswith("soft:"))
            self.assertEqual(len(software_key_files(soft.data_dir)), 1)
            soft.stop()

            def migrate(*args):
                env = dict(soft.server_env(), **self.hsm.env())
                return subprocess.run([soft.binary, "migrate-key", "--data-dir",
                                       str(soft.data_dir), "--ca-arn", root.arn, *args],
                                      env=env, capture_output=True, text=True, timeout=60)

            r = migrate()
            self.assertEqual(r.returncode, 0, r.stderr)
            new_key = key_ids(soft.data_dir)[ca_id(root.arn)]
            self.assertTrue(new_key.startswith(f"pkcs11:token={LABEL};id="), new_key)
            self.assertIn(new_key, r.stdout)
            self.assertEqual(software_key_files(soft.data_dir), [], "software key destroyed")
            self.assertNotIn(USER_PIN, r.stdout + r.stderr)

            # The way back is refused: the key is non-extractable; nothing changes.
            r = migrate("--to", "software")
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("non-extractable", r.stderr)
            self.assertEqual(key_ids(soft.data_dir)[ca_id(root.arn)], new_key)
            # Moving again is a no-op.
            r = migrate()
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("already on the PKCS#11 token", r.stdout)

            # Restarted with the token configured, the CA signs with the moved key: the chain
            # still verifies against the CA certificate made with the software key.
            soft.extra_env.update(self.hsm.env())
            soft.start()
            leaf = issue_leaf(soft, root, "mleaf", via="boto3")
            self.assertVerifies(root.cert_path, leaf.cert_path)
        except BaseException:
            print(soft.log_tail(40))
            raise
        finally:
            soft.close()


if __name__ == "__main__":
    unittest.main()
