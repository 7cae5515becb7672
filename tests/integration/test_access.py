"""Accounts, identities and permissions, driven with the AWS CLI only.

The supplier scenario: a manufacturer's management account holds a root and two subordinate
CAs; two supplier accounts are created through Organizations; each subordinate is shared with
one supplier through RAM with the issuance-only permission for EndEntityCertificate/V1; in each
supplier account an ABAC role (aws:ResourceTag/project = ${aws:PrincipalTag/project}) is assumed
with a session tag. The supplier issues with the allowed template and nothing else, and loses
access when the share is deleted.

Two-person control: operator A may disable but not delete, B may delete but not disable; neither
alone takes an ACTIVE CA to DELETED.
"""

import json
import time
import unittest

from harness import (ServerTestCase, build_root_ca, build_sub_ca, make_csr, template_arn)

DEFAULT_PERMISSION = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority"

ABAC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["acm-pca:IssueCertificate", "acm-pca:GetCertificate",
                   "acm-pca:DescribeCertificateAuthority", "acm-pca:RevokeCertificate",
                   "acm-pca:UpdateCertificateAuthority", "acm-pca:DeleteCertificateAuthority"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/project": "${aws:PrincipalTag/project}"}},
    }, {
        # Listing has no resource (and so no resource tag).
        "Effect": "Allow",
        "Action": "acm-pca:ListCertificateAuthorities",
        "Resource": "*",
    }],
}


def trust_account(account: str, tag_session: bool = True) -> str:
    actions = ["sts:AssumeRole"] + (["sts:TagSession"] if tag_session else [])
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                       "Action": actions}],
    })


class AccessTest(ServerTestCase):
    server_name = "access"

    # -- helpers --------------------------------------------------------------------------

    def org(self, *args, **kw):
        return self.srv.cli("organizations", *args, **kw)

    def iam(self, *args, **kw):
        return self.srv.cli("iam", *args, **kw)

    def sts(self, *args, **kw):
        return self.srv.cli("sts", *args, **kw)

    def ram(self, *args, **kw):
        return self.srv.cli("ram", *args, **kw)

    def pca(self, *args, **kw):
        return self.srv.cli("acm-pca", *args, **kw)

    def create_member_account(self, name: str) -> str:
        status = self.org("create-account", "--email", f"{name}@example.com",
                          "--account-name", name)["CreateAccountStatus"]
        request_id = status["Id"]
        for _ in range(100):
            status = self.org("describe-create-account-status", "--create-account-request-id",
                              request_id)["CreateAccountStatus"]
            if status["State"] != "IN_PROGRESS":
                break
            time.sleep(0.2)
        self.assertEqual(status["State"], "SUCCEEDED", status)
        return status["AccountId"]

    def enter_account(self, account: str) -> dict:
        """`aws sts assume-role` into OrganizationAccountAccessRole, as on AWS."""
        out = self.sts("assume-role", "--role-arn",
                       f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                       "--role-session-name", "operator")
        return out["Credentials"]

    def issue_csr(self, ca_arn: str, csr_name: str, template: str, creds: dict,
                  expect_error=None):
        args = ["issue-certificate", "--certificate-authority-arn", ca_arn,
                "--csr", f"fileb://{csr_name}", "--signing-algorithm", "SHA256WITHECDSA",
                "--validity", "Value=7,Type=DAYS", "--template-arn", template_arn(template)]
        return self.pca(*args, creds=creds, expect_error=expect_error)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = build_root_ca(cls.server, "mfg-root", via="boto3")
        cls.sub1 = build_sub_ca(cls.server, cls.root, "supplier1-ca", via="boto3")
        cls.sub2 = build_sub_ca(cls.server, cls.root, "supplier2-ca", via="boto3")
        c = cls.server.client()
        c.tag_certificate_authority(CertificateAuthorityArn=cls.sub1.arn,
                                    Tags=[{"Key": "project", "Value": "alpha"}])
        c.tag_certificate_authority(CertificateAuthorityArn=cls.sub2.arn,
                                    Tags=[{"Key": "project", "Value": "beta"}])
        make_csr(cls.server.work, "device")

    # -- the supplier scenario ------------------------------------------------------------

    def test_01_supplier_scenario(self):
        me = self.sts("get-caller-identity")
        mgmt = me["Account"]
        self.assertTrue(me["Arn"].startswith(f"arn:aws:iam::{mgmt}:user/"), me)

        self.org("create-organization", "--feature-set", "ALL")
        accounts = {}
        for name in ("supplier1", "supplier2"):
            accounts[name] = self.create_member_account(name)
        listed = {a["Id"] for a in self.org("list-accounts")["Accounts"]}
        self.assertEqual(listed, {mgmt, *accounts.values()})

        shares = {}
        for name, ca in (("supplier1", self.sub1), ("supplier2", self.sub2)):
            share = self.ram("create-resource-share", "--name", f"{name}-issuance",
                             "--resource-arns", ca.arn, "--principals", accounts[name],
                             "--permission-arns", DEFAULT_PERMISSION)["resourceShare"]
            shares[name] = share["resourceShareArn"]

        issuers = {}
        for name, project in (("supplier1", "alpha"), ("supplier2", "beta")):
            account = accounts[name]
            admin = self.enter_account(account)
            ident = self.sts("get-caller-identity", creds=admin)
            self.assertEqual(ident["Account"], account)
            self.assertIn(":assumed-role/OrganizationAccountAccessRole/operator", ident["Arn"])
            # The share waits for the supplier to accept it (no organization-wide sharing).
            invitations = self.ram("get-resource-share-invitations",
                                   creds=admin)["resourceShareInvitations"]
            pending = [i for i in invitations if i["resourceShareArn"] == shares[name]]
            self.assertEqual(len(pending), 1, invitations)
            self.assertEqual(pending[0]["status"], "PENDING")
            self.ram("accept-resource-share-invitation", "--resource-share-invitation-arn",
                     pending[0]["resourceShareInvitationArn"], creds=admin)
            # The supplier's own identities: an ABAC role and a user that may assume it.
            self.iam("create-role", "--role-name", "ca-issuer", "--assume-role-policy-document",
                     trust_account(account), creds=admin)
            self.iam("put-role-policy", "--role-name", "ca-issuer", "--policy-name", "abac",
                     "--policy-document", json.dumps(ABAC_POLICY), creds=admin)
            self.iam("create-user", "--user-name", "build", creds=admin)
            self.iam("put-user-policy", "--user-name", "build", "--policy-name", "assume",
                     "--policy-document", json.dumps({
                         "Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow",
                                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                                        "Resource": f"arn:aws:iam::{account}:role/ca-issuer"}]}),
                     creds=admin)
            key = self.iam("create-access-key", "--user-name", "build", creds=admin)["AccessKey"]
            session = self.sts("assume-role", "--role-arn",
                               f"arn:aws:iam::{account}:role/ca-issuer",
                               "--role-session-name", "ci", "--tags",
                               f"Key=project,Value={project}", creds=key)
            issuers[name] = session["Credentials"]

        s1 = issuers["supplier1"]
        # The shared CA is visible to the supplier.
        shared = self.pca("list-certificate-authorities", "--resource-owner", "OTHER_ACCOUNTS",
                          creds=s1)["CertificateAuthorities"]
        self.assertEqual([c["Arn"] for c in shared], [self.sub1.arn])
        # Issues with the allowed template.
        cert_arn = self.issue_csr(self.sub1.arn, "device.csr", "EndEntityCertificate",
                                  s1)["CertificateArn"]
        self.assertTrue(cert_arn.startswith(self.sub1.arn + "/certificate/"))
        got = self.c.get_certificate(CertificateAuthorityArn=self.sub1.arn,
                                     CertificateArn=cert_arn)
        self.assertIn("BEGIN CERTIFICATE", got["Certificate"])
        # Refused another template, the other supplier's CA, and every change of the CA.
        self.issue_csr(self.sub1.arn, "device.csr", "EndEntityClientAuthCertificate", s1,
                       expect_error="AccessDeniedException")
        self.issue_csr(self.sub2.arn, "device.csr", "EndEntityCertificate", s1,
                       expect_error="AccessDeniedException")
        self.pca("update-certificate-authority", "--certificate-authority-arn", self.sub1.arn,
                 "--status", "DISABLED", creds=s1, expect_error="AccessDeniedException")
        self.pca("delete-certificate-authority", "--certificate-authority-arn", self.sub1.arn,
                 creds=s1, expect_error="AccessDeniedException")
        self.pca("revoke-certificate", "--certificate-authority-arn", self.sub1.arn,
                 "--certificate-serial", "01", "--revocation-reason", "KEY_COMPROMISE",
                 creds=s1, expect_error="AccessDeniedException")
        self.pca("tag-certificate-authority", "--certificate-authority-arn", self.sub1.arn,
                 "--tags", "Key=project,Value=beta", creds=s1,
                 expect_error="AccessDeniedException")
        # Nothing changed.
        self.assertEqual(self.describe(self.sub1.arn)["Status"], "ACTIVE")
        self.assertEqual(self.tags(self.sub1.arn), {"project": "alpha"})
        # The other supplier issues from its own CA only.
        s2 = issuers["supplier2"]
        self.issue_csr(self.sub2.arn, "device.csr", "EndEntityCertificate", s2)
        self.issue_csr(self.sub1.arn, "device.csr", "EndEntityCertificate", s2,
                       expect_error="AccessDeniedException")

        # The manufacturer withdraws the share: the next issuance is refused.
        self.ram("delete-resource-share", "--resource-share-arn", shares["supplier1"])
        self.issue_csr(self.sub1.arn, "device.csr", "EndEntityCertificate", s1,
                       expect_error="AccessDeniedException")

    # -- two-person control ---------------------------------------------------------------

    def test_02_two_person_control(self):
        ca = build_sub_ca(self.srv, self.root, "two-person-ca", via="boto3")
        describe = ["acm-pca:DescribeCertificateAuthority"]
        self.iam("create-user", "--user-name", "operator-a")
        self.iam("put-user-policy", "--user-name", "operator-a", "--policy-name", "disable",
                 "--policy-document", json.dumps({
                     "Version": "2012-10-17",
                     "Statement": [
                         {"Effect": "Allow",
                          "Action": describe + ["acm-pca:UpdateCertificateAuthority"],
                          "Resource": "*"},
                         {"Effect": "Deny", "Action": "acm-pca:DeleteCertificateAuthority",
                          "Resource": "*"}]}))
        self.iam("create-user", "--user-name", "operator-b")
        self.iam("put-user-policy", "--user-name", "operator-b", "--policy-name", "delete",
                 "--policy-document", json.dumps({
                     "Version": "2012-10-17",
                     "Statement": [
                         {"Effect": "Allow",
                          "Action": describe + ["acm-pca:DeleteCertificateAuthority"],
                          "Resource": "*"},
                         {"Effect": "Deny", "Action": "acm-pca:UpdateCertificateAuthority",
                          "Resource": "*"}]}))
        a = self.iam("create-access-key", "--user-name", "operator-a")["AccessKey"]
        b = self.iam("create-access-key", "--user-name", "operator-b")["AccessKey"]

        # A alone cannot delete; B alone cannot delete an ACTIVE CA nor disable it.
        self.pca("delete-certificate-authority", "--certificate-authority-arn", ca.arn,
                 creds=a, expect_error="AccessDeniedException")
        self.pca("delete-certificate-authority", "--certificate-authority-arn", ca.arn,
                 creds=b, expect_error="InvalidStateException")
        self.pca("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--status", "DISABLED", creds=b, expect_error="AccessDeniedException")
        self.assertEqual(self.status(ca.arn), "ACTIVE")
        # Together: A disables, B deletes.
        self.pca("update-certificate-authority", "--certificate-authority-arn", ca.arn,
                 "--status", "DISABLED", creds=a)
        self.assertEqual(self.status(ca.arn), "DISABLED")
        self.pca("delete-certificate-authority", "--certificate-authority-arn", ca.arn,
                 creds=a, expect_error="AccessDeniedException")
        self.assertEqual(self.status(ca.arn), "DISABLED")
        self.pca("delete-certificate-authority", "--certificate-authority-arn", ca.arn, creds=b)
        self.assertEqual(self.status(ca.arn), "DELETED")

    # -- denied calls and bad credentials -------------------------------------------------

    def test_03_user_without_policies_is_denied_everything(self):
        self.iam("create-user", "--user-name", "nobody")
        key = self.iam("create-access-key", "--user-name", "nobody")["AccessKey"]
        self.pca("list-certificate-authorities", creds=key, expect_error="AccessDeniedException")
        self.iam("list-users", creds=key, expect_error="AccessDenied")
        # The S3 API goes through the same policies.
        self.srv.cli("s3api", "list-buckets", creds=key, expect_error="AccessDenied")
        self.srv.cli("s3api", "create-bucket", "--bucket", "not-allowed-bucket", creds=key,
                     expect_error="AccessDenied")
        self.assertNotIn("not-allowed-bucket",
                         [b["Name"] for b in self.srv.cli("s3api", "list-buckets")["Buckets"]])
        # GetCallerIdentity needs no permission.
        me = self.sts("get-caller-identity", creds=key)
        self.assertTrue(me["Arn"].endswith(":user/nobody"))
        self.assertTrue(me["UserId"].startswith("AIDA"))

    def test_04_tampered_and_unknown_credentials(self):
        self.sts("assume-role", "--role-arn", f"arn:aws:iam::{self._mgmt()}:role/does-not-exist",
                 "--role-session-name", "probe", expect_error="AccessDenied")
        self.iam("create-role", "--role-name", "self-trust", "--assume-role-policy-document",
                 trust_account(self._mgmt(), tag_session=False))
        self.iam("attach-role-policy", "--role-name", "self-trust", "--policy-arn",
                 "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly")
        session = self.sts("assume-role", "--role-arn",
                           f"arn:aws:iam::{self._mgmt()}:role/self-trust",
                           "--role-session-name", "ro")["Credentials"]
        self.assertTrue(session["AccessKeyId"].startswith("ASIA"))
        self.pca("list-certificate-authorities", creds=session)
        # Read-only: a change is refused.
        self.pca("tag-certificate-authority", "--certificate-authority-arn", self.sub1.arn,
                 "--tags", "Key=x,Value=y", creds=session, expect_error="AccessDeniedException")
        # One character of the token changed: refused.
        token = session["SessionToken"]
        flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
        self.pca("list-certificate-authorities",
                 creds=dict(session, SessionToken=flipped),
                 expect_error={"UnrecognizedClientException", "InvalidClientTokenId",
                               "IncompleteSignatureException"})
        # Without the token: refused.
        self.pca("list-certificate-authorities", creds=dict(session, SessionToken=""),
                 expect_error={"UnrecognizedClientException", "InvalidClientTokenId"})

    def _mgmt(self) -> str:
        return self.sts("get-caller-identity")["Account"]


if __name__ == "__main__":
    unittest.main()
