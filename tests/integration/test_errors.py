"""Bad input gets the exact AWS error code and changes no state (acm-pca.md §1 common errors,
§3 operations, templates.md §4-5). The server must still answer /health afterwards.

Client-side validation of the CLI/boto3 (required members, minimums) is bypassed with raw
signed requests (harness.raw_request)."""

import datetime
import json
import unittest

from harness import (ServerTestCase, b64, build_root_ca, create_ca, fetch_cert, fetch_csr,
                     import_ca_cert, issue, load_cert, load_csr, make_csr, make_key, now_utc,
                     openssl, raw_request, self_signed_ca)

T = "ACMPrivateCA."
# ImportCertificateAuthorityCertificate rejections whose exact code the spec leaves open.
IMPORT_REJECT = {"CertificateMismatchException", "InvalidRequestException",
                 "MalformedCertificateException"}


class ErrorsTest(ServerTestCase):
    server_name = "errors"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            cls.root = build_root_ca(s, "eroot", validity="Value=5,Type=YEARS", via="boto3")
            cls.account = cls.root.arn.split(":")[4]
            cls.pending_root = create_ca(s, "pending-root", "ROOT", via="boto3")
            cls.pending_root_csr = fetch_csr(s, cls.pending_root, "pending-root", via="boto3")
            cls.pending_sub = create_ca(s, "pending-sub", "SUBORDINATE", via="boto3")
            fetch_csr(s, cls.pending_sub, "pending-sub", via="boto3")
            cls.client = s.boto3()
            make_csr(s.work, "good")
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    # -- helpers ------------------------------------------------------------------------------

    def snapshot(self):
        """Every CA (full describe output) and the tags of the three fixtures."""
        cas = {}
        token = None
        while True:
            kw = {"MaxResults": 100}
            if token:
                kw["NextToken"] = token
            page = self.client.list_certificate_authorities(**kw)
            for ca in page["CertificateAuthorities"]:
                cas[ca["Arn"]] = ca
            token = page.get("NextToken")
            if not token:
                break
        for arn in list(cas):
            self.assertEqual(self.client.describe_certificate_authority(
                CertificateAuthorityArn=arn)["CertificateAuthority"], cas[arn])
        tags = {arn: self.client.list_tags(CertificateAuthorityArn=arn).get("Tags", [])
                for arn in (self.root.arn, self.pending_root, self.pending_sub)}
        return cas, tags

    def assertUnchanged(self, before):
        self.assertEqual(self.snapshot(), before, "a rejected request changed state")

    def raw(self, op, body, **kw):
        return raw_request(self.srv, T + op if op else None, body, **kw)

    def assertRawError(self, r, code, status=400):
        codes = {code} if isinstance(code, str) else set(code)
        self.assertIsNone(r.error if r.status is None else None, r.error)
        self.assertEqual(r.status, status, f"HTTP status; body={r.body[:300]!r}")
        self.assertIn(r.code, codes, f"error code; body={r.body[:300]!r}")
        j = r.json
        self.assertIsInstance(j, dict, r.body[:300])
        self.assertTrue("message" in j or "Message" in j, f"error body has no message: {j}")
        ctype = {k.lower(): v for k, v in r.headers.items()}.get("content-type", "")
        self.assertIn("json", ctype)

    # -- protocol -----------------------------------------------------------------------------

    def test_malformed_json_body(self):
        before = self.snapshot()
        for body in (b'{"MaxResults": ', b"not json at all", b'{"a":1}}'):
            with self.subTest(body=body):
                self.assertRawError(self.raw("ListCertificateAuthorities", body),
                                    "SerializationException")
        cfg = '{"CertificateAuthorityConfiguration": {"KeyAlgorithm": "EC_prime256v1",'
        self.assertRawError(self.raw("CreateCertificateAuthority", cfg), "SerializationException")
        # Valid JSON but not an object, or a member of the wrong JSON type.
        self.assertRawError(self.raw("ListCertificateAuthorities", b"[1, 2]"),
                            "SerializationException")
        self.assertRawError(self.raw("ListCertificateAuthorities", {"MaxResults": "ten"}),
                            ("SerializationException", "ValidationException"))
        self.assertUnchanged(before)

    def test_unknown_target(self):
        before = self.snapshot()
        self.assertRawError(self.raw("FlyToTheMoon", {}), "UnknownOperationException")
        r = raw_request(self.srv, "CertificateManager.ListCertificates", {})
        self.assertRawError(r, "UnknownOperationException")
        self.assertUnchanged(before)

    def test_missing_required_member(self):
        before = self.snapshot()
        self.assertRawError(self.raw("DescribeCertificateAuthority", {}), "ValidationException")
        body = {"CertificateAuthorityConfiguration": {
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "x"}}}
        self.assertRawError(self.raw("CreateCertificateAuthority", body), "ValidationException")
        body = {"CertificateAuthorityArn": self.root.arn, "Csr": b64(b"x"),
                "SigningAlgorithm": "SHA256WITHECDSA"}   # no Validity
        self.assertRawError(self.raw("IssueCertificate", body), "ValidationException")
        body = {"CertificateAuthorityArn": self.root.arn, "Csr": b64(b"x"),
                "SigningAlgorithm": "SHA256WITHECDSA", "Validity": {"Value": 1}}  # no Type
        self.assertRawError(self.raw("IssueCertificate", body), "ValidationException")
        self.assertUnchanged(before)

    def test_too_long_string(self):
        before = self.snapshot()
        self.srv.write("cfg-long-cn.json", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "x" * 65}}))
        self.aws("create-certificate-authority", "--certificate-authority-configuration",
                 "file://cfg-long-cn.json", "--certificate-authority-type", "ROOT",
                 expect_error="ValidationException")
        self.srv.write("cfg-ok.json", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "ok"}}))
        self.aws("create-certificate-authority", "--certificate-authority-configuration",
                 "file://cfg-ok.json", "--certificate-authority-type", "ROOT",
                 "--idempotency-token", "t" * 37, expect_error="ValidationException")
        self.assertApiError("ValidationException", "tag_certificate_authority",
                            CertificateAuthorityArn=self.root.arn,
                            Tags=[{"Key": "k" * 129, "Value": "v"}])
        self.assertApiError("ValidationException", "tag_certificate_authority",
                            CertificateAuthorityArn=self.root.arn,
                            Tags=[{"Key": "k", "Value": "v" * 257}])
        self.assertUnchanged(before)

    def test_bad_enum(self):
        before = self.snapshot()
        self.srv.write("cfg-enum.json", json.dumps({
            "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
            "Subject": {"CommonName": "enum"}}))
        self.aws("create-certificate-authority", "--certificate-authority-configuration",
                 "file://cfg-enum.json", "--certificate-authority-type", "INTERMEDIATE",
                 expect_error="ValidationException")
        # botocore does not check enums client-side, so boto3 sends these as they are.
        self.assertApiError("ValidationException", "create_certificate_authority",
                            CertificateAuthorityConfiguration={
                                "KeyAlgorithm": "RSA_1024", "SigningAlgorithm": "SHA256WITHRSA",
                                "Subject": {"CommonName": "weak"}},
                            CertificateAuthorityType="ROOT")
        self.issue_error("ValidationException", self.root, "good.csr", "Value=1,Type=DAYS",
                         sig="MD5WITHRSA")
        self.issue_error("ValidationException", self.root, "good.csr", "Value=1,Type=FORTNIGHTS")
        self.assertApiError("ValidationException", "update_certificate_authority",
                            CertificateAuthorityArn=self.root.arn, Status="SLEEPING")
        self.assertUnchanged(before)

    def test_bad_arn_pattern(self):
        before = self.snapshot()
        self.aws("describe-certificate-authority", "--certificate-authority-arn", "not-an-arn",
                 expect_error="ValidationException")
        for bad in ("arn:aws:s3:::my-bucket", self.root.arn + "/x" * 100):
            with self.subTest(arn=bad):
                self.assertApiError("ValidationException", "describe_certificate_authority",
                                    CertificateAuthorityArn=bad)
        self.assertUnchanged(before)

    def test_wrong_shape_acm_pca_arn(self):
        # Matches the model's Arn pattern but is not a CA ARN (acm-pca.md §1 InvalidArnException).
        bad = f"arn:aws:acm-pca:{self.srv.region}:{self.account}:something/else"
        self.aws("describe-certificate-authority", "--certificate-authority-arn", bad,
                 expect_error="InvalidArnException")

    def test_missing_ca(self):
        before = self.snapshot()
        missing = (f"arn:aws:acm-pca:{self.srv.region}:{self.account}:certificate-authority/"
                   "11111111-2222-4333-8444-555555555555")
        self.aws("describe-certificate-authority", "--certificate-authority-arn", missing,
                 expect_error="ResourceNotFoundException")
        self.issue_error("ResourceNotFoundException", missing, "good.csr", "Value=1,Type=DAYS")
        for method in ("get_certificate_authority_csr", "list_tags",
                       "delete_certificate_authority", "get_certificate_authority_certificate",
                       "restore_certificate_authority"):
            with self.subTest(method=method):
                self.assertApiError("ResourceNotFoundException", method,
                                    CertificateAuthorityArn=missing)
        # A missing certificate of an existing CA.
        self.assertApiError("ResourceNotFoundException", "get_certificate",
                            CertificateAuthorityArn=self.root.arn,
                            CertificateArn=self.root.arn + "/certificate/"
                                                           "0123456789abcdef0123456789abcdef")
        self.assertUnchanged(before)

    def test_bad_next_token(self):
        self.assertRawError(self.raw("ListCertificateAuthorities", {"NextToken": "garbage!!"}),
                            "InvalidNextTokenException")

    def test_out_of_range_numbers(self):
        before = self.snapshot()
        self.assertRawError(self.raw("ListCertificateAuthorities", {"MaxResults": 0}),
                            "ValidationException")
        self.assertRawError(self.raw("ListCertificateAuthorities", {"MaxResults": 1001}),
                            "ValidationException")
        body = {"CertificateAuthorityArn": self.root.arn,
                "Csr": b64(self.srv.path("good.csr").read_bytes()),
                "SigningAlgorithm": "SHA256WITHECDSA", "Validity": {"Value": 0, "Type": "DAYS"}}
        self.assertRawError(self.raw("IssueCertificate", body), "ValidationException")
        self.assertUnchanged(before)

    # -- CSRs ---------------------------------------------------------------------------------

    def test_garbage_csr(self):
        before = self.snapshot()
        self.srv.write("garbage.csr", b"this is not a certificate signing request\n")
        issue(self.srv, self.root, "garbage.csr", "SHA256WITHECDSA", "Value=1,Type=DAYS",
              expect_error="MalformedCSRException")
        self.srv.write("garbage-pem.csr", "-----BEGIN CERTIFICATE REQUEST-----\n"
                                          "AAAAnotreallyaCSR////\n"
                                          "-----END CERTIFICATE REQUEST-----\n")
        self.issue_error("MalformedCSRException", self.root, "garbage-pem.csr",
                         "Value=1,Type=DAYS")
        # A certificate where a CSR is expected.
        self.issue_error("MalformedCSRException", self.root, "eroot.pem", "Value=1,Type=DAYS")
        self.assertUnchanged(before)

    def test_csr_broken_signature(self):
        before = self.snapshot()
        _, csr = make_csr(self.srv.work, "badsig")
        der = bytearray(openssl("req", "-in", csr, "-outform", "DER").stdout)
        der[-1] ^= 0x01   # last byte of the ECDSA 's' integer: still DER, signature wrong
        pem = openssl("req", "-inform", "DER", "-outform", "PEM", input=bytes(der)).stdout
        self.srv.write("badsig-flipped.csr", pem)
        self.assertFalse(load_csr(pem).is_signature_valid, "crafted CSR must have a bad signature")
        r = openssl("req", "-verify", "-noout", "-in", self.srv.path("badsig-flipped.csr"),
                    check=False)
        self.assertIn(b"verify failure", r.stdout + r.stderr)
        issue(self.srv, self.root, "badsig-flipped.csr", "SHA256WITHECDSA", "Value=1,Type=DAYS",
              expect_error="MalformedCSRException")
        self.assertUnchanged(before)

    def test_csr_rsa_1024(self):
        before = self.snapshot()
        make_csr(self.srv.work, "rsa1024", kind="rsa", bits=1024)
        self.issue_error("MalformedCSRException", self.root, "rsa1024.csr", "Value=1,Type=DAYS")
        self.assertUnchanged(before)

    def test_csr_without_subject_or_san(self):
        before = self.snapshot()
        key = make_key(self.srv.path("nosubj.key"))
        openssl("req", "-new", "-key", key, "-subj", "/", "-out", self.srv.path("nosubj.csr"))
        self.issue_error(("MalformedCSRException", "InvalidArgsException"), self.root,
                         "nosubj.csr", "Value=1,Type=DAYS")
        self.assertUnchanged(before)

    # -- algorithms and states ----------------------------------------------------------------

    def test_signing_algorithm_family_mismatch(self):
        before = self.snapshot()
        issue(self.srv, self.root, "good.csr", "SHA256WITHRSA", "Value=1,Type=DAYS",
              expect_error="InvalidArgsException")
        self.issue_error("InvalidArgsException", self.root, "good.csr", "Value=1,Type=DAYS",
                         sig="SHA512WITHRSA")
        # Creating a CA whose signing algorithm does not fit its key.
        self.assertApiError("InvalidArgsException", "create_certificate_authority",
                            CertificateAuthorityConfiguration={
                                "KeyAlgorithm": "EC_prime256v1",
                                "SigningAlgorithm": "SHA256WITHRSA",
                                "Subject": {"CommonName": "mismatch"}},
                            CertificateAuthorityType="ROOT")
        self.assertUnchanged(before)

    def test_issue_from_pending_ca(self):
        before = self.snapshot()
        issue(self.srv, self.pending_root, "good.csr", "SHA256WITHECDSA", "Value=1,Type=DAYS",
              expect_error="InvalidStateException")
        self.issue_error("InvalidStateException", self.pending_sub, "good.csr",
                         "Value=1,Type=DAYS")
        self.issue_error("InvalidStateException", self.pending_root, "good.csr",
                         "Value=1,Type=DAYS", "SubordinateCACertificate_PathLen0")
        self.assertUnchanged(before)

    # -- import -------------------------------------------------------------------------------

    def test_import_key_mismatch(self):
        before = self.snapshot()
        # Self-signed, CA:TRUE critical, but with a key that is not the CA's.
        _, other = self_signed_ca(self.srv.work, "other-root",
                                  subject="/C=US/O=Example Corp/CN=pending-root CA")
        self.aws("import-certificate-authority-certificate",
                 "--certificate-authority-arn", self.pending_root,
                 "--certificate", f"fileb://{other.name}",
                 expect_error="CertificateMismatchException")
        self.assertUnchanged(before)
        self.assertEqual(self.status(self.pending_root), "PENDING_CERTIFICATE")

    def test_import_non_self_signed_into_root(self):
        # The pending root's own CSR signed by another (hosted) CA: right key, wrong issuer.
        arn = issue(self.srv, self.root, "pending-root.csr", self.root.sig_alg,
                    "Value=1,Type=YEARS", "SubordinateCACertificate_PathLen0", via="boto3")
        cert, chain = fetch_cert(self.srv, self.root.arn, arn, via="boto3")
        self.srv.write("pending-root-by-eroot.pem", cert)
        before = self.snapshot()
        self.aws("import-certificate-authority-certificate",
                 "--certificate-authority-arn", self.pending_root,
                 "--certificate", "fileb://pending-root-by-eroot.pem",
                 expect_error=IMPORT_REJECT)
        self.assertApiError(IMPORT_REJECT, "import_certificate_authority_certificate",
                            CertificateAuthorityArn=self.pending_root,
                            Certificate=cert.encode(),
                            CertificateChain=self.root.cert_pem.encode())
        self.assertUnchanged(before)

    def test_import_self_signed_into_subordinate(self):
        before = self.snapshot()
        _, ss = self_signed_ca(self.srv.work, "ss-for-sub")
        self.assertApiError(IMPORT_REJECT, "import_certificate_authority_certificate",
                            CertificateAuthorityArn=self.pending_sub,
                            Certificate=ss.read_bytes())
        # The hosted root's own self-signed certificate is not acceptable either.
        self.assertApiError(IMPORT_REJECT, "import_certificate_authority_certificate",
                            CertificateAuthorityArn=self.pending_sub,
                            Certificate=self.root.cert_pem.encode())
        self.assertUnchanged(before)

    def test_import_malformed_pem(self):
        before = self.snapshot()
        self.srv.write("bad.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                  "-----END CERTIFICATE-----\n")
        self.aws("import-certificate-authority-certificate",
                 "--certificate-authority-arn", self.pending_root,
                 "--certificate", "fileb://bad.pem",
                 expect_error="MalformedCertificateException")
        self.assertApiError("MalformedCertificateException",
                            "import_certificate_authority_certificate",
                            CertificateAuthorityArn=self.pending_root,
                            Certificate=b"\x00\x01\x02 definitely not a certificate")
        self.assertUnchanged(before)

    def test_get_ca_certificate_before_import(self):
        self.assertApiError("InvalidStateException", "get_certificate_authority_certificate",
                            CertificateAuthorityArn=self.pending_root)

    # -- size and authentication --------------------------------------------------------------

    def test_body_over_1mib(self):
        before = self.snapshot()
        body = json.dumps({"CertificateAuthorityArn": self.root.arn,
                           "Tags": [{"Key": "big", "Value": "v" * (1100 * 1024)}]}).encode()
        r = self.raw("TagCertificateAuthority", body)
        self.assertEqual(r.status, 413, f"{r.error} {r.body[:200]!r}")
        self.assertUnchanged(before)
        self.assertTrue(self.srv.health())

    def test_unsigned_request(self):
        before = self.snapshot()
        r = self.raw("ListCertificateAuthorities", {}, sign=False)
        self.assertEqual(r.status, 403, r.body[:300])
        self.assertIn(r.code, ("MissingAuthenticationTokenException",
                               "MissingAuthenticationToken"), r.body[:300])
        r = self.raw("CreateCertificateAuthority", {
            "CertificateAuthorityConfiguration": {
                "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
                "Subject": {"CommonName": "unsigned"}},
            "CertificateAuthorityType": "ROOT"}, sign=False)
        self.assertEqual(r.status, 403)
        self.assertUnchanged(before)

    def test_wrong_secret(self):
        before = self.snapshot()
        r = self.raw("ListCertificateAuthorities", {}, secret="wrong" + "x" * 35)
        self.assertRawError(r, "InvalidSignatureException")
        # The same through the CLI with a credentials file carrying the wrong secret.
        creds = self.srv.write("wrong-credentials", "[default]\naws_access_key_id = "
                               f"{self.srv.access_key_id}\naws_secret_access_key = nope\n")
        self.aws("list-certificate-authorities",
                 env=self.srv.cli_env(AWS_SHARED_CREDENTIALS_FILE=str(creds)),
                 expect_error="InvalidSignatureException")
        self.assertUnchanged(before)

    def test_tampered_body(self):
        # Signed for one body, sent with another: the payload hash no longer matches.
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        req = AWSRequest(method="POST", url=self.srv.endpoint + "/", data=b"{}",
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": T + "ListCertificateAuthorities"})
        SigV4Auth(Credentials(self.srv.access_key_id, self.srv.secret_access_key), "acm-pca",
                  self.srv.region).add_auth(req)
        headers = dict(req.headers.items())
        r = raw_request(self.srv, T + "ListCertificateAuthorities", b'{"MaxResults": 1}',
                        sign=False, extra_headers={k: v for k, v in headers.items()
                                                   if k.lower() != "content-type"})
        self.assertRawError(r, "InvalidSignatureException")

    def test_unknown_access_key(self):
        r = self.raw("ListCertificateAuthorities", {}, access_key="AKIAIOSFODNN7EXAMPLE",
                     secret="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        self.assertRawError(r, "UnrecognizedClientException")

    def test_request_dated_20_minutes_ago(self):
        when = now_utc() - datetime.timedelta(minutes=20)
        r = self.raw("ListCertificateAuthorities", {}, when=when)
        self.assertRawError(r, "RequestExpired")
        # And 20 minutes in the future.
        r = self.raw("ListCertificateAuthorities", {},
                     when=now_utc() + datetime.timedelta(minutes=20))
        self.assertRawError(r, "RequestExpired")
        # 5 minutes of skew is fine.
        r = self.raw("ListCertificateAuthorities", {},
                     when=now_utc() - datetime.timedelta(minutes=5))
        self.assertEqual(r.status, 200, r.body[:300])

    def test_wrong_region_in_scope(self):
        # A region the endpoint does not serve is refused.
        r = self.raw("ListCertificateAuthorities", {}, region="xx-nowhere-1")
        self.assertIn(r.status, (400, 403), r.body[:300])
        self.assertIn(r.code, ("InvalidSignatureException", "IncompleteSignature",
                               "IncompleteSignatureException"), r.body[:300])

    def test_regions_have_their_own_cas(self):
        # Every served region answers, and resources are per region, as on AWS.
        here = {c["Arn"] for c in self.list_cas()}
        self.assertTrue(here)
        r = self.raw("ListCertificateAuthorities", {}, region="eu-west-1")
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.json.get("CertificateAuthorities", []), [])
        arn = next(iter(here))
        r = self.raw("DescribeCertificateAuthority", {"CertificateAuthorityArn": arn},
                     region="eu-west-1")
        self.assertRawError(r, "ResourceNotFoundException")

    # -- numbers and tags ---------------------------------------------------------------------

    def test_permanent_deletion_time_out_of_range(self):
        before = self.snapshot()
        for days in (6, 31):
            with self.subTest(days=days):
                r = self.raw("DeleteCertificateAuthority", {
                    "CertificateAuthorityArn": self.pending_sub,
                    "PermanentDeletionTimeInDays": days})
                self.assertRawError(r, "ValidationException")
        self.assertUnchanged(before)
        self.assertEqual(self.status(self.pending_sub), "PENDING_CERTIFICATE")

    def test_too_many_tags(self):
        before = self.snapshot()
        # 51 in one request violates the model (TagList max 50).
        self.aws("tag-certificate-authority", "--certificate-authority-arn", self.pending_sub,
                 "--tags", *[f"Key=t{i},Value=v" for i in range(51)],
                 expect_error="ValidationException")
        self.assertUnchanged(before)
        # 30 + 21 exceeds 50 on the CA.
        arn = self.pending_sub
        self.c.tag_certificate_authority(
            CertificateAuthorityArn=arn, Tags=[{"Key": f"a{i}", "Value": "v"} for i in range(30)])
        mid = self.snapshot()
        self.assertApiError("TooManyTagsException", "tag_certificate_authority",
                            CertificateAuthorityArn=arn,
                            Tags=[{"Key": f"b{i}", "Value": "v"} for i in range(21)])
        self.assertUnchanged(mid)
        self.assertEqual(len(self.tags(arn)), 30)
        # Exactly 50 is fine; re-tagging existing keys does not count twice.
        self.c.tag_certificate_authority(
            CertificateAuthorityArn=arn, Tags=[{"Key": f"b{i}", "Value": "v"} for i in range(20)])
        self.c.tag_certificate_authority(CertificateAuthorityArn=arn,
                                         Tags=[{"Key": "a0", "Value": "changed"}])
        self.assertEqual(len(self.tags(arn)), 50)
        self.c.untag_certificate_authority(
            CertificateAuthorityArn=arn, Tags=[{"Key": f"a{i}"} for i in range(30)])
        self.c.untag_certificate_authority(
            CertificateAuthorityArn=arn, Tags=[{"Key": f"b{i}"} for i in range(20)])
        self.assertUnchanged(before)

    def test_short_lived_ca_issues_up_to_seven_days(self):
        """UsageMode SHORT_LIVED_CERTIFICATE: DAYS 7 is allowed (the 60-minute backdating of
        NotBefore is not part of the requested validity), DAYS 8 is refused; the root's own
        10-year certificate is not subject to the limit (AWS does not check root CA
        certificates)."""
        s = self.srv
        arn = create_ca(s, "short", "ROOT",
                        extra_args=["--usage-mode", "SHORT_LIVED_CERTIFICATE"])
        fetch_csr(s, arn, "short")
        root_arn = issue(s, arn, "short.csr", "SHA256WITHECDSA", "Value=10,Type=YEARS",
                         "RootCACertificate")
        root_pem, _ = fetch_cert(s, arn, root_arn)
        import_ca_cert(s, arn, s.write("short.pem", root_pem).name)
        d = self.c.describe_certificate_authority(CertificateAuthorityArn=arn)
        self.assertEqual(d["CertificateAuthority"]["UsageMode"], "SHORT_LIVED_CERTIFICATE")
        self.assertEqual(d["CertificateAuthority"]["Status"], "ACTIVE")

        make_csr(s.work, "short-leaf")
        t0 = now_utc().replace(microsecond=0)
        leaf_arn = issue(s, arn, "short-leaf.csr", "SHA256WITHECDSA", "Value=7,Type=DAYS")
        t1 = now_utc()
        leaf, _ = fetch_cert(s, arn, leaf_arn)
        cert = load_cert(leaf)
        not_after = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
        not_before = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        week = datetime.timedelta(days=7)
        self.assertTrue(t0 + week <= not_after <= t1 + week, not_after)
        self.assertEqual(not_after - not_before, week + datetime.timedelta(hours=1))

        before = self.snapshot()
        for validity in ("Value=8,Type=DAYS", "Value=1,Type=MONTHS"):
            with self.subTest(validity=validity):
                issue(s, arn, "short-leaf.csr", "SHA256WITHECDSA", validity,
                      expect_error="ValidationException")
        self.issue_error("ValidationException", arn, "short-leaf.csr", "Value=8,Type=DAYS")
        self.assertUnchanged(before)

    def test_reserved_tag_keys_refused_by_tag_and_untag(self):
        arn = self.pending_sub
        self.c.tag_certificate_authority(CertificateAuthorityArn=arn,
                                         Tags=[{"Key": "keep", "Value": "v"}])
        before = self.snapshot()
        for key in ("aws:x", "AWS:x", "Aws:created-by"):
            with self.subTest(key=key):
                self.assertApiError("InvalidTagException", "tag_certificate_authority",
                                    CertificateAuthorityArn=arn,
                                    Tags=[{"Key": key, "Value": "v"}])
                # Refused whole: the ordinary key beside it is not removed either.
                self.assertApiError("InvalidTagException", "untag_certificate_authority",
                                    CertificateAuthorityArn=arn,
                                    Tags=[{"Key": "keep"}, {"Key": key}])
                self.assertUnchanged(before)
        self.aws("untag-certificate-authority", "--certificate-authority-arn", arn,
                 "--tags", "Key=aws:x", expect_error="InvalidTagException")
        self.assertUnchanged(before)
        self.c.untag_certificate_authority(CertificateAuthorityArn=arn, Tags=[{"Key": "keep"}])

    def test_zz_still_healthy(self):
        self.assertTrue(self.srv.health(), self.srv.log_tail())
        self.assertTrue(self.srv.running)
        self.aws("list-certificate-authorities")


if __name__ == "__main__":
    unittest.main(verbosity=2)
