"""AWS Certificate Manager for private certificates, driven with the AWS CLI v2, boto3 and openssl:
request from a CA of the endpoint, wait, describe, export (the key decrypts with the passphrase and
matches the certificate, the chain verifies to the root), list filters and pages, import and
re-import, tags, account configuration, refused requests with state unchanged; managed renewal and
the Approaching Expiration events with the server clock moved ahead (test_clock_offset_s, restarts
in between: the scheduler's state is in the database).
"""

import json
import re
import subprocess
import time
import unittest
import urllib.request

import boto3
import botocore.config

from harness import (AWS, ServerTestCase, build_root_ca, openssl, parse_ts, raw_request,
                     verify_chain, self_signed_ca)

DAY = 86400


class AcmTest(ServerTestCase):
    server_name = "acm"
    server_env = {"OPENPCA_ALLOW_TEST_CLOCK": "1"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.server
        cls.config_path = srv.root / "config.json"
        cls.set_offset(0)
        srv.extra_args = ["--config", str(cls.config_path)]
        srv.restart()
        cls.ec_ca = build_root_ca(srv, "acmroot", via="boto3")
        cls.rsa_ca = build_root_ca(srv, "acmrsa", key_alg="RSA_2048", via="boto3")
        cls.no_perm_ca = build_root_ca(srv, "noperm", via="boto3")
        pca = srv.boto3()
        for ca in (cls.ec_ca, cls.rsa_ca):
            pca.create_permission(CertificateAuthorityArn=ca.arn, Principal="acm.amazonaws.com",
                                  Actions=["IssueCertificate", "GetCertificate",
                                           "ListPermissions"])

    @classmethod
    def set_offset(cls, seconds: int):
        cls.config_path.write_text(json.dumps({"test_clock_offset_s": int(seconds)}))

    def acm(self):
        cfg = botocore.config.Config(retries={"max_attempts": 1})
        return boto3.session.Session().client(
            "acm", endpoint_url=self.srv.endpoint, region_name=self.srv.region,
            aws_access_key_id=self.srv.access_key_id,
            aws_secret_access_key=self.srv.secret_access_key, config=cfg)

    def request(self, ca, name="svc.example.com", alg="EC_prime256v1", **kw) -> str:
        return self.acm().request_certificate(DomainName=name, CertificateAuthorityArn=ca.arn,
                                              KeyAlgorithm=alg, **kw)["CertificateArn"]

    def describe_acm(self, arn) -> dict:
        return self.acm().describe_certificate(CertificateArn=arn)["Certificate"]

    def acm_raw(self, operation: str, body: dict) -> dict:
        """One acm call as the wire sees it: for members (Options.Export) that the installed
        boto3's model may predate and would refuse to send or drop from a response."""
        r = raw_request(self.srv, "CertificateManager." + operation, body, service="acm")
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)

    def count_certs(self) -> int:
        c = self.acm()
        return len(c.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1",
                                                              "EC_secp384r1"]},
                                       CertificateStatuses=["ISSUED", "FAILED"])
                   ["CertificateSummaryList"])

    def events(self, detail_type: str, arn: str) -> list:
        out = []
        for line in self.srv.log_path.read_text(errors="replace").splitlines():
            m = re.search(r"event (\{.*\})\s*$", line)
            if not m:
                continue
            e = json.loads(m.group(1))
            if e["detail-type"] == detail_type and arn in e["resources"]:
                out.append(e)
        return out

    # -- request, wait, describe, export ------------------------------------------------------

    def test_01_request_wait_export_with_the_cli(self):
        srv = self.srv
        out = srv.cli("acm", "request-certificate", "--domain-name", "www.example.com",
                      "--subject-alternative-names", "www.example.com", "api.example.com",
                      "--certificate-authority-arn", self.ec_ca.arn,
                      "--key-algorithm", "EC_prime256v1", "--idempotency-token", "tok1",
                      "--tags", "Key=team,Value=web")
        arn = out["CertificateArn"]
        self.assertRegex(arn, r"^arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")
        again = self.acm().request_certificate(DomainName="www.example.com",
                                               CertificateAuthorityArn=self.ec_ca.arn,
                                               KeyAlgorithm="EC_prime256v1",
                                               IdempotencyToken="tok1")
        self.assertEqual(again["CertificateArn"], arn)
        srv.cli("acm", "wait", "certificate-validated", "--certificate-arn", arn)

        d = srv.cli("acm", "describe-certificate", "--certificate-arn", arn)["Certificate"]
        self.assertEqual(d["Status"], "ISSUED")
        self.assertEqual(d["Type"], "PRIVATE")
        self.assertEqual(d["KeyAlgorithm"], "EC-prime256v1")
        self.assertEqual(d["SubjectAlternativeNames"], ["www.example.com", "api.example.com"])
        self.assertEqual(d["Subject"], "CN=www.example.com")
        self.assertEqual(d["CertificateAuthorityArn"], self.ec_ca.arn)
        self.assertRegex(d["Serial"], r"^[0-9a-f]{2}(:[0-9a-f]{2})+$")
        self.assertEqual(d["SignatureAlgorithm"], "SHA256WITHECDSA")
        self.assertEqual([e["Name"] for e in d["ExtendedKeyUsages"]],
                         ["TLS_WEB_SERVER_AUTHENTICATION", "TLS_WEB_CLIENT_AUTHENTICATION"])
        self.assertIn({"Name": "DIGITAL_SIGNATURE"}, d["KeyUsages"])
        self.assertEqual(d["RenewalEligibility"], "INELIGIBLE")
        # (The installed clients' models may predate Options.Export: read it from the wire.)
        self.assertEqual(self.acm_raw("DescribeCertificate", {"CertificateArn": arn})
                         ["Certificate"]["Options"]["Export"], "ENABLED")
        self.assertEqual(d["InUseBy"], [])
        self.assertNotIn("RenewalSummary", d)
        lifetime = parse_ts(d["NotAfter"]) - parse_ts(d["IssuedAt"])
        self.assertEqual(round(lifetime.total_seconds() / DAY), 395)

        pem = self.acm().get_certificate(CertificateArn=arn)
        self.assertIn("BEGIN CERTIFICATE", pem["Certificate"])

        (srv.work / "pass.txt").write_bytes(b"s3cret-Passphrase")
        e = srv.cli("acm", "export-certificate", "--certificate-arn", arn,
                    "--passphrase", "fileb://pass.txt")
        self.assertTrue(e["PrivateKey"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        key = srv.write("exported.key", e["PrivateKey"])
        cert = srv.write("exported.pem", e["Certificate"])
        chain = srv.write("exported-chain.pem", e["CertificateChain"])
        plain = openssl("pkey", "-in", str(key), "-passin", "pass:s3cret-Passphrase").stdout
        self.assertIn(b"BEGIN PRIVATE KEY", plain)
        bad = openssl("pkey", "-in", str(key), "-passin", "pass:wrong", check=False)
        self.assertNotEqual(bad.returncode, 0)
        key_pub = openssl("pkey", "-in", str(key), "-passin", "pass:s3cret-Passphrase",
                          "-pubout").stdout
        cert_pub = openssl("x509", "-in", str(cert), "-noout", "-pubkey").stdout
        self.assertEqual(key_pub, cert_pub)
        ok, out = verify_chain(chain, cert)
        self.assertTrue(ok, out)
        self.assertEqual(chain.read_text().strip(), self.ec_ca.cert_pem.strip())
        self.assertNotIn(b"s3cret-Passphrase", srv.log_path.read_bytes())
        self.assertNotIn(plain.split(b"\n")[1], srv.log_path.read_bytes())

        self.assertEqual(self.describe_acm(arn)["RenewalEligibility"], "ELIGIBLE")
        tags = self.acm().list_tags_for_certificate(CertificateArn=arn)["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "web"}])

    def test_02_failures_list_filters_and_pages(self):
        c = self.acm()
        rsa = self.request(self.rsa_ca, "rsa.example.com", alg="RSA_2048")
        mismatch = self.request(self.ec_ca, "mismatch.example.com", alg="RSA_2048")
        d = self.describe_acm(mismatch)
        self.assertEqual(d["Status"], "FAILED")
        self.assertEqual(d["FailureReason"], "PCA_INVALID_ARGS")
        self.srv.cli("acm", "wait", "certificate-validated", "--certificate-arn", rsa)
        # The waiter stops at once on Status FAILED.
        r = subprocess.run([AWS, "acm", "wait", "certificate-validated", "--certificate-arn",
                            mismatch, "--endpoint-url", self.srv.endpoint],
                           cwd=str(self.srv.work), env=self.srv.cli_env(), capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("terminal failure state", r.stderr)

        # Default filter: RSA_1024 / RSA_2048 certificates only.
        listed = [s["CertificateArn"] for s in c.list_certificates()["CertificateSummaryList"]]
        self.assertIn(rsa, listed)
        self.assertTrue(all(self.describe_acm(a)["KeyAlgorithm"].startswith("RSA")
                            for a in listed))
        ec = c.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]},
                                 CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
        self.assertTrue(ec)
        self.assertTrue(all(s["KeyAlgorithm"] == "EC-prime256v1" for s in ec))
        self.assertTrue(all(s["Status"] == "ISSUED" for s in ec))
        failed = c.list_certificates(Includes={"keyTypes": ["RSA_2048"]},
                                     CertificateStatuses=["FAILED"])["CertificateSummaryList"]
        self.assertEqual([s["CertificateArn"] for s in failed], [mismatch])
        eku = c.list_certificates(Includes={"keyTypes": ["RSA_2048"],
                                            "extendedKeyUsage": ["CODE_SIGNING"]})
        self.assertEqual(eku["CertificateSummaryList"], [])

        first = c.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]},
                                    MaxItems=1, SortBy="CREATED_AT", SortOrder="DESCENDING")
        self.assertEqual(len(first["CertificateSummaryList"]), 1)
        second = c.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]},
                                     MaxItems=1, SortBy="CREATED_AT", SortOrder="DESCENDING",
                                     NextToken=first["NextToken"])
        self.assertNotEqual(first["CertificateSummaryList"][0]["CertificateArn"],
                            second["CertificateSummaryList"][0]["CertificateArn"])
        with self.assertRaises(c.exceptions.ClientError) as e:
            c.list_certificates(SortBy="CREATED_AT")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")

    def test_02b_expiry_histogram_on_the_metrics_endpoint(self):
        """/metrics has a histogram of the ACM certificates' time to expiry whose count is the
        number of certificates with a NotAfter (issued or imported; FAILED ones have none)."""
        c = self.acm()
        with_not_after = 0
        pages = c.get_paginator("list_certificates").paginate(
            Includes={"keyTypes": ["RSA_2048", "EC_prime256v1", "EC_secp384r1"]})
        for page in pages:
            for summary in page["CertificateSummaryList"]:
                d = c.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
                if "NotAfter" in d:
                    with_not_after += 1
        self.assertGreater(with_not_after, 0)
        with urllib.request.urlopen(self.srv.endpoint + "/metrics", timeout=30) as r:
            text = r.read().decode()
        m = re.search(r"^openpca_acm_certificate_expires_in_seconds_count (\d+)$", text, re.M)
        self.assertIsNotNone(m, "no ACM expiry histogram on /metrics")
        self.assertEqual(int(m.group(1)), with_not_after)
        # Certificates issued today for 395 days: none in the buckets below 365 days.
        m = re.search(r'^openpca_acm_certificate_expires_in_seconds_bucket\{le="31536000"\} (\d+)$',
                      text, re.M)
        self.assertIsNotNone(m)
        self.assertEqual(int(m.group(1)), 0)

    def test_03_refused_requests_change_nothing(self):
        c = self.acm()
        before = self.count_certs()
        account = self.ec_ca.arn.split(":")[4]
        cases = [
            (dict(DomainName="-bad-.example.com"), "ValidationException"),
            (dict(DomainName="a.example.com",
                  SubjectAlternativeNames=[f"n{i}.example.com" for i in range(11)]),
             "LimitExceededException"),
            (dict(DomainName="a.example.com",
                  DomainValidationOptions=[{"DomainName": "b.example.com",
                                            "ValidationDomain": "example.com"}]),
             "InvalidDomainValidationOptionsException"),
            (dict(DomainName="a.example.com", Tags=[{"Key": "aws:owner", "Value": "x"}]),
             "InvalidTagException"),
            (dict(DomainName="a.example.com", KeyAlgorithm="RSA_4096"),
             "InvalidParameterException"),
        ]
        for params, code in cases:
            params.setdefault("CertificateAuthorityArn", self.ec_ca.arn)
            params.setdefault("KeyAlgorithm", "EC_prime256v1")
            with self.subTest(code=code):
                with self.assertRaises(c.exceptions.ClientError) as e:
                    c.request_certificate(**params)
                self.assertEqual(e.exception.response["Error"]["Code"], code)
        self.assertEqual(self.count_certs(), before)

        missing = f"arn:aws:acm:us-east-1:{account}:certificate/00000000-0000-0000-0000-000000000000"
        for op in ("describe_certificate", "get_certificate", "renew_certificate",
                   "delete_certificate", "list_tags_for_certificate"):
            with self.subTest(op=op), self.assertRaises(c.exceptions.ResourceNotFoundException):
                getattr(c, op)(CertificateArn=missing)
        self.srv.cli("acm", "describe-certificate", "--certificate-arn",
                     f"arn:aws:acm:us-east-1:{account}:certificate",
                     expect_error="InvalidArnException")

        arn = self.request(self.ec_ca, "state.example.com")
        version = self.describe_acm(arn)
        (self.srv.work / "short.txt").write_bytes(b"abc")
        self.srv.cli("acm", "export-certificate", "--certificate-arn", arn,
                     "--passphrase", "fileb://short.txt", expect_error="ValidationException")
        with self.assertRaises(c.exceptions.ClientError) as e:
            c.renew_certificate(CertificateArn=arn)  # never exported: INELIGIBLE
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(self.describe_acm(arn)["RenewalEligibility"], "INELIGIBLE")
        tags = [{"Key": f"k{i}", "Value": "v"} for i in range(30)]
        c.add_tags_to_certificate(CertificateArn=arn, Tags=tags)
        with self.assertRaises(c.exceptions.TooManyTagsException):
            c.add_tags_to_certificate(CertificateArn=arn,
                                      Tags=[{"Key": f"x{i}", "Value": "v"} for i in range(21)])
        with self.assertRaises(c.exceptions.InvalidTagException):
            c.add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "aws:x", "Value": "v"}])
        self.assertEqual(len(c.list_tags_for_certificate(CertificateArn=arn)["Tags"]), 30)
        c.remove_tags_from_certificate(CertificateArn=arn, Tags=[{"Key": "k0"},
                                                                  {"Key": "k1", "Value": "no"}])
        self.assertEqual(len(c.list_tags_for_certificate(CertificateArn=arn)["Tags"]), 29)
        self.assertEqual(self.describe_acm(arn)["Serial"], version["Serial"])

        noexport = self.acm_raw("RequestCertificate", {
            "DomainName": "noexport.example.com", "CertificateAuthorityArn": self.ec_ca.arn,
            "KeyAlgorithm": "EC_prime256v1", "Options": {"Export": "DISABLED"}})["CertificateArn"]
        with self.assertRaises(c.exceptions.ClientError) as e:
            c.export_certificate(CertificateArn=noexport, Passphrase=b"abcd")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
        c.delete_certificate(CertificateArn=noexport)
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.describe_certificate(CertificateArn=noexport)

    def test_04_import_reimport_and_account_configuration(self):
        c = self.acm()
        srv = self.srv
        leaf = ("basicConstraints=CA:FALSE", "subjectAltName=DNS:imported.example.com")
        key, cert = self_signed_ca(srv.work, "imported", subject="/CN=imported.example.com",
                                   days=90, exts=leaf)
        arn = c.import_certificate(Certificate=cert.read_bytes(), PrivateKey=key.read_bytes(),
                                   Tags=[{"Key": "src", "Value": "import"}])["CertificateArn"]
        d = self.describe_acm(arn)
        self.assertEqual(d["Type"], "IMPORTED")
        self.assertEqual(d["DomainName"], "imported.example.com")
        self.assertIn("ImportedAt", d)
        self.assertEqual(d["RenewalEligibility"], "INELIGIBLE")
        with self.assertRaises(c.exceptions.ClientError) as e:
            c.export_certificate(CertificateArn=arn, Passphrase=b"abcd")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
        key2, cert2 = self_signed_ca(srv.work, "imported2", subject="/CN=imported.example.com",
                                     days=90, exts=leaf)
        again = c.import_certificate(CertificateArn=arn, Certificate=cert2.read_bytes(),
                                     PrivateKey=key2.read_bytes())["CertificateArn"]
        self.assertEqual(again, arn)
        self.assertNotEqual(self.describe_acm(arn)["Serial"], d["Serial"])
        with self.assertRaises(c.exceptions.InvalidParameterException):
            c.import_certificate(Certificate=cert.read_bytes(), PrivateKey=key2.read_bytes())
        private = self.request(self.ec_ca, "priv.example.com")
        with self.assertRaises(c.exceptions.InvalidParameterException):
            c.import_certificate(CertificateArn=private, Certificate=cert.read_bytes(),
                                 PrivateKey=key.read_bytes())

        self.assertEqual(c.get_account_configuration()["ExpiryEvents"]["DaysBeforeExpiry"], 45)
        c.put_account_configuration(ExpiryEvents={"DaysBeforeExpiry": 30},
                                    IdempotencyToken="cfg1")
        self.assertEqual(c.get_account_configuration()["ExpiryEvents"]["DaysBeforeExpiry"], 30)
        with self.assertRaises(c.exceptions.ConflictException):
            c.put_account_configuration(ExpiryEvents={"DaysBeforeExpiry": 20},
                                        IdempotencyToken="cfg1")
        c.put_account_configuration(ExpiryEvents={"DaysBeforeExpiry": 45},
                                    IdempotencyToken="cfg2")
        self.assertEqual(c.get_account_configuration()["ExpiryEvents"]["DaysBeforeExpiry"], 45)

    # -- managed renewal and expiry events with the clock moved ahead -------------------------

    def wait_for(self, predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        self.fail(f"timed out waiting for {what}\n{self.srv.log_tail(30)}")

    def passes(self) -> int:
        text = self.srv.log_path.read_text(errors="replace")
        return text.count("acm: scheduler pass done")

    def restart_at(self, when_s: int):
        """Restarts the server with its clock at Unix time `when_s` (approximately) and waits for
        the scheduler's first pass (renewals and expiry events) to finish."""
        before = self.passes()
        type(self).set_offset(when_s - int(time.time()))
        self.srv.restart()
        self.wait_for(lambda: self.passes() > before, "the scheduler's pass at startup")

    def test_05_managed_renewal_and_expiry_events(self):
        c = self.acm()
        good = self.request(self.ec_ca, "renew.example.com")
        bad = self.request(self.no_perm_ca, "norenew.example.com")
        for arn in (good, bad):
            c.export_certificate(CertificateArn=arn, Passphrase=b"passphrase")
        before = {a: self.describe_acm(a) for a in (good, bad)}
        not_after = int(parse_ts(before[bad]["NotAfter"]).timestamp())

        # 61 days before expiry: nothing is due yet.
        self.restart_at(not_after - 61 * DAY)
        self.assertNotIn("RenewalSummary", self.describe_acm(good))

        # 59 days before expiry: both are due; the CA that granted acm.amazonaws.com renews.
        self.restart_at(not_after - 59 * DAY)
        c = self.acm()
        renewed = self.wait_for(lambda: (self.describe_acm(good).get("RenewalSummary", {})
                                         .get("RenewalStatus") == "SUCCESS")
                                and self.describe_acm(good), "the renewal")
        self.assertEqual(renewed["CertificateArn"], good)
        self.assertNotEqual(renewed["Serial"], before[good]["Serial"])
        self.assertGreater(parse_ts(renewed["NotAfter"]), parse_ts(before[good]["NotAfter"]))
        self.assertEqual(renewed["RenewalEligibility"], "INELIGIBLE")  # until exported again
        failed = self.wait_for(lambda: (self.describe_acm(bad).get("RenewalSummary", {})
                                        .get("RenewalStatus") == "FAILED")
                               and self.describe_acm(bad), "the failed renewal")
        self.assertEqual(failed["RenewalSummary"]["RenewalStatusReason"], "PCA_ACCESS_DENIED")
        self.assertEqual(failed["Serial"], before[bad]["Serial"])
        self.assertEqual(len(self.events("ACM Certificate Renewal Action Required", bad)), 1)
        # The renewed certificate and key export and match.
        e = c.export_certificate(CertificateArn=good, Passphrase=b"passphrase")
        key = self.srv.write("renewed.key", e["PrivateKey"])
        cert = self.srv.write("renewed.pem", e["Certificate"])
        self.assertEqual(openssl("pkey", "-in", str(key), "-passin", "pass:passphrase",
                                 "-pubout").stdout,
                         openssl("x509", "-in", str(cert), "-noout", "-pubkey").stdout)

        # Restarted on the same day: nothing renews twice, no event repeats.
        self.restart_at(not_after - 59 * DAY + 60)
        self.assertEqual(self.describe_acm(good)["Serial"], renewed["Serial"])
        self.assertEqual(len(self.events("ACM Certificate Renewal Action Required", bad)), 1)
        self.assertEqual(self.events("ACM Certificate Approaching Expiration", bad), [])

        # 44.5 days before expiry: the first Approaching Expiration event (default 45 days).
        self.restart_at(not_after - 44 * DAY - DAY // 2)
        first = self.wait_for(lambda: self.events("ACM Certificate Approaching Expiration", bad),
                              "the Approaching Expiration event")
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["detail"], {"DaysToExpiry": 44,
                                              "CommonName": "norenew.example.com"})
        self.assertEqual(first[0]["source"], "aws.acm")
        self.assertRegex(first[0]["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(self.events("ACM Certificate Approaching Expiration", good), [])
        self.restart_at(not_after - 44 * DAY - DAY // 2 + 60)
        self.assertEqual(len(self.events("ACM Certificate Approaching Expiration", bad)), 1)
        # The next day, the next one.
        self.restart_at(not_after - 43 * DAY - DAY // 2)
        events = self.wait_for(
            lambda: [e for e in self.events("ACM Certificate Approaching Expiration", bad)
                     if e["detail"]["DaysToExpiry"] == 43], "the second day's event")
        self.assertEqual(len(events), 1)
        self.restart_at(int(time.time()))


if __name__ == "__main__":
    unittest.main()
