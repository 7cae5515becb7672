"""Two openpca servers on one PostgreSQL database (each its own data directory; the database, the
master key file and the object store shared): either one serves every call on the state the other
wrote and signs for the CAs the other made; an access key made on one works on the other; a revocation on one is answered "revoked" by the
other's OCSP responder; under issuance load from both, one is killed with SIGKILL and the other
goes on: every acknowledged certificate is there, no serial twice, and the periodic jobs the dead
one held (CRL sweep, trail delivery, renewals, purges) move to the survivor."""

import base64
import concurrent.futures
import http.client
import json
import shutil
import tempfile
import threading
import time
import unittest
import urllib.parse
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from harness import (Server, fetch_csr, fetch_cert, import_ca_cert, issue, load_cert, make_csr,
                     postgres_cluster, postgres_dsn, verify_chain)

LEASE_TERM_S = 3
OCSP_MAX_AGE_S = 2
JOBS = ("crl-sweep", "trail-delivery", "housekeeping", "acm-renewal")
# Jobs whose loop asks for its lease every few seconds here (CRL sweep every second, trail delivery
# every quarter of its interval): they move within a lease term. Housekeeping (10 min) and renewals
# (acm_scheduler_interval_s) move at the survivor's next pass.
FAST_JOBS = ("crl-sweep", "trail-delivery")


def ocsp_status(server: Server, cert: x509.Certificate, issuer: x509.Certificate):
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()
    u = urllib.parse.urlsplit(server.endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request("POST", "/ocsp", body=req.public_bytes(serialization.Encoding.DER),
                     headers={"Content-Type": "application/ocsp-request"})
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    resp = ocsp.load_der_ocsp_response(body)
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return None
    return resp.certificate_status


class TwoServersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = postgres_cluster()
        dsn = postgres_dsn()
        cls.database = dsn.split("dbname=")[1]
        cls.shared = Path(tempfile.mkdtemp(prefix="openpca-shared-"))
        env = {"OPENPCA_POSTGRES_DSN": dsn,
               "OPENPCA_MASTER_KEY_FILE": str(cls.shared / "master.key"),
               "OPENPCA_OBJECTS_DIR": str(cls.shared / "objects"),
               "OPENPCA_LEASE_TERM_S": str(LEASE_TERM_S),
               "OPENPCA_CRL_SWEEP_INTERVAL_S": "1",
               "OPENPCA_OCSP_CACHE_MAX_AGE_S": str(OCSP_MAX_AGE_S)}
        cls.a = Server("two-a", extra_env=env)
        cls.b = Server("two-b", extra_env=env)
        cls.a.start()
        cls.b.start()
        # The CA is made on A after B started: B learns of it from the database.
        c = cls.a.client()
        cls.ca_arn = c.create_certificate_authority(
            CertificateAuthorityConfiguration={
                "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
                "Subject": {"CommonName": "shared root", "Organization": "Example Corp"}},
            RevocationConfiguration={"OcspConfiguration": {"Enabled": True}},
            CertificateAuthorityType="ROOT")["CertificateAuthorityArn"]
        fetch_csr(cls.a, cls.ca_arn, "root", via="boto3")
        cert_arn = issue(cls.a, cls.ca_arn, "root.csr", "SHA256WITHECDSA", "Value=5,Type=YEARS",
                         "RootCACertificate", via="boto3")
        cert, _ = fetch_cert(cls.a, cls.ca_arn, cert_arn, via="boto3")
        cls.root_path = cls.a.write("root.pem", cert)
        import_ca_cert(cls.a, cls.ca_arn, "root.pem", via="boto3")
        cls.root = load_cert(cert)

    @classmethod
    def tearDownClass(cls):
        for s in (cls.a, cls.b):
            s.close()
        shutil.rmtree(cls.shared, ignore_errors=True)

    def psql(self, sql: str) -> str:
        return self.cluster.psql(self.database, sql)

    def leaf_on(self, server: Server, name: str):
        _, csr = make_csr(server.work, name)
        arn = server.client().issue_certificate(
            CertificateAuthorityArn=self.ca_arn, Csr=csr.read_bytes(),
            SigningAlgorithm="SHA256WITHECDSA",
            Validity={"Value": 1, "Type": "DAYS"})["CertificateArn"]
        pem, _ = fetch_cert(server, self.ca_arn, arn, via="boto3")
        return arn, pem

    def wait_for(self, predicate, what: str, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail(f"timed out waiting for {what}\nA:\n{self.a.log_tail(15)}\nB:\n"
                  f"{self.b.log_tail(15)}")

    def test_1_either_server_serves_the_other_ones_state(self):
        self.assertEqual(self.a.access_key_id, self.b.access_key_id)  # one account, found by B
        described = self.b.client().describe_certificate_authority(
            CertificateAuthorityArn=self.ca_arn)["CertificateAuthority"]
        self.assertEqual(described["Status"], "ACTIVE")
        # B signs with the CA key A generated (sealed in the database).
        arn, pem = self.leaf_on(self.b, "leaf-b")
        from_a = self.a.client().get_certificate(CertificateAuthorityArn=self.ca_arn,
                                                 CertificateArn=arn)["Certificate"]
        self.assertEqual(from_a.strip(), pem.strip())
        leaf_path = self.b.write("leaf-b.pem", pem)
        ok, out = verify_chain(self.root_path, leaf_path)
        self.assertTrue(ok, out)

    def test_1b_an_access_key_made_on_one_works_on_the_other(self):
        import boto3
        iam = boto3.session.Session().client(
            "iam", endpoint_url=self.a.endpoint, region_name=self.a.region,
            aws_access_key_id=self.a.access_key_id,
            aws_secret_access_key=self.a.secret_access_key)
        made = iam.create_access_key(UserName="admin")["AccessKey"]
        try:
            on_b = self.b.boto3(retries=1, aws_access_key_id=made["AccessKeyId"],
                                aws_secret_access_key=made["SecretAccessKey"])

            def works():
                try:
                    on_b.list_certificate_authorities(MaxResults=1)
                    return True
                except Exception:
                    return False

            started = time.monotonic()
            self.wait_for(works, "B to accept an access key created on A", 30)
            print(f"[two servers] B accepted A's new access key "
                  f"{time.monotonic() - started:.1f} s after it was created")
        finally:
            iam.delete_access_key(UserName="admin", AccessKeyId=made["AccessKeyId"])

    def test_1c_a_tag_written_on_one_decides_the_others_authorization(self):
        """A CA's tags (like its policy, permissions and shares) are facts the authorizer keeps
        per CA: a change made through A reaches B's decisions within the documented bound, both
        ways (granted, then withdrawn)."""
        import boto3
        import botocore.exceptions
        iam = boto3.session.Session().client(
            "iam", endpoint_url=self.a.endpoint, region_name=self.a.region,
            aws_access_key_id=self.a.access_key_id,
            aws_secret_access_key=self.a.secret_access_key)
        iam.create_user(UserName="tagged-issuer")
        iam.put_user_policy(UserName="tagged-issuer", PolicyName="issue-when-prod",
                            PolicyDocument=json.dumps({
                                "Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow",
                                               "Action": "acm-pca:IssueCertificate",
                                               "Resource": "*",
                                               "Condition": {"StringEquals": {
                                                   "aws:ResourceTag/env": "prod"}}}]}))
        key = iam.create_access_key(UserName="tagged-issuer")["AccessKey"]
        on_b = self.b.boto3(retries=1, aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"])
        _, csr = make_csr(self.b.work, "tagged")

        def issue_on_b():
            try:
                on_b.issue_certificate(CertificateAuthorityArn=self.ca_arn, Csr=csr.read_bytes(),
                                       SigningAlgorithm="SHA256WITHECDSA",
                                       Validity={"Value": 1, "Type": "DAYS"})
                return "issued"
            except botocore.exceptions.ClientError as e:
                return e.response["Error"]["Code"]

        a_pca = self.a.client()
        try:
            # B knows the user (identity refresh) and denies: the CA has no env tag.
            self.wait_for(lambda: issue_on_b() == "AccessDeniedException",
                          "B to know the new user and deny it", 30)
            a_pca.tag_certificate_authority(CertificateAuthorityArn=self.ca_arn,
                                            Tags=[{"Key": "env", "Value": "prod"}])
            started = time.monotonic()
            self.wait_for(lambda: issue_on_b() == "issued", "B to allow after A tagged", 30)
            granted_s = time.monotonic() - started
            a_pca.untag_certificate_authority(CertificateAuthorityArn=self.ca_arn,
                                              Tags=[{"Key": "env", "Value": "prod"}])
            started = time.monotonic()
            self.wait_for(lambda: issue_on_b() == "AccessDeniedException",
                          "B to deny again after A untagged", 30)
            print(f"[two servers] B decided on A's tag change {granted_s:.2f} s (tagged) and "
                  f"{time.monotonic() - started:.2f} s (untagged) after it (bound: 0.1 s poll)")
        finally:
            a_pca.untag_certificate_authority(CertificateAuthorityArn=self.ca_arn,
                                              Tags=[{"Key": "env", "Value": "prod"}])
            iam.delete_access_key(UserName="tagged-issuer", AccessKeyId=key["AccessKeyId"])

    def test_2_a_revocation_on_one_is_revoked_on_the_others_ocsp(self):
        arn, pem = self.leaf_on(self.a, "leaf-ocsp")
        leaf = load_cert(pem)
        self.wait_for(lambda: ocsp_status(self.b, leaf, self.root) == ocsp.OCSPCertStatus.GOOD,
                      "B's OCSP to answer good for a CA and certificate A made")
        serial = format(leaf.serial_number, "x")
        self.a.client().revoke_certificate(CertificateAuthorityArn=self.ca_arn,
                                           CertificateSerial=serial,
                                           RevocationReason="KEY_COMPROMISE")
        started = time.monotonic()
        self.wait_for(lambda: ocsp_status(self.b, leaf, self.root) == ocsp.OCSPCertStatus.REVOKED,
                      "B's OCSP to answer revoked after A's revocation")
        print(f"[two servers] B answered revoked {time.monotonic() - started:.1f} s after A's "
              f"revocation (bound: ocsp_cache_max_age_s = {OCSP_MAX_AGE_S})")

    def test_3_kill9_one_server_under_load_the_other_goes_on(self):
        # Wait until every job has a lease holder, then note the ones A holds.
        def lease_holders():
            rows = [line.split("|") for line in
                    self.psql("SELECT name, holder FROM leases").splitlines() if line]
            holders = dict(rows)
            return holders if all(j in holders for j in JOBS) else None

        holders = self.wait_for(lease_holders, "every periodic job to have a lease holder")
        a_prefix = f"/{self.a.proc.pid}/"
        held_by_a = [j for j in FAST_JOBS if a_prefix in holders[j]]
        # A started first, and its loops ask at once: it holds them.
        self.assertTrue(held_by_a, f"A holds none of {FAST_JOBS}: {holders}")
        tokens_before = {j: int(self.psql(
            f"SELECT fencing_token FROM leases WHERE name = '{j}'")) for j in held_by_a}

        _, csr = make_csr(self.a.work, "load")
        csr_bytes = csr.read_bytes()
        acked = {"a": [], "b": []}
        lock = threading.Lock()
        a_dead = threading.Event()

        def worker(name: str, server: Server, count: int):
            client = server.boto3(retries=1 if name == "a" else 3)
            for _ in range(count):
                if name == "a" and a_dead.is_set():
                    return
                try:
                    arn = client.issue_certificate(
                        CertificateAuthorityArn=self.ca_arn, Csr=csr_bytes,
                        SigningAlgorithm="SHA256WITHECDSA",
                        Validity={"Value": 1, "Type": "DAYS"})["CertificateArn"]
                except Exception:  # the server died under the call: not acknowledged
                    if name == "a":
                        return
                    raise
                with lock:
                    acked[name].append(arn)

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(worker, "a", self.a, 60) for _ in range(3)]
            futures += [pool.submit(worker, "b", self.b, 40) for _ in range(3)]
            self.wait_for(lambda: len(acked["a"]) >= 30, "A to acknowledge 30 certificates", 60)
            self.a.kill9()
            a_dead.set()
            for f in futures:
                f.result(timeout=120)

        all_acked = acked["a"] + acked["b"]
        self.assertEqual(len(acked["b"]), 120)
        self.assertGreaterEqual(len(acked["a"]), 30)
        self.assertEqual(len(set(all_acked)), len(all_acked), "a serial was handed out twice")
        serials = [arn.rsplit("/", 1)[1] for arn in all_acked]
        stored = set(self.psql(
            "SELECT serial_hex FROM certificates WHERE revoked_at_ms IS NULL").split())
        missing = [s for s in serials if s not in stored]
        self.assertEqual(missing, [], "acknowledged certificates missing after kill -9")
        c = self.b.client()
        for arn in all_acked[::10]:  # B serves what the dead server issued
            c.get_certificate(CertificateAuthorityArn=self.ca_arn, CertificateArn=arn)

        # The jobs the dead server held move to B within about one lease term (+ a loop period).
        started = time.monotonic()
        for job in held_by_a:
            self.wait_for(lambda: a_prefix not in self.psql(
                f"SELECT holder FROM leases WHERE name = '{job}'"), f"{job} to move to B", 60)
            self.assertGreater(int(self.psql(
                f"SELECT fencing_token FROM leases WHERE name = '{job}'")), tokens_before[job])
        print(f"[two servers] A held {held_by_a}; B held them {time.monotonic() - started:.1f} s "
              f"after the load ended (lease term {LEASE_TERM_S} s); acknowledged: "
              f"A {len(acked['a'])}, B {len(acked['b'])}")


if __name__ == "__main__":
    unittest.main()
