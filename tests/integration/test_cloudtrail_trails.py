"""CloudTrail trails: a multi-region trail with log-file validation delivers log files and signed
digest chains into a built-in bucket, and `aws cloudtrail validate-logs` accepts them unchanged,
with the pip AWS CLI v1 (`python3 -m awscli`, AWS_ENDPOINT_URL) and with Debian's AWS CLI v2
(`/usr/bin/aws`, which ignores endpoint settings: a legacy plugin written by this test points its
clients at the server). Then each kind of tampering (a log file edited or deleted, a digest edited
or deleted) is reported for the exact file. Trail management errors leave the state unchanged.

Delivery runs every 2 s and digests every 3 s (OPENPCA_TRAIL_*_INTERVAL_S)."""

import datetime
import glob
import gzip
import hashlib
import base64
import json
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.parse
import http.client

import boto3
import botocore.config
import botocore.exceptions

from harness import AWS, CLI_ERROR_RE, REGION, ServerTestCase, UTC

BUCKET = "trail-logs"
TRAIL = "org-audit"

PLUGIN = '''
"""Points every client the AWS CLI creates without an endpoint at openpca (test only)."""
import os

_ENDPOINT = os.environ["OPENPCA_TEST_ENDPOINT"]


def awscli_initialize(cli):
    cli.register("session-initialized", _on_session)


def _on_session(session, **kwargs):
    create = session.create_client

    def create_client(*args, **kw):
        if len(args) <= 5 and not kw.get("endpoint_url"):
            kw["endpoint_url"] = _ENDPOINT
        return create(*args, **kw)

    session.create_client = create_client
'''


def find_cli_v1_python():
    """The interpreter whose `-m awscli` is AWS CLI v1 (the pip one), or None."""
    candidates = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    try:
        exe = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"], env=env,
                             capture_output=True, text=True, timeout=30).stdout.strip()
        if exe:
            candidates.append(exe)
    except (OSError, subprocess.SubprocessError):
        pass
    candidates += sorted(glob.glob("/root/.pyenv/versions/*/bin/python3"))
    candidates += ["/usr/local/bin/python3"]
    for cand in candidates:
        try:
            r = subprocess.run([cand, "-m", "awscli", "--version"], capture_output=True,
                               text=True, timeout=60, env=env)
        except (OSError, subprocess.SubprocessError):
            continue
        if (r.stdout + r.stderr).startswith("aws-cli/1."):
            return cand
    return None


def flip_one_byte(record_json: bytes) -> bytes:
    """One byte of a log file changed: the case of the first letter of the first eventName."""
    at = record_json.index(b'"eventName":"') + len(b'"eventName":"')
    return record_json[:at] + record_json[at:at + 1].swapcase() + record_json[at + 1:]


def cloudtrail_bucket_policy(bucket: str, account: str, prefix: str = "") -> str:
    """The bucket policy the CloudTrail guide gives for a trail's bucket."""
    path = f"{prefix}/AWSLogs/{account}/*" if prefix else f"AWSLogs/{account}/*"
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{path}",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        ],
    })


class CloudTrailTrailsTest(ServerTestCase):
    server_name = "trails"
    server_env = {"OPENPCA_TRAIL_DELIVERY_INTERVAL_S": "2",
                  "OPENPCA_TRAIL_DIGEST_INTERVAL_S": "3"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.client_for("sts").get_caller_identity()["Account"]
        s3 = cls.client_for("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_policy(Bucket=BUCKET, Policy=cloudtrail_bucket_policy(BUCKET, cls.account))
        s3.create_bucket(Bucket="no-policy-bucket")
        s3.create_bucket(Bucket="other-account-policy")
        s3.put_bucket_policy(Bucket="other-account-policy",
                             Policy=cloudtrail_bucket_policy("other-account-policy",
                                                             "111122223333"))
        cls.cli_v1 = find_cli_v1_python()

    @classmethod
    def client_for(cls, service, region=REGION):
        cfg = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=10,
                                     read_timeout=60, signature_version="s3v4"
                                     if service == "s3" else None)
        return boto3.session.Session().client(
            service, endpoint_url=cls.server.endpoint, region_name=region,
            aws_access_key_id=cls.server.access_key_id,
            aws_secret_access_key=cls.server.secret_access_key, config=cfg)

    @property
    def ct(self):
        return self.client_for("cloudtrail")

    def ct_error(self, code, method, region=REGION, **params):
        try:
            out = getattr(self.client_for("cloudtrail", region), method)(**params)
        except botocore.exceptions.ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], code, str(e))
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, str(e))
            return
        self.fail(f"{method} succeeded, expected {code}: {out}")

    def trails_state(self, region=REGION):
        return sorted(json.dumps(t, sort_keys=True) for t in
                      self.client_for("cloudtrail", region).describe_trails()["trailList"])

    # -- objects on disk ----------------------------------------------------------------------

    def bucket_dir(self):
        return self.srv.data_dir / "buckets" / BUCKET

    def keys(self, part):
        root = self.bucket_dir()
        out = []
        for path in root.rglob("*.json.gz"):
            rel = path.relative_to(root).as_posix()
            if ".openpca-meta" not in rel and f"/{part}/" in rel:
                out.append(rel)
        return sorted(out)

    def wait_for(self, what, predicate, timeout=45.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.3)
        self.fail(f"timed out waiting for {what}\n{self.srv.log_tail(30)}")

    # -- validate-logs ------------------------------------------------------------------------

    def validate_v2(self, arn, start, extra=()):
        """Debian's AWS CLI v2 with the endpoint plugin."""
        plugin_dir = self.srv.root / "cli-plugin"
        plugin_dir.mkdir(exist_ok=True)
        (plugin_dir / "openpca_endpoint_plugin.py").write_text(PLUGIN)
        config = self.srv.root / "cli-config"
        config.write_text(f"[default]\nregion = {REGION}\n\n[plugins]\n"
                          f"cli_legacy_plugin_path = {plugin_dir}\n"
                          f"openpca_endpoint = openpca_endpoint_plugin\n")
        env = self.srv.cli_env(AWS_CONFIG_FILE=str(config),
                               OPENPCA_TEST_ENDPOINT=self.srv.endpoint)
        cmd = [AWS, "cloudtrail", "validate-logs", "--trail-arn", arn, "--start-time", start,
               "--verbose", *extra]
        return subprocess.run(cmd, env=env, cwd=str(self.srv.work), capture_output=True,
                              text=True, timeout=120)

    def validate_v1(self, arn, start, extra=()):
        """The pip AWS CLI v1, which honours AWS_ENDPOINT_URL."""
        env = self.srv.cli_env(AWS_ENDPOINT_URL=self.srv.endpoint)
        cmd = [self.cli_v1, "-m", "awscli", "cloudtrail", "validate-logs", "--trail-arn", arn,
               "--start-time", start, "--verbose", *extra]
        return subprocess.run(cmd, env=env, cwd=str(self.srv.work), capture_output=True,
                              text=True, timeout=120)

    def assertAllValid(self, r, min_digests=2, min_logs=1):
        self.assertEqual(r.returncode, 0, f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
        d = re.search(r"^(\d+)/(\d+) digest files valid$", r.stdout, re.M)
        lg = re.search(r"^(\d+)/(\d+) log files valid$", r.stdout, re.M)
        self.assertIsNotNone(d, r.stdout)
        self.assertEqual(d.group(1), d.group(2), r.stdout)
        self.assertGreaterEqual(int(d.group(1)), min_digests, r.stdout)
        logs = 0
        if min_logs > 0 or lg is not None:  # the CLI prints no log line when no digest lists one
            self.assertIsNotNone(lg, r.stdout)
            self.assertEqual(lg.group(1), lg.group(2), r.stdout)
            self.assertGreaterEqual(int(lg.group(1)), min_logs, r.stdout)
            logs = int(lg.group(1))
        self.assertNotIn("INVALID", r.stdout + r.stderr)
        return int(d.group(1)), logs

    # -- tests --------------------------------------------------------------------------------

    def test_1_trail_errors_leave_state_unchanged(self):
        ct = self.ct
        before = self.trails_state()
        self.ct_error("InvalidTrailNameException", "create_trail", Name="ab",
                      S3BucketName=BUCKET)
        self.ct_error("InvalidTrailNameException", "create_trail", Name="bad--name",
                      S3BucketName=BUCKET)
        self.ct_error("InvalidTrailNameException", "create_trail", Name="192.168.1.1",
                      S3BucketName=BUCKET)
        self.ct_error("InvalidS3BucketNameException", "create_trail", Name="trail-1",
                      S3BucketName="Bad_Bucket")
        self.ct_error("S3BucketDoesNotExistException", "create_trail", Name="trail-1a",
                      S3BucketName="no-such-bucket-here")
        self.ct_error("InsufficientS3BucketPolicyException", "create_trail", Name="trail-1b",
                      S3BucketName="no-policy-bucket")
        self.ct_error("InsufficientS3BucketPolicyException", "create_trail", Name="trail-1c",
                      S3BucketName="other-account-policy")
        # The policy names AWSLogs/<acct>/* at the bucket's root, not under a prefix.
        self.ct_error("InsufficientS3BucketPolicyException", "create_trail", Name="trail-1d",
                      S3BucketName=BUCKET, S3KeyPrefix="elsewhere")
        self.ct_error("InvalidS3PrefixException", "create_trail", Name="trail-1e",
                      S3BucketName=BUCKET, S3KeyPrefix="p" * 201)
        self.ct_error("InvalidParameterCombinationException", "create_trail", Name="trail-1f",
                      S3BucketName=BUCKET, IsMultiRegionTrail=True,
                      IncludeGlobalServiceEvents=False)
        self.ct_error("TrailNotFoundException", "get_trail", Name="missing-trail")
        self.ct_error("TrailNotFoundException", "start_logging", Name="missing-trail")
        self.ct_error("TrailNotFoundException", "delete_trail",
                      Name=f"arn:aws:cloudtrail:{REGION}:{self.account}:trail/missing-trail")
        self.ct_error("CloudTrailARNInvalidException", "get_trail_status",
                      Name="arn:aws:cloudtrail:us-east-1:12:trail/x")
        self.ct_error("InvalidTimeRangeException", "list_public_keys",
                      StartTime=datetime.datetime(2030, 1, 1, tzinfo=UTC),
                      EndTime=datetime.datetime(2029, 1, 1, tzinfo=UTC))
        self.assertEqual(self.trails_state(), before)

        # Five trails count in a region; the sixth is refused; a name is taken once.
        for i in range(5):
            ct.create_trail(Name=f"limit-{i}", S3BucketName=BUCKET)
        self.ct_error("TrailAlreadyExistsException", "create_trail", Name="limit-0",
                      S3BucketName=BUCKET)
        full = self.trails_state()
        self.ct_error("MaximumNumberOfTrailsExceededException", "create_trail", Name="limit-5",
                      S3BucketName=BUCKET)
        self.assertEqual(self.trails_state(), full)
        for i in range(5):
            ct.delete_trail(Name=f"limit-{i}")
        self.assertEqual(self.trails_state(), before)

    def test_2_multi_region_trail_validates_with_both_clis(self):
        start = (datetime.datetime.now(tz=UTC) - datetime.timedelta(minutes=2)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        out = self.srv.cli("cloudtrail", "create-trail", "--name", TRAIL, "--s3-bucket-name",
                           BUCKET, "--is-multi-region-trail", "--enable-log-file-validation",
                           "--tags-list", "Key=team,Value=pki")
        arn = f"arn:aws:cloudtrail:{REGION}:{self.account}:trail/{TRAIL}"
        self.assertEqual(out["TrailARN"], arn)
        self.assertTrue(out["IsMultiRegionTrail"])
        self.assertTrue(out["LogFileValidationEnabled"])
        self.assertTrue(out["IncludeGlobalServiceEvents"])
        type(self).trail_arn = arn
        type(self).start = start
        # Created, not logging; a shadow trail in another region, changed only from home.
        self.assertFalse(self.ct.get_trail_status(Name=TRAIL)["IsLogging"])
        west = self.client_for("cloudtrail", "us-west-2")
        shadows = west.describe_trails()["trailList"]
        self.assertEqual([(t["TrailARN"], t["HomeRegion"]) for t in shadows], [(arn, REGION)])
        self.assertEqual(west.describe_trails(includeShadowTrails=False)["trailList"], [])
        self.ct_error("InvalidHomeRegionException", "start_logging", region="us-west-2",
                      Name=arn)
        self.assertEqual(self.ct.list_tags(ResourceIdList=[arn])["ResourceTagList"],
                         [{"ResourceId": arn, "TagsList": [{"Key": "team", "Value": "pki"}]}])

        self.srv.cli("cloudtrail", "start-logging", "--name", TRAIL)
        status = self.ct.get_trail_status(Name=TRAIL)
        self.assertTrue(status["IsLogging"])
        # Some calls for the trail to record.
        self.srv.cli("acm-pca", "list-certificate-authorities")
        self.srv.cli("iam", "list-users")
        self.client_for("sts").get_caller_identity()

        home = f"CloudTrail-Digest/{REGION}"
        self.wait_for("two digests", lambda: len(self.keys(home)) >= 2)
        self.wait_for("a digest after the first log file",
                      lambda: self.digest_listing_logs() is not None)

        # Digest metadata as S3 returns it: lower-case x-amz-meta-* names.
        key = self.keys(home)[-1]
        status, headers, body = self.signed_get(f"/{BUCKET}/{key}")
        self.assertEqual(status, 200)
        names = [k for k, _ in headers]
        self.assertIn("x-amz-meta-signature", names)
        self.assertIn("x-amz-meta-signature-algorithm", names)
        self.assertEqual(dict(headers)["x-amz-meta-signature-algorithm"], "SHA256withRSA")
        digest = json.loads(gzip.decompress(body))
        self.assertEqual(digest["digestS3Object"], key)
        # ListPublicKeys: PKCS#1 DER, fingerprint = MD5 of it, the digest's key among them.
        keys = self.ct.list_public_keys(
            StartTime=datetime.datetime.now(tz=UTC) - datetime.timedelta(hours=1))
        fingerprints = set()
        for k in keys["PublicKeyList"]:
            der = k["Value"]
            self.assertEqual(der[:4], b"\x30\x82\x01\x0a")
            self.assertEqual(k["Fingerprint"], hashlib.md5(der).hexdigest())
            fingerprints.add(k["Fingerprint"])
        self.assertIn(digest["digestPublicKeyFingerprint"], fingerprints)

        r = self.validate_v2(arn, start)
        d2, l2 = self.assertAllValid(r, min_digests=2, min_logs=self.min_logs())
        if self.cli_v1 is None:
            print("[trails] AWS CLI v1 not found: validate-logs with v1 skipped")
        else:
            r = self.validate_v1(arn, start)
            self.assertAllValid(r, min_digests=2, min_logs=self.min_logs())

    def min_logs(self):
        """Every call is recorded, and the test makes calls while the trail logs."""
        return 1

    def digest_listing_logs(self):
        for key in reversed(self.keys(f"CloudTrail-Digest/{REGION}")):
            d = json.loads(gzip.decompress((self.bucket_dir() / key).read_bytes()))
            if d["logFiles"] or not self.keys("CloudTrail"):
                return d
        return None

    def signed_get(self, path):
        """GET through boto3's signer, keeping the response's header names as sent."""
        s3 = self.client_for("s3")
        bucket, key = path.lstrip("/").split("/", 1)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            conn.request("GET", u.path + "?" + u.query)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def test_3_tampering_is_reported_for_the_exact_file(self):
        arn = self.trail_arn
        # Stop logging: the final digest ends the chain and the bucket stops changing.
        self.ct.stop_logging(Name=TRAIL)
        stopped = datetime.datetime.now(tz=UTC)
        self.wait_for("the final digest", lambda: self.final_digest_written(stopped))
        time.sleep(1.0)
        r = self.validate_v2(arn, self.start)
        self.assertAllValid(r, min_digests=2, min_logs=self.min_logs())

        digests = self.keys(f"CloudTrail-Digest/{REGION}")
        older_digest = digests[-2]
        logs = [k for k in self.keys(f"CloudTrail/{REGION}")]

        def reported(result, kind, key, reason):
            line = f"{kind}\ts3://{BUCKET}/{key}\tINVALID: {reason}"
            self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
            self.assertIn(line, result.stderr.splitlines(), result.stderr)

        # A digest edited (one character of its JSON): its signature no longer verifies.
        with self.tampered(older_digest,
                           lambda j: j.replace(self.account.encode(), b"999999999999", 1)):
            reported(self.validate_v2(arn, self.start), "Digest file", older_digest,
                     "signature verification failed")
        # A digest deleted: reached through its successor's previousDigestS3Object.
        with self.removed(older_digest):
            reported(self.validate_v2(arn, self.start), "Digest file", older_digest,
                     "not found")
        self.assertTrue(logs, "no log files delivered: every call is recorded, so there must be")
        log = logs[0]
        # A log file edited (one byte of its uncompressed JSON, gzip kept valid).
        with self.tampered(log, flip_one_byte):
            reported(self.validate_v2(arn, self.start), "Log file", log,
                     "hash value doesn't match")
        # A log file deleted.
        with self.removed(log):
            reported(self.validate_v2(arn, self.start), "Log file", log, "not found")
        # Everything restored: valid again.
        self.assertAllValid(self.validate_v2(arn, self.start), min_digests=2,
                            min_logs=self.min_logs())

    def final_digest_written(self, stopped):
        status = self.ct.get_trail_status(Name=TRAIL)
        latest = status.get("LatestDigestDeliveryTime")
        return latest is not None and latest >= stopped - datetime.timedelta(seconds=1) and \
            not status["IsLogging"]

    class _Restore:
        def __init__(self, test, key, edit=None):
            self.path = test.bucket_dir() / key
            self.edit = edit
            self.original = self.path.read_bytes()

        def __enter__(self):
            if self.edit is None:
                self.path.unlink()
            else:
                raw = gzip.decompress(self.original)
                changed = self.edit(raw)
                assert changed != raw and len(changed) == len(raw)
                self.path.write_bytes(gzip.compress(changed))

        def __exit__(self, *exc):
            self.path.write_bytes(self.original)
            return False

    def tampered(self, key, edit):
        return self._Restore(self, key, edit)

    def removed(self, key):
        return self._Restore(self, key)

    def test_3b_records_are_the_calls(self):
        """The trail's log files hold exactly the account's records of the logging period, as
        LookupEvents returns them."""
        logs = self.keys("CloudTrail")
        self.assertTrue(logs, "no log files delivered")
        delivered = {}
        for key in logs:
            for r in json.loads(gzip.decompress((self.bucket_dir() / key).read_bytes()))[
                    "Records"]:
                self.assertNotIn(r["eventID"], delivered, "a record delivered twice")
                delivered[r["eventID"]] = r
        status = self.ct.get_trail_status(Name=TRAIL)
        started, stopped = status["StartLoggingTime"], status["StopLoggingTime"]
        looked_up = {}
        for region in sorted({r["awsRegion"] for r in delivered.values()} | {REGION}):
            pages = self.client_for("cloudtrail", region).get_paginator("lookup_events")
            for page in pages.paginate(StartTime=started - datetime.timedelta(seconds=1),
                                       EndTime=stopped + datetime.timedelta(seconds=1)):
                for e in page["Events"]:
                    looked_up[e["EventId"]] = e
        for event_id, r in delivered.items():
            self.assertIn(event_id, looked_up, r)
            self.assertEqual(json.loads(looked_up[event_id]["CloudTrailEvent"]), r)
        inside = [i for i, e in looked_up.items()
                  if started + datetime.timedelta(seconds=1) < e["EventTime"] <
                  stopped - datetime.timedelta(seconds=1)]
        self.assertTrue(inside)
        for event_id in inside:
            self.assertIn(event_id, delivered)

    def test_4_trail_objects_follow_s3_permissions(self):
        s3 = self.client_for("s3")
        key = self.keys(f"CloudTrail-Digest/{REGION}")[0]
        # A user without S3 permissions can neither overwrite nor delete a trail's object.
        iam = self.client_for("iam")
        iam.create_user(UserName="no-s3")
        ak = iam.create_access_key(UserName="no-s3")["AccessKey"]
        cfg = botocore.config.Config(retries={"max_attempts": 1})
        user_s3 = boto3.session.Session().client(
            "s3", endpoint_url=self.srv.endpoint, region_name=REGION, config=cfg,
            aws_access_key_id=ak["AccessKeyId"], aws_secret_access_key=ak["SecretAccessKey"])
        before = (self.bucket_dir() / key).read_bytes()
        for call in (lambda: user_s3.put_object(Bucket=BUCKET, Key=key, Body=b"x"),
                     lambda: user_s3.delete_object(Bucket=BUCKET, Key=key)):
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.assertEqual((self.bucket_dir() / key).read_bytes(), before)
        # The administrator may (AdministratorAccess): copy an object onto a new key with its
        # metadata, and remove it again.
        s3.copy_object(Bucket=BUCKET, Key="copy.json.gz",
                       CopySource={"Bucket": BUCKET, "Key": key})
        got = s3.get_object(Bucket=BUCKET, Key="copy.json.gz")
        self.assertEqual(got["Body"].read(), before)
        self.assertIn("signature", got["Metadata"])
        s3.delete_object(Bucket=BUCKET, Key="copy.json.gz")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            s3.get_object(Bucket=BUCKET, Key="copy.json.gz")
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchKey")

    def test_5_delete_trail(self):
        self.ct.delete_trail(Name=TRAIL)
        self.ct_error("TrailNotFoundException", "get_trail", Name=TRAIL)
        self.assertEqual(self.ct.describe_trails()["trailList"], [])


if __name__ == "__main__":
    unittest.main()
