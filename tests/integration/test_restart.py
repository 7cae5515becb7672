"""Durability: everything survives a graceful (SIGTERM) restart and a kill -9 right after a
successful call; keys still sign afterwards; the credentials file and master key are stable."""

import os
import stat
import unittest

from harness import (ServerTestCase, build_root_ca, build_sub_ca, fetch_cert, issue, issue_leaf,
                     load_cert, make_csr, split_pem)


class RestartTest(ServerTestCase):
    server_name = "restart"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls.root = build_root_ca(s, "rroot", validity="Value=5,Type=YEARS", via="boto3")
            cls.sub = build_sub_ca(s, cls.root, "rsub", pathlen=0, key_alg="RSA_2048",
                                   validity="Value=2,Type=YEARS", via="boto3")
            cls.leaves = [issue_leaf(s, cls.sub, f"pre{i}", via="boto3") for i in range(3)]
            s.client().tag_certificate_authority(
                CertificateAuthorityArn=cls.sub.arn,
                Tags=[{"Key": "Owner", "Value": "pki-team"}, {"Key": "Env", "Value": "test"}])
            # A CA left in PENDING_CERTIFICATE and a deleted one.
            cls.pending = s.aws("create-certificate-authority",
                                "--certificate-authority-configuration",
                                "file://rroot-config.json",
                                "--certificate-authority-type", "ROOT")["CertificateAuthorityArn"]
            s.aws("wait", "certificate-authority-csr-created",
                  "--certificate-authority-arn", cls.pending)
            cls.pending_csr = s.aws("get-certificate-authority-csr",
                                    "--certificate-authority-arn", cls.pending)["Csr"]
            s.aws("delete-certificate-authority", "--certificate-authority-arn", cls.pending,
                  "--permanent-deletion-time-in-days", "9")
            make_csr(s.work, "post")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    def state(self):
        """What must survive: list, describe, tags, CSRs, CA certs, issued certificates."""
        c = self.c
        cas = sorted(self.list_cas(), key=lambda ca: ca["Arn"])
        out = {"cas": cas, "tags": {}, "csr": {}, "cacert": {}, "certs": {}}
        for ca in cas:
            arn = ca["Arn"]
            self.assertEqual(self.describe(arn), ca)
            out["tags"][arn] = self.tags(arn)
            if ca["Status"] != "DELETED":
                out["csr"][arn] = c.get_certificate_authority_csr(
                    CertificateAuthorityArn=arn)["Csr"].strip()
            if ca["Status"] in ("ACTIVE", "DISABLED"):
                got = c.get_certificate_authority_certificate(CertificateAuthorityArn=arn)
                out["cacert"][arn] = (got["Certificate"].strip(),
                                      (got.get("CertificateChain") or "").strip())
        for leaf in self.leaves:
            got = c.get_certificate(CertificateAuthorityArn=self.sub.arn, CertificateArn=leaf.arn)
            out["certs"][leaf.arn] = (got["Certificate"].strip(), got["CertificateChain"].strip())
        return out

    def assertSignsAndVerifies(self, name):
        leaf = issue_leaf(self.srv, self.sub, name, via="boto3")
        self.assertVerifies(self.root.cert_path, leaf.cert_path, self.sub.untrusted_path)
        self.assertEqual(leaf.cert.issuer, self.sub.cert.subject)
        self.leaves.append(leaf)
        return leaf

    def test_1_files(self):
        d = self.srv.data_dir
        creds = d / "credentials"
        self.assertTrue(creds.exists())
        self.assertEqual(stat.S_IMODE(os.stat(creds).st_mode), 0o600, "credentials mode")
        self.assertTrue((d / "master.key").exists(), "keys are encrypted under master.key")
        self.assertTrue(self.srv.access_key_id)
        self.assertTrue(self.srv.secret_access_key)
        # No plaintext PEM private key anywhere in the data dir besides master.key.
        for root, _, files in os.walk(d):
            for f in files:
                if f == "master.key":
                    continue
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                self.assertNotIn(b"PRIVATE KEY-----", data, f"plaintext key in {f}")

    def test_2_graceful_restart(self):
        s = self.srv
        before = self.state()
        creds_before = s.credentials_path.read_bytes()
        master_before = (s.data_dir / "master.key").read_bytes()
        rc = s.stop()
        self.assertEqual(rc, 0, f"SIGTERM exit code\n{s.log_tail()}")
        s.start()
        self.assertTrue(s.health())
        self.assertEqual(s.credentials_path.read_bytes(), creds_before,
                         "credentials rewritten on restart")
        self.assertEqual((s.data_dir / "master.key").read_bytes(), master_before)
        self.assertEqual(self.state(), before)
        d = self.describe(self.pending)
        self.assertEqual(d["Status"], "DELETED")
        self.assertIn("RestorableUntil", d)
        # Keys still sign: the subordinate and the root.
        self.assertSignsAndVerifies("after-restart")
        arn = issue(s, self.root, "post.csr", self.root.sig_alg, "Value=10,Type=DAYS",
                    via="boto3")
        pem, chain = fetch_cert(s, self.root.arn, arn, via="boto3")
        s.write("post-root.pem", pem)
        self.assertVerifies(self.root.cert_path, s.path("post-root.pem"))
        # The deleted CA can still be restored, with its CSR/key intact.
        self.c.restore_certificate_authority(CertificateAuthorityArn=self.pending)
        self.assertEqual(self.status(self.pending), "PENDING_CERTIFICATE")
        csr = self.c.get_certificate_authority_csr(CertificateAuthorityArn=self.pending)
        self.assertEqual(csr["Csr"].strip(), self.pending_csr.strip())

    def test_3_kill9_right_after_issue(self):
        s = self.srv
        arn = issue(s, self.sub, "post.csr", self.sub.sig_alg, "Value=7,Type=DAYS")
        s.kill9()
        s.start()
        pem, chain = fetch_cert(s, self.sub.arn, arn)
        path = s.write("post-kill.pem", pem)
        self.assertVerifies(self.root.cert_path, path, self.sub.untrusted_path)
        self.assertEqual([load_cert(c) for c in split_pem(chain)],
                         [self.sub.cert, self.root.cert])
        self.assertEqual(int(arn.rsplit("/", 1)[1], 16), load_cert(pem).serial_number)

    def test_4_kill9_right_after_state_changes(self):
        s = self.srv
        s.aws("tag-certificate-authority", "--certificate-authority-arn", self.root.arn,
              "--tags", "Key=Crash,Value=1")
        s.aws("update-certificate-authority", "--certificate-authority-arn", self.sub.arn,
              "--status", "DISABLED")
        s.kill9()
        s.start()
        self.assertEqual(self.status(self.sub.arn), "DISABLED")
        self.assertEqual(self.tags(self.root.arn).get("Crash"), "1")
        s.aws("update-certificate-authority", "--certificate-authority-arn", self.sub.arn,
              "--status", "ACTIVE")
        s.kill9()
        s.start()
        self.assertEqual(self.status(self.sub.arn), "ACTIVE")
        self.assertSignsAndVerifies("after-kill")

    def test_5_kill9_right_after_create_and_import(self):
        s = self.srv
        ca = build_root_ca(s, "crash-root", validity="Value=1,Type=YEARS", via="boto3")
        s.kill9()
        s.start()
        d = self.describe(ca.arn)
        self.assertEqual(d["Status"], "ACTIVE")
        self.assertEqual(int(d["Serial"].replace(":", ""), 16), ca.cert.serial_number)
        leaf = issue_leaf(s, ca, "crash-leaf", via="boto3")
        self.assertVerifies(ca.cert_path, leaf.cert_path)

    def test_6_serials_stay_unique_across_restarts(self):
        serials = {load_cert(self.c.get_certificate(
            CertificateAuthorityArn=self.sub.arn, CertificateArn=leaf.arn)["Certificate"]
        ).serial_number for leaf in self.leaves}
        self.assertEqual(len(serials), len(self.leaves))


if __name__ == "__main__":
    unittest.main(verbosity=2)
