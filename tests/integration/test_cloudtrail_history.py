"""The CloudTrail event history: every call through the pipeline is recorded once, with the
caller's identity, its outcome and the request id the client got, and `aws cloudtrail
lookup-events` finds it by every lookup key.

A scripted session by three identities: an IAM user (allowed, denied, failed, and a request with
a wrong secret), a role session with a session tag (ABAC: allowed on the tagged CA, denied on the
other), and a principal of another account issuing from a CA shared with it through RAM (one
record in each account, sharing sharedEventID). No secret (secret access keys, session tokens)
appears in any record. Then kill -9 during concurrent issuance: after the restart every
acknowledged certificate has its IssueCertificate record naming it, and no record names a
certificate that does not exist.
"""

import json
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

import test_access as access
from harness import ServerTestCase, build_root_ca, build_sub_ca, make_csr, template_arn


class CloudTrailHistoryTest(ServerTestCase):
    server_name = "cthistory"

    # The access-control test's helpers (CLI per service, member accounts, RAM), reused as is.
    # (Bound here, not to a module-level name: the loader would run AccessTest's tests too.)
    org = access.AccessTest.org
    iam = access.AccessTest.iam
    sts = access.AccessTest.sts
    ram = access.AccessTest.ram
    pca = access.AccessTest.pca
    create_member_account = access.AccessTest.create_member_account
    enter_account = access.AccessTest.enter_account

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = build_root_ca(cls.server, "ct-root", via="boto3")
        cls.sub = build_sub_ca(cls.server, cls.root, "ct-sub", via="boto3")
        cls.server.client().tag_certificate_authority(
            CertificateAuthorityArn=cls.sub.arn, Tags=[{"Key": "project", "Value": "alpha"}])
        cls.csr = make_csr(cls.server.work, "ctdevice")[1].read_bytes()

    # -- clients ------------------------------------------------------------------------------

    def client(self, service: str, creds: dict = None, retries: int = 1):
        creds = creds or {"AccessKeyId": self.srv.access_key_id,
                          "SecretAccessKey": self.srv.secret_access_key}
        cfg = botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"})
        return boto3.session.Session().client(
            service, endpoint_url=self.srv.endpoint, region_name=self.srv.region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"), config=cfg)

    def call(self, client, operation: str, expect_error: str = None, **params):
        """Calls and returns (request id the client got, output or error code)."""
        try:
            out = getattr(client, operation)(**params)
        except botocore.exceptions.ClientError as e:
            if expect_error != "any":
                self.assertEqual(e.response["Error"]["Code"], expect_error, e.response)
            return e.response["ResponseMetadata"]["RequestId"], e.response["Error"]["Code"]
        self.assertIsNone(expect_error, f"{operation} succeeded")
        return out["ResponseMetadata"]["RequestId"], out

    def issue(self, client, ca_arn: str, expect_error: str = None):
        return self.call(client, "issue_certificate", expect_error,
                         CertificateAuthorityArn=ca_arn, Csr=self.csr,
                         SigningAlgorithm="SHA256WITHECDSA",
                         Validity={"Value": 7, "Type": "DAYS"},
                         TemplateArn=template_arn("EndEntityCertificate"))

    def lookup(self, *attribute, creds: dict = None) -> list:
        """`aws cloudtrail lookup-events` (the CLI follows NextToken), records parsed."""
        args = ["lookup-events"]
        if attribute:
            args += ["--lookup-attributes", f"AttributeKey={attribute[0]},AttributeValue={attribute[1]}"]
        events = self.srv.cli("cloudtrail", *args, creds=creds)["Events"]
        for e in events:
            e["Record"] = json.loads(e["CloudTrailEvent"])
        return events

    def wait_for(self, request_ids, creds: dict = None) -> dict:
        """Records are final shortly after the response; wait until every id has one."""
        deadline = time.monotonic() + 20
        while True:
            events = self.lookup(creds=creds)
            by_id = {}
            for e in events:
                by_id.setdefault(e["Record"]["requestID"], []).append(e)
            if all(r in by_id for r in request_ids) or time.monotonic() > deadline:
                return by_id
            time.sleep(0.3)

    # -- the scripted session -----------------------------------------------------------------

    def test_01_session_of_three_identities(self):
        admin_iam = self.client("iam")
        mgmt = self.client("sts").get_caller_identity()["Account"]
        calls = []  # (request id, identity type, principal arn or None, error code or None)

        # 1. An IAM user: may issue and describe, nothing else.
        self.iam("create-user", "--user-name", "alice")
        self.iam("put-user-policy", "--user-name", "alice", "--policy-name", "issue",
                 "--policy-document", json.dumps({
                     "Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow",
                                    "Action": ["acm-pca:IssueCertificate",
                                               "acm-pca:DescribeCertificateAuthority"],
                                    "Resource": "*"}]}))
        alice = self.iam("create-access-key", "--user-name", "alice")["AccessKey"]
        alice_arn = f"arn:aws:iam::{mgmt}:user/alice"
        pca_alice = self.client("acm-pca", alice)
        rid, _ = self.call(pca_alice, "describe_certificate_authority",
                           CertificateAuthorityArn=self.sub.arn)
        calls.append((rid, "IAMUser", alice_arn, None))
        rid, out = self.issue(pca_alice, self.sub.arn)
        alice_cert = out["CertificateArn"]
        calls.append((rid, "IAMUser", alice_arn, None))
        rid, _ = self.call(pca_alice, "revoke_certificate", "AccessDeniedException",
                           CertificateAuthorityArn=self.sub.arn, CertificateSerial="01",
                           RevocationReason="KEY_COMPROMISE")
        calls.append((rid, "IAMUser", alice_arn, "AccessDeniedException"))
        missing_ca = self.sub.arn[:-12] + "000000000000"
        rid, code = self.call(pca_alice, "describe_certificate_authority", "any",
                              CertificateAuthorityArn=missing_ca)
        self.assertIn(code, ("ResourceNotFoundException", "AccessDeniedException"))
        calls.append((rid, "IAMUser", alice_arn, code))
        forged = dict(alice, SecretAccessKey="x" * 40)
        rid, code = self.call(self.client("acm-pca", forged), "describe_certificate_authority",
                              "any", CertificateAuthorityArn=self.sub.arn)
        self.assertIn(code, ("InvalidSignatureException", "SignatureDoesNotMatch"))
        calls.append((rid, "Unknown", None, code))

        # 2. A role session with a session tag (ABAC: project=alpha).
        self.iam("create-role", "--role-name", "issuer", "--assume-role-policy-document",
                 access.trust_account(mgmt))
        self.iam("put-role-policy", "--role-name", "issuer", "--policy-name", "abac",
                 "--policy-document", json.dumps(access.ABAC_POLICY))
        session = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{mgmt}:role/issuer", RoleSessionName="ci",
            Tags=[{"Key": "project", "Value": "alpha"}])["Credentials"]
        role_arn = f"arn:aws:sts::{mgmt}:assumed-role/issuer/ci"
        pca_role = self.client("acm-pca", session)
        rid, _ = self.issue(pca_role, self.sub.arn)
        calls.append((rid, "AssumedRole", role_arn, None))
        rid, _ = self.call(pca_role, "describe_certificate_authority", "AccessDeniedException",
                           CertificateAuthorityArn=self.root.arn)
        calls.append((rid, "AssumedRole", role_arn, "AccessDeniedException"))

        # 3. Another account issuing from the CA shared with it.
        self.org("create-organization", "--feature-set", "ALL")
        supplier = self.create_member_account("ctsupplier")
        share = self.ram("create-resource-share", "--name", "ct-issuance", "--resource-arns",
                         self.sub.arn, "--principals", supplier, "--permission-arns",
                         access.DEFAULT_PERMISSION)["resourceShare"]["resourceShareArn"]
        operator = self.enter_account(supplier)
        invitation = [i for i in self.ram("get-resource-share-invitations", creds=operator)
                      ["resourceShareInvitations"] if i["resourceShareArn"] == share][0]
        self.ram("accept-resource-share-invitation", "--resource-share-invitation-arn",
                 invitation["resourceShareInvitationArn"], creds=operator)
        rid_shared, out = self.issue(self.client("acm-pca", operator), self.sub.arn)
        shared_cert = out["CertificateArn"]

        by_id = self.wait_for([c[0] for c in calls] + [rid_shared])
        for rid, type_, arn, error in calls:
            found = by_id.get(rid, [])
            self.assertEqual(len(found), 1, f"{rid}: {found}")
            record = found[0]["Record"]
            ident = record["userIdentity"]
            self.assertEqual(ident["type"], type_, record)
            self.assertEqual(record["recipientAccountId"], mgmt)
            self.assertEqual(record.get("errorCode"), error, record)
            if error:
                self.assertTrue(record["errorMessage"], record)
            if type_ == "IAMUser":
                self.assertEqual(ident["arn"], arn)
                self.assertEqual(ident["userName"], "alice")
                self.assertEqual(ident["accessKeyId"], alice["AccessKeyId"])
                self.assertEqual(found[0]["Username"], "alice")
            elif type_ == "AssumedRole":
                self.assertEqual(ident["arn"], arn)
                issuer = ident["sessionContext"]["sessionIssuer"]
                self.assertEqual(issuer["type"], "Role")
                self.assertEqual(issuer["arn"], f"arn:aws:iam::{mgmt}:role/issuer")
                self.assertEqual(issuer["userName"], "issuer")
                self.assertTrue(issuer["principalId"].startswith("AROA"), issuer)
                self.assertEqual(ident["principalId"], issuer["principalId"] + ":ci")
                self.assertEqual(ident["sessionContext"]["attributes"]["mfaAuthenticated"],
                                 "false")
                self.assertEqual(found[0]["Username"], "ci")
            else:
                self.assertEqual(ident["accessKeyId"], alice["AccessKeyId"])
                self.assertEqual(ident.get("accountId"), mgmt)
            self.assertEqual(record["eventSource"], "acm-pca.amazonaws.com")
            self.assertEqual(record["eventVersion"], "1.08")
            self.assertEqual(record["awsRegion"], self.srv.region)
            self.assertIn("clientProvidedHostHeader", record["tlsDetails"])
        issued = by_id[calls[1][0]][0]["Record"]
        self.assertEqual(issued["responseElements"], {"certificateArn": alice_cert})
        self.assertEqual(issued["requestParameters"]["certificateAuthorityArn"], self.sub.arn)
        self.assertEqual(issued["requestParameters"]["validity"], {"value": 7, "type": "DAYS"})
        self.assertEqual(issued["resources"], [{"ARN": self.sub.arn, "accountId": mgmt,
                                                "type": "AWS::ACMPCA::CertificateAuthority"}])
        self.assertIsNone(by_id[calls[0][0]][0]["Record"]["responseElements"])  # read-only

        # The cross-account call: one copy per account, the same sharedEventID.
        owner_copy = by_id[rid_shared]
        self.assertEqual(len(owner_copy), 1, owner_copy)
        caller_copy = self.wait_for([rid_shared], creds=operator)[rid_shared]
        self.assertEqual(len(caller_copy), 1, caller_copy)
        a, b = owner_copy[0]["Record"], caller_copy[0]["Record"]
        self.assertEqual(a["recipientAccountId"], mgmt)
        self.assertEqual(b["recipientAccountId"], supplier)
        self.assertEqual(a["sharedEventID"], b["sharedEventID"])
        self.assertNotEqual(a["eventID"], b["eventID"])
        self.assertEqual(b["userIdentity"]["type"], "AssumedRole")
        self.assertEqual(b["userIdentity"]["accountId"], supplier)
        self.assertEqual(b["responseElements"], {"certificateArn": shared_cert})

        # Every call once: AssumeRole and the IAM calls too, each request id once per account.
        all_mgmt = self.lookup()
        ids = [e["Record"]["requestID"] for e in all_mgmt]
        self.assertEqual(len(ids), len(set(ids)), "a request recorded twice")
        names = {e["EventName"] for e in all_mgmt}
        for name in ("AssumeRole", "CreateUser", "PutUserPolicy", "CreateAccessKey",
                     "CreateResourceShare", "IssueCertificate", "LookupEvents"):
            self.assertIn(name, names)
        key_record = [e for e in all_mgmt if e["EventName"] == "CreateAccessKey"][0]["Record"]
        self.assertEqual(key_record["responseElements"]["accessKey"]["secretAccessKey"],
                         "HIDDEN_DUE_TO_SECURITY_REASONS")

        # No secret in any record of any account.
        everything = json.dumps(all_mgmt) + json.dumps(self.lookup(creds=operator))
        for secret in (alice["SecretAccessKey"], session["SecretAccessKey"],
                       session["SessionToken"], operator["SecretAccessKey"],
                       operator["SessionToken"], self.srv.secret_access_key):
            self.assertNotIn(secret, everything)

        # Every lookup key finds what it names, and only that.
        event_id = issued["eventID"]
        checks = [
            ("EventId", event_id, lambda e: e["EventId"] == event_id),
            ("EventName", "RevokeCertificate", lambda e: e["EventName"] == "RevokeCertificate"),
            ("ReadOnly", "true", lambda e: e["ReadOnly"] == "true"),
            ("ReadOnly", "false", lambda e: e["ReadOnly"] == "false"),
            ("Username", "alice", lambda e: e.get("Username") == "alice"),
            ("ResourceType", "AWS::ACMPCA::CertificateAuthority",
             lambda e: any(r["ResourceType"] == "AWS::ACMPCA::CertificateAuthority"
                           for r in e["Resources"])),
            ("ResourceName", self.root.arn,
             lambda e: any(r["ResourceName"] == self.root.arn for r in e["Resources"])),
            ("EventSource", "iam.amazonaws.com", lambda e: e["EventSource"] == "iam.amazonaws.com"),
            ("AccessKeyId", alice["AccessKeyId"],
             lambda e: e.get("AccessKeyId") == alice["AccessKeyId"]),
        ]
        for key, value, matches in checks:
            found = self.lookup(key, value)
            self.assertTrue(found, f"{key}={value} found nothing")
            self.assertTrue(all(matches(e) for e in found), f"{key}={value}: {found[:2]}")
        self.assertEqual(len(self.lookup("EventId", event_id)), 1)
        self.assertEqual(len(self.lookup("AccessKeyId", alice["AccessKeyId"])), 5)

        # Pagination: pages of 2 in order give the same list as one call; newest first.
        ct = self.client("cloudtrail")
        attrs = [{"AttributeKey": "Username", "AttributeValue": "alice"}]
        whole = ct.lookup_events(LookupAttributes=attrs)["Events"]
        paged, token, first_token = [], None, None
        while True:
            kw = {"NextToken": token} if token else {}
            page = ct.lookup_events(LookupAttributes=attrs, MaxResults=2, **kw)
            self.assertLessEqual(len(page["Events"]), 2)
            paged += page["Events"]
            token = page.get("NextToken")
            if not token:
                break
            first_token = first_token or token
        self.assertEqual([e["EventId"] for e in paged], [e["EventId"] for e in whole])
        times = [e["EventTime"] for e in whole]
        self.assertEqual(times, sorted(times, reverse=True))
        # A token is valid only with the same parameters; a forged one never.
        self.call(ct, "lookup_events", "InvalidNextTokenException", NextToken=first_token,
                  LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "bob"}])
        self.call(ct, "lookup_events", "InvalidNextTokenException",
                  NextToken="1.1." + "0" * 64)
        self.call(ct, "lookup_events", "InvalidLookupAttributesException",
                  LookupAttributes=attrs + [{"AttributeKey": "EventName",
                                             "AttributeValue": "IssueCertificate"}])
        self.call(ct, "lookup_events", "InvalidTimeRangeException",
                  StartTime=time.time(), EndTime=time.time() - 3600)
        self.assertEqual(ct.lookup_events(EventCategory="insight")["Events"], [])
        # The other account sees its own records only.
        self.assertNotIn(alice_cert, json.dumps(self.lookup(creds=operator)))

    # -- kill -9 during concurrent issuance -----------------------------------------------------

    def test_02_kill9_during_concurrent_issuance(self):
        srv = self.srv
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def worker():
            c = self.client("acm-pca")
            while not stop.is_set():
                try:
                    out = c.issue_certificate(
                        CertificateAuthorityArn=self.sub.arn, Csr=self.csr,
                        SigningAlgorithm="SHA256WITHECDSA", Validity={"Value": 7, "Type": "DAYS"})
                except Exception:  # the server went away mid-call
                    return
                with lock:
                    acknowledged.append(out["CertificateArn"])

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        self.assertGreaterEqual(len(acknowledged), 10)
        srv.start()

        ct = self.client("cloudtrail")
        named = set()
        for page in ct.get_paginator("lookup_events").paginate(
                LookupAttributes=[{"AttributeKey": "EventName",
                                   "AttributeValue": "IssueCertificate"}]):
            for e in page["Events"]:
                record = json.loads(e["CloudTrailEvent"])
                if record.get("errorCode"):
                    continue
                arn = (record.get("responseElements") or {}).get("certificateArn")
                self.assertTrue(arn, record)
                named.add(arn)
        missing = [a for a in acknowledged if a not in named]
        self.assertEqual(missing, [], "acknowledged certificates without a record")
        c = self.client("acm-pca")
        for arn in named:
            ca_arn = arn.split("/certificate/")[0]
            c.get_certificate(CertificateAuthorityArn=ca_arn, CertificateArn=arn)


if __name__ == "__main__":
    import unittest
    unittest.main()
