"""acm-pca audit reports with the AWS CLI v2 and boto3: CreateCertificateAuthorityAuditReport,
`aws acm-pca wait audit-report-created`, DescribeCertificateAuthorityAuditReport, and the report
objects fetched through the S3 API. The reports must list exactly the certificates the test issued
(a subordinate CA's certificate among the root's) and revoked, with AWS's columns and formats,
and the JSON and CSV reports of one CA must agree. Refusals (the 30-minute rule, CA states,
buckets without a usable policy, unknown resources) write nothing and change nothing."""

import csv
import datetime
import io
import json
import re
import unittest
import uuid

import boto3
import botocore.config

from harness import (REGION, UTC, ServerTestCase, build_root_ca, build_sub_ca, cert_not_after,
                     cert_not_before, create_ca, fetch_csr, issue_leaf, load_cert, now_utc, parse_ts, random_ca_arn,
                     template_arn)

COLUMNS = ["awsAccountId", "requestedByServicePrincipal", "certificateArn", "serial", "subject",
           "notBefore", "notAfter", "issuedAt", "revokedAt", "revocationReason", "templateArn"]
BUCKET = "pki-audit-reports"
UUID_RE = re.compile(r"[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}")
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000")


def audit_bucket_policy(bucket: str, account: str) -> str:
    """The bucket policy AWS's guide gives for audit reports."""
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
    })


def report_time(ts: datetime.datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_report_time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


RFC2253_KEYWORDS = {"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
                    "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.9": "STREET",
                    "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID"}


def rfc2253(name) -> str:
    """A cryptography Name as AWS's reports print it (Java's X500Principal RFC 2253): RFC 2253's
    keywords only, other types as <OID>=#<hex DER>, `,=+<>#;"\` escaped. Written independently of
    the server; cryptography's own rfc4514_string() prints unknown types as text."""
    def escape(v: str) -> str:
        out = "".join("\\" + ch if ch in ',=+<>#;"\\' else ch for ch in v)
        lead = len(out) - len(out.lstrip(" "))
        trail = len(out) - len(out.rstrip(" "))
        core = out[lead:len(out) - trail]
        return "\\ " * lead + core + "\\ " * trail

    def der(attr) -> str:
        tag = attr._type.value
        body = attr.value.encode("utf-16-be" if tag == 30 else "utf-8")
        assert len(body) < 128
        return "#" + bytes([tag, len(body)]).hex() + body.hex()

    rdns = []
    for rdn in reversed(list(name.rdns)):
        parts = []
        for attr in rdn:
            oid = attr.oid.dotted_string
            kw = RFC2253_KEYWORDS.get(oid)
            parts.append(f"{kw}={escape(attr.value)}" if kw else f"{oid}={der(attr)}")
        rdns.append("+".join(parts))
    return ",".join(rdns)


def colon_serial(n: int) -> str:
    h = format(n, "x")
    h = "0" * (len(h) % 2) + h
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


class AuditReportsTest(ServerTestCase):
    server_name = "auditreports"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls.root = build_root_ca(s, "aroot", via="boto3")
            cls.sub = build_sub_ca(s, cls.root, "asub", pathlen=0, via="boto3")
            cls.account = cls.root.arn.split(":")[4]
            # Issued: what each report must list, by CA, certificate ARN -> (template, when).
            cls.issued = {cls.root.arn: {}, cls.sub.arn: {}}
            cls.issued[cls.root.arn][cls.root.extra["cert_arn"]] = "RootCACertificate"
            cls.issued[cls.root.arn][cls.sub.extra["cert_arn"]] = \
                "SubordinateCACertificate_PathLen0"
            cls.leaves = {}
            for name, ca, tmpl, subject in (
                    ("plain", cls.sub, None, None),
                    ("client", cls.sub, "EndEntityClientAuthCertificate",
                     "/C=US/O=Example, Inc./OU=Sales/CN=client.example.com"
                     "/emailAddress=ops@example.com"),
                    ("server", cls.sub, "EndEntityServerAuthCertificate",
                     '/O=Quote "Q" Ltd/CN=server.example.com'),
                    ("rootleaf", cls.root, "EndEntityCertificate", None)):
                leaf = issue_leaf(s, ca, name, template=tmpl, subject=subject, via="boto3")
                cls.leaves[name] = leaf
                cls.issued[ca.arn][leaf.arn] = tmpl or "EndEntityCertificate"
            # Revocations: certificate ARN -> (reason, time of the call).
            cls.revoked = {}
            c = s.client()
            for name, ca, reason in (("plain", cls.sub, "KEY_COMPROMISE"),
                                     ("server", cls.sub, "SUPERSEDED"),
                                     ("rootleaf", cls.root, "AFFILIATION_CHANGED")):
                leaf = cls.leaves[name]
                c.revoke_certificate(CertificateAuthorityArn=ca.arn,
                                     CertificateSerial=format(leaf.cert.serial_number, "x"),
                                     RevocationReason=reason)
                cls.revoked[leaf.arn] = (reason, now_utc())
            cls.s3_client = None
            s3 = cls.s3()
            s3.create_bucket(Bucket=BUCKET)
            s3.put_bucket_policy(Bucket=BUCKET, Policy=audit_bucket_policy(BUCKET, cls.account))
            s3.create_bucket(Bucket="pki-audit-no-policy")
            s3.create_bucket(Bucket="pki-audit-other-account")
            s3.put_bucket_policy(Bucket="pki-audit-other-account",
                                 Policy=audit_bucket_policy("pki-audit-other-account",
                                                            "999988887777"))
            cls.reports = {}  # (CA ARN, format) -> (AuditReportId, S3Key)
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    @classmethod
    def s3(cls):
        s = cls.server
        if cls.s3_client is None or cls._s3_for != s.endpoint:
            cls.s3_client = boto3.session.Session().client(
                "s3", endpoint_url=s.endpoint, region_name=REGION,
                aws_access_key_id=s.access_key_id, aws_secret_access_key=s.secret_access_key,
                config=botocore.config.Config(s3={"addressing_style": "path"}))
            cls._s3_for = s.endpoint
        return cls.s3_client

    # -- helpers ------------------------------------------------------------------------------

    def objects(self):
        """Every object of every bucket: (bucket, key) -> ETag."""
        out = {}
        for b in self.s3().list_buckets()["Buckets"]:
            for o in self.s3().list_objects_v2(Bucket=b["Name"]).get("Contents", []):
                out[(b["Name"], o["Key"])] = o["ETag"]
        return out

    def create_report(self, ca_arn, fmt, bucket=BUCKET):
        out = self.aws("create-certificate-authority-audit-report", "--certificate-authority-arn",
                       ca_arn, "--s3-bucket-name", bucket, "--audit-report-response-format", fmt)
        rid, key = out["AuditReportId"], out["S3Key"]
        self.assertRegex(rid, UUID_RE)
        ca_id = ca_arn.rsplit("/", 1)[1]
        self.assertEqual(key, f"audit-report/{ca_id}/{rid}.{fmt.lower()}")
        self.reports[(ca_arn, fmt)] = (rid, key)
        return rid, key

    def refused(self, code, ca_arn, bucket=BUCKET, fmt="JSON", via="boto3"):
        """A CreateCertificateAuthorityAuditReport that must fail with `code`, changing nothing."""
        before_objects = self.objects()
        before_ca = self.describe(ca_arn) if ca_arn.count("/") == 1 and self.exists(ca_arn) \
            else None
        if via == "cli":
            self.aws("create-certificate-authority-audit-report", "--certificate-authority-arn",
                     ca_arn, "--s3-bucket-name", bucket, "--audit-report-response-format", fmt,
                     expect_error=code)
        else:
            self.assertApiError(code, "create_certificate_authority_audit_report",
                                CertificateAuthorityArn=ca_arn, S3BucketName=bucket,
                                AuditReportResponseFormat=fmt)
        self.assertEqual(self.objects(), before_objects, "a refused report wrote something")
        if before_ca is not None:
            self.assertEqual(self.describe(ca_arn), before_ca)

    def exists(self, arn):
        try:
            self.describe(arn)
            return True
        except Exception:  # noqa: BLE001 (any error: not a CA we can describe)
            return False

    def fetch(self, key):
        return self.s3().get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()

    def assertReportMatches(self, ca_arn, rows):
        """`rows` (dicts, absent values missing) list exactly what was issued by `ca_arn`."""
        expected = self.issued[ca_arn]
        by_arn = {r["certificateArn"]: r for r in rows}
        self.assertEqual(len(by_arn), len(rows), "a certificate is listed twice")
        self.assertEqual(set(by_arn), set(expected))
        c = self.c
        for arn, row in by_arn.items():
            self.assertEqual(list(row), [k for k in COLUMNS if k in row], "column order")
            cert = load_cert(c.get_certificate(CertificateAuthorityArn=ca_arn,
                                               CertificateArn=arn)["Certificate"])
            self.assertEqual(row["awsAccountId"], self.account)
            self.assertNotIn("requestedByServicePrincipal", row)
            self.assertEqual(row["serial"], colon_serial(cert.serial_number))
            self.assertEqual(row["serial"].replace(":", ""), arn.rsplit("/", 1)[1])
            self.assertEqual(row["subject"], rfc2253(cert.subject))
            self.assertEqual(row["notBefore"], report_time(cert_not_before(cert)))
            self.assertEqual(row["notAfter"], report_time(cert_not_after(cert)))
            for k in ("notBefore", "notAfter", "issuedAt"):
                self.assertRegex(row[k], TIME_RE)
            # issuedAt: AWS's default backdating puts notBefore one hour earlier (roots excepted:
            # the self-signed certificate was issued the same way).
            issued_at = parse_report_time(row["issuedAt"])
            self.assertEqual(issued_at - parse_report_time(row["notBefore"]),
                             datetime.timedelta(hours=1))
            self.assertEqual(row["templateArn"], template_arn(expected[arn]))
            if arn in self.revoked:
                reason, when = self.revoked[arn]
                self.assertEqual(row["revocationReason"], reason)
                self.assertCloseTime(parse_report_time(row["revokedAt"]), when, 5, "revokedAt")
                self.assertLessEqual(issued_at, parse_report_time(row["revokedAt"]))
            else:
                self.assertNotIn("revokedAt", row)
                self.assertNotIn("revocationReason", row)

    # -- tests --------------------------------------------------------------------------------

    def test_1_json_report_then_the_30_minute_rule(self):
        sub = self.sub.arn
        started = now_utc()
        rid, key = self.create_report(sub, "JSON")
        self.aws("wait", "audit-report-created", "--certificate-authority-arn", sub,
                 "--audit-report-id", rid)
        got = self.aws("describe-certificate-authority-audit-report",
                       "--certificate-authority-arn", sub, "--audit-report-id", rid)
        self.assertEqual(got["AuditReportStatus"], "SUCCESS")
        self.assertEqual(got["S3BucketName"], BUCKET)
        self.assertEqual(got["S3Key"], key)
        self.assertCloseTime(parse_ts(got["CreatedAt"]), started, 10, "CreatedAt")
        head = self.s3().head_object(Bucket=BUCKET, Key=key)
        self.assertEqual(head["ContentType"], "application/json")
        text = self.fetch(key)
        rows = json.loads(text)
        self.assertIsInstance(rows, list)
        self.assertEqual(len(rows), 3)
        self.assertReportMatches(sub, rows)
        # The subject with an emailAddress: OID=#hex as AWS prints it, commas escaped.
        client = next(r for r in rows if r["certificateArn"] == self.leaves["client"].arn)
        self.assertEqual(client["subject"],
                         "1.2.840.113549.1.9.1=#160f6f7073406578616d706c652e636f6d,"
                         "CN=client.example.com,OU=Sales,O=Example\\, Inc.,C=US")

        # A second report of the CA within 30 minutes, in the other format or bucket: refused,
        # nothing written.
        self.refused("RequestInProgressException", sub, fmt="CSV", via="cli")
        self.refused("RequestInProgressException", sub)
        # The first one is untouched.
        self.assertEqual(self.fetch(key), text)

    def test_2_csv_report_agrees_with_json(self):
        sub = self.sub.arn
        rid_json, key_json = self.reports[(sub, "JSON")]
        # Restart with the interval lifted: reports are durable, and a CSV of the same CA can be
        # made without waiting half an hour.
        self.srv.extra_env["OPENPCA_AUDIT_REPORT_INTERVAL_S"] = "0"
        self.srv.restart()
        got = self.c.describe_certificate_authority_audit_report(CertificateAuthorityArn=sub,
                                                                  AuditReportId=rid_json)
        self.assertEqual(got["AuditReportStatus"], "SUCCESS")
        rid, key = self.create_report(sub, "CSV")
        self.c.get_waiter("audit_report_created").wait(
            CertificateAuthorityArn=sub, AuditReportId=rid,
            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        raw = self.fetch(key)
        self.assertTrue(raw.startswith(",".join(COLUMNS) + "\r\n"), raw[:300])
        table = list(csv.reader(io.StringIO(raw, newline="")))
        self.assertEqual(table[0], COLUMNS)
        self.assertTrue(all(len(r) == len(COLUMNS) for r in table))
        csv_rows = [{k: v for k, v in zip(COLUMNS, r) if v != ""} for r in table[1:]]
        json_rows = json.loads(self.fetch(key_json))
        self.assertEqual(sorted(csv_rows, key=lambda r: r["serial"]),
                         sorted(json_rows, key=lambda r: r["serial"]))
        # Fields with commas or quotes are quoted as RFC 4180 asks.
        server = self.leaves["server"]
        self.assertIn(f',"CN=server.example.com,O=Quote \\""Q\\"" Ltd",', raw)
        self.assertReportMatches(sub, csv_rows)
        self.assertIn(server.arn, {r["certificateArn"] for r in csv_rows})

    def test_3_root_report_lists_ca_certificates_and_works_disabled(self):
        root = self.root.arn
        c = self.c
        c.update_certificate_authority(CertificateAuthorityArn=root, Status="DISABLED")
        try:
            rid, key = self.create_report(root, "JSON")
            self.aws("wait", "audit-report-created", "--certificate-authority-arn", root,
                     "--audit-report-id", rid)
        finally:
            c.update_certificate_authority(CertificateAuthorityArn=root, Status="ACTIVE")
        rows = json.loads(self.fetch(key))
        self.assertReportMatches(root, rows)
        by_arn = {r["certificateArn"]: r for r in rows}
        sub_row = by_arn[self.sub.extra["cert_arn"]]
        self.assertEqual(sub_row["subject"], rfc2253(self.sub.cert.subject))
        self.assertEqual(sub_row["templateArn"],
                         template_arn("SubordinateCACertificate_PathLen0"))
        self.assertIn(self.root.extra["cert_arn"], by_arn)

    def test_4_refusals_change_nothing(self):
        # A CA still waiting for its certificate.
        pending = create_ca(self.srv, "apending", via="boto3")
        fetch_csr(self.srv, pending, "apending", via="boto3")
        self.refused("InvalidStateException", pending)
        self.assertEqual(self.status(pending), "PENDING_CERTIFICATE")
        # Buckets: missing, without a policy, with a policy for another account.
        self.refused("ResourceNotFoundException", self.sub.arn, bucket="pki-audit-missing")
        self.refused("InvalidArgsException", self.sub.arn, bucket="pki-audit-no-policy")
        self.refused("InvalidArgsException", self.sub.arn, bucket="pki-audit-other-account")
        # CAs: unknown, and not a CA ARN.
        self.refused("ResourceNotFoundException", random_ca_arn(self.srv, self.account))
        self.refused("InvalidArnException",
                     f"arn:aws:acm-pca:{REGION}:{self.account}:certificate-authority/not-a-uuid")
        self.refused("ValidationException", self.sub.arn, fmt="XML")
        # Describe: unknown report, a report of another CA, a malformed id.
        rid, _ = self.reports[(self.sub.arn, "JSON")]
        self.assertApiError("ResourceNotFoundException",
                            "describe_certificate_authority_audit_report",
                            CertificateAuthorityArn=self.sub.arn, AuditReportId=str(uuid.uuid4()))
        self.assertApiError("ResourceNotFoundException",
                            "describe_certificate_authority_audit_report",
                            CertificateAuthorityArn=self.root.arn, AuditReportId=rid)
        self.assertApiError("ValidationException", "describe_certificate_authority_audit_report",
                            CertificateAuthorityArn=self.sub.arn, AuditReportId="x" * 36)


if __name__ == "__main__":
    unittest.main()
