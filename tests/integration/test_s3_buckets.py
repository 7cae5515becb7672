"""The S3 bucket steps of AWS's guide to a CRL bucket, typed with `aws s3api` against openpca's
built-in buckets: create-bucket, put-bucket-policy (the documented acm-pca policy),
put-public-access-block, then a CA whose CRL goes there; object writes, ACLs, deletes, and S3's
XML errors for what is refused or not offered. Every refusal leaves the state as it was."""

import hashlib
import http.client
import json
import subprocess
import unittest
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import AWS, CLI_ERROR_RE, ServerTestCase, ca_config


def acm_pca_bucket_policy(bucket: str, account: str) -> str:
    """The bucket policy the AWS Private CA guide gives for a CRL bucket."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "acm-pca.amazonaws.com"},
            "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:GetBucketAcl",
                       "s3:GetBucketLocation"],
            "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }],
    }, indent=2)


class S3BucketsTest(ServerTestCase):
    server_name = "s3buckets"

    def s3api(self, *args, expect_error=None):
        cmd = [AWS, "s3api", *[str(a) for a in args], "--endpoint-url", self.srv.endpoint,
               "--output", "json"]
        r = subprocess.run(cmd, cwd=str(self.srv.work), env=self.srv.cli_env(),
                           capture_output=True, text=True, timeout=120)
        if expect_error is not None:
            self.assertNotEqual(r.returncode, 0, f"{args} succeeded: {r.stdout}")
            m = CLI_ERROR_RE.search(r.stderr)
            self.assertIsNotNone(m, r.stderr)
            self.assertEqual(m.group(1), expect_error, r.stderr)
            return m.group(1)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def buckets(self):
        return sorted(b["Name"] for b in self.s3api("list-buckets").get("Buckets", []))

    def keys(self, bucket):
        return sorted(o["Key"] for o in
                      self.s3api("list-objects-v2", "--bucket", bucket).get("Contents", []))

    def anonymous_get(self, path):
        u = urllib.parse.urlparse(self.srv.endpoint)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    # -- buckets ------------------------------------------------------------------------------

    def test_1_create_bucket_and_its_errors(self):
        out = self.s3api("create-bucket", "--bucket", "pki-crl-one")
        self.assertEqual(out.get("Location"), "/pki-crl-one")
        self.s3api("head-bucket", "--bucket", "pki-crl-one")
        self.assertIn("pki-crl-one", self.buckets())
        # us-east-1 answers 200 to re-creating one's own bucket (S3's legacy behaviour).
        self.s3api("create-bucket", "--bucket", "pki-crl-one")
        before = self.buckets()
        self.s3api("create-bucket", "--bucket", "Bad_Name", expect_error="InvalidBucketName")
        self.s3api("create-bucket", "--bucket", "ocsp", expect_error="BucketAlreadyExists")
        self.s3api("create-bucket", "--bucket", "pki-crl-elsewhere", "--create-bucket-configuration",
                   "LocationConstraint=eu-west-1",
                   expect_error="IllegalLocationConstraintException")
        self.assertEqual(self.buckets(), before)

    def test_2_bucket_policy_stored_as_given(self):
        self.s3api("create-bucket", "--bucket", "pki-crl-policy")
        self.s3api("get-bucket-policy", "--bucket", "pki-crl-policy",
                   expect_error="NoSuchBucketPolicy")
        doc = acm_pca_bucket_policy("pki-crl-policy", "123456789012")
        self.srv.write("policy.json", doc)
        self.s3api("put-bucket-policy", "--bucket", "pki-crl-policy", "--policy",
                   "file://policy.json")
        got = self.s3api("get-bucket-policy", "--bucket", "pki-crl-policy")
        self.assertEqual(got["Policy"], doc)
        # Not JSON: refused, and the stored document stays.
        self.s3api("put-bucket-policy", "--bucket", "pki-crl-policy", "--policy", "not json",
                   expect_error="MalformedPolicy")
        self.assertEqual(self.s3api("get-bucket-policy", "--bucket", "pki-crl-policy")["Policy"],
                         doc)
        self.s3api("put-bucket-policy", "--bucket", "no-such-bucket-here", "--policy",
                   "file://policy.json", expect_error="NoSuchBucket")
        self.s3api("delete-bucket-policy", "--bucket", "pki-crl-policy")
        self.s3api("get-bucket-policy", "--bucket", "pki-crl-policy",
                   expect_error="NoSuchBucketPolicy")

    def test_2a_bucket_policy_governs_the_ca_writes(self):
        """The documented policy for this account lets the CA write its CRLs; the same policy for
        another account does not: the bucket probe fails and nothing is created."""
        c = self.srv.client()
        account = self.srv.cli("sts", "get-caller-identity")["Account"]
        crl = lambda b: {"CrlConfiguration": {"Enabled": True, "S3BucketName": b,
                                              "S3ObjectAcl": "BUCKET_OWNER_FULL_CONTROL"}}
        for bucket, owner, ok in (("pki-crl-other", "123456789012", False),
                                  ("pki-crl-mine", account, True)):
            self.s3api("create-bucket", "--bucket", bucket)
            self.srv.write(f"{bucket}.json", acm_pca_bucket_policy(bucket, owner))
            self.s3api("put-bucket-policy", "--bucket", bucket, "--policy",
                       f"file://{bucket}.json")
            before = c.list_certificate_authorities()["CertificateAuthorities"]
            create = lambda: c.create_certificate_authority(
                CertificateAuthorityConfiguration=ca_config(f"{bucket} CA", "EC_prime256v1",
                                                            "SHA256WITHECDSA"),
                CertificateAuthorityType="ROOT", RevocationConfiguration=crl(bucket))
            if ok:
                create()
                self.assertIn("acm-pca-permission-test-key", self.keys(bucket))
            else:
                with self.assertRaises(Exception) as e:
                    create()
                self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
                self.assertEqual(c.list_certificate_authorities()["CertificateAuthorities"],
                                 before)
                self.assertEqual(self.keys(bucket), [])

    def test_3_public_access_block_and_a_ca_that_writes_there(self):
        b = "pki-crl-blocked"
        self.s3api("create-bucket", "--bucket", b)
        self.s3api("get-public-access-block", "--bucket", b,
                   expect_error="NoSuchPublicAccessBlockConfiguration")
        self.s3api("put-public-access-block", "--bucket", b, "--public-access-block-configuration",
                   "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
                   "RestrictPublicBuckets=true")
        got = self.s3api("get-public-access-block", "--bucket", b)
        self.assertEqual(got["PublicAccessBlockConfiguration"],
                         {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                          "BlockPublicPolicy": True, "RestrictPublicBuckets": True})

        c = self.srv.client()
        before = c.list_certificate_authorities()["CertificateAuthorities"]
        # A PUBLIC_READ CRL (the default ACL) cannot be written into a bucket that blocks public
        # ACLs: the bucket probe fails as AWS's does, and no CA is created.
        with self.assertRaises(Exception) as e:
            c.create_certificate_authority(
                CertificateAuthorityConfiguration=ca_config("Blocked CRL CA", "EC_prime256v1",
                                                            "SHA256WITHECDSA"),
                CertificateAuthorityType="ROOT",
                RevocationConfiguration={"CrlConfiguration": {
                    "Enabled": True, "S3BucketName": b, "S3ObjectAcl": "PUBLIC_READ"}})
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(c.list_certificate_authorities()["CertificateAuthorities"], before)
        self.assertEqual(self.keys(b), [])
        # BUCKET_OWNER_FULL_CONTROL is what AWS's guide says to use with Block Public Access.
        arn = c.create_certificate_authority(
            CertificateAuthorityConfiguration=ca_config("Private CRL CA", "EC_prime256v1",
                                                        "SHA256WITHECDSA"),
            CertificateAuthorityType="ROOT",
            RevocationConfiguration={"CrlConfiguration": {
                "Enabled": True, "S3BucketName": b,
                "S3ObjectAcl": "BUCKET_OWNER_FULL_CONTROL"}})["CertificateAuthorityArn"]
        self.assertIn("acm-pca-permission-test-key", self.keys(b))
        self.assertEqual(c.describe_certificate_authority(CertificateAuthorityArn=arn)
                         ["CertificateAuthority"]["Status"], "PENDING_CERTIFICATE")
        # A public-read object cannot be put there either.
        self.srv.write("x.txt", "x")
        self.s3api("put-object", "--bucket", b, "--key", "x.txt", "--body", "x.txt", "--acl",
                   "public-read", expect_error="AccessDenied")
        self.assertNotIn("x.txt", self.keys(b))

    # -- objects ------------------------------------------------------------------------------

    def test_4_objects_acls_copy_delete(self):
        b = "pki-objects"
        self.s3api("create-bucket", "--bucket", b)
        self.srv.write("crl.der", b"\x30\x03\x02\x01\x01")
        put = self.s3api("put-object", "--bucket", b, "--key", "crl/a.crl", "--body", "crl.der",
                         "--content-type", "application/pkix-crl")
        self.assertTrue(put["ETag"].startswith('"'))
        head = self.s3api("head-object", "--bucket", b, "--key", "crl/a.crl")
        self.assertEqual(head["ContentType"], "application/pkix-crl")
        # Private: no anonymous read.
        self.assertEqual(self.anonymous_get(f"/{b}/crl/a.crl")[0], 403)
        acl = self.s3api("get-object-acl", "--bucket", b, "--key", "crl/a.crl")
        self.assertEqual([g["Permission"] for g in acl["Grants"]], ["FULL_CONTROL"])
        self.s3api("put-object-acl", "--bucket", b, "--key", "crl/a.crl", "--acl", "public-read")
        acl = self.s3api("get-object-acl", "--bucket", b, "--key", "crl/a.crl")
        self.assertIn("READ", [g["Permission"] for g in acl["Grants"]])
        status, body = self.anonymous_get(f"/{b}/crl/a.crl")
        self.assertEqual((status, body), (200, b"\x30\x03\x02\x01\x01"))
        self.s3api("put-object-acl", "--bucket", b, "--key", "nope", "--acl", "public-read",
                   expect_error="NoSuchKey")

        copy = self.s3api("copy-object", "--bucket", b, "--key", "crl/b.crl", "--copy-source",
                          f"{b}/crl/a.crl")
        self.assertEqual(copy["CopyObjectResult"]["ETag"], put["ETag"])
        self.s3api("get-object", "--bucket", b, "--key", "crl/b.crl", "copied.der")
        self.assertEqual(self.srv.path("copied.der").read_bytes(), b"\x30\x03\x02\x01\x01")
        self.s3api("copy-object", "--bucket", b, "--key", "crl/c.crl", "--copy-source",
                   f"{b}/crl/none.crl", expect_error="NoSuchKey")
        self.assertEqual(self.keys(b), ["crl/a.crl", "crl/b.crl"])

        self.s3api("put-object", "--bucket", "no-such-bucket-here", "--key", "k", "--body",
                   "crl.der", expect_error="NoSuchBucket")
        self.s3api("delete-bucket", "--bucket", b, expect_error="BucketNotEmpty")
        self.assertEqual(self.keys(b), ["crl/a.crl", "crl/b.crl"])
        self.s3api("delete-object", "--bucket", b, "--key", "crl/a.crl")
        self.s3api("delete-object", "--bucket", b, "--key", "crl/a.crl")  # absent: still 204
        self.s3api("delete-object", "--bucket", b, "--key", "crl/b.crl")
        self.s3api("delete-bucket", "--bucket", b)
        self.assertNotIn(b, self.buckets())
        self.s3api("delete-bucket", "--bucket", b, expect_error="NoSuchBucket")
        self.s3api("head-bucket", "--bucket", b, expect_error="404")

    def signed_with_host(self, method, host, path, body=b""):
        """A SigV4 (s3) request sent to the server with `host` in the Host header, as a client of
        a name pointed at openpca sends it."""
        u = urllib.parse.urlparse(self.srv.endpoint)
        req = AWSRequest(method=method, url=f"http://{host}:{u.port}{path}", data=body,
                         headers={"Host": f"{host}:{u.port}",
                                  "x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
        SigV4Auth(Credentials(self.srv.access_key_id, self.srv.secret_access_key), "s3",
                  self.srv.region).add_auth(req)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=dict(req.headers.items()))
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def test_4a_virtual_hosted_create_put_and_delete(self):
        host = "crl.pki.example.test"
        status, body = self.signed_with_host("PUT", host, "/")
        self.assertEqual(status, 200, body)
        self.assertIn(host, self.buckets())
        status, body = self.signed_with_host("PUT", host, "/crl/x.crl", b"crl-bytes")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.keys(host), ["crl/x.crl"])
        status, body = self.signed_with_host("DELETE", host, "/")
        self.assertEqual(status, 409, body)
        self.assertIn(b"<Code>BucketNotEmpty</Code>", body)
        self.assertIn(b"<RequestId>", body)
        self.assertEqual(self.keys(host), ["crl/x.crl"])
        self.assertEqual(self.signed_with_host("DELETE", host, "/crl/x.crl")[0], 204)
        self.assertEqual(self.signed_with_host("DELETE", host, "/")[0], 204)
        self.assertNotIn(host, self.buckets())

    # -- what is not offered ------------------------------------------------------------------

    def test_5_unknown_operations_answer_s3_not_implemented(self):
        b = "pki-unknown-ops"
        self.s3api("create-bucket", "--bucket", b)
        self.s3api("put-bucket-versioning", "--bucket", b, "--versioning-configuration",
                   "Status=Enabled", expect_error="NotImplemented")
        self.s3api("put-bucket-tagging", "--bucket", b, "--tagging",
                   "TagSet=[{Key=a,Value=b}]", expect_error="NotImplemented")
        self.s3api("delete-objects", "--bucket", b, "--delete", "Objects=[{Key=a}]",
                   expect_error="NotImplemented")
        self.s3api("create-multipart-upload", "--bucket", b, "--key", "big",
                   expect_error="NotImplemented")
        self.s3api("get-bucket-tagging", "--bucket", b, expect_error="NotImplemented")
        self.assertEqual(self.keys(b), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
