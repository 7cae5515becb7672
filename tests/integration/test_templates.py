"""Issued certificate content per template (templates.md §1-3), Validity/ValidityNotBefore
(templates.md §4) and serial numbers, read back with Python cryptography.

The root is built with the CLI; issuance here goes through boto3 for speed (a few via the CLI)."""

import calendar
import datetime
import ipaddress
import json
import unittest

from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID, ObjectIdentifier

from harness import (UTC, ServerTestCase, b64, build_root_ca, cert_not_after, cert_not_before,
                     fetch_cert, issue, load_cert, load_csr, make_csr, now_utc, template_arn)

# Extension OIDs used in expectations.
BC = ExtensionOID.BASIC_CONSTRAINTS
KU = ExtensionOID.KEY_USAGE
EKU = ExtensionOID.EXTENDED_KEY_USAGE
SKI = ExtensionOID.SUBJECT_KEY_IDENTIFIER
AKI = ExtensionOID.AUTHORITY_KEY_IDENTIFIER
SAN = ExtensionOID.SUBJECT_ALTERNATIVE_NAME
CP = ExtensionOID.CERTIFICATE_POLICIES

SERVER = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT = ExtendedKeyUsageOID.CLIENT_AUTH
CODE = ExtendedKeyUsageOID.CODE_SIGNING
OCSP = ExtendedKeyUsageOID.OCSP_SIGNING
EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION
SMART_CARD = ObjectIdentifier("1.3.6.1.4.1.311.20.2.2")

EE_KU = {"digital_signature", "key_encipherment"}
CA_KU = {"digital_signature", "key_cert_sign", "crl_sign"}
DS_KU = {"digital_signature"}

# Custom OIDs under a private arc; values are DER UTF8Strings.
CSR_EXT_OID = ObjectIdentifier("1.3.6.1.4.1.55555.1.1")
CSR_EXT_DER = bytes.fromhex("0c0568656c6c6f")           # UTF8String "hello"
API_EXT_OID = ObjectIdentifier("1.3.6.1.4.1.55555.4.1")
API_EXT_DER = bytes.fromhex("0c06637573746f6d")         # UTF8String "custom"
API_CRIT_EXT_OID = ObjectIdentifier("1.3.6.1.4.1.55555.4.2")
API_CRIT_EXT_DER = bytes.fromhex("0101ff")              # BOOLEAN TRUE

KU_FIELDS = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign"]


def ku_bits(ku: x509.KeyUsage) -> set:
    bits = {f for f in KU_FIELDS if getattr(ku, f)}
    if ku.key_agreement:
        if ku.encipher_only:
            bits.add("encipher_only")
        if ku.decipher_only:
            bits.add("decipher_only")
    return bits


def add_months(t: datetime.datetime, n: int) -> datetime.datetime:
    m = t.month - 1 + n
    y, m = t.year + m // 12, m % 12 + 1
    d = min(t.day, calendar.monthrange(y, m)[1])
    return t.replace(year=y, month=m, day=d)


def normalize_names(names):
    """GeneralNames comparable regardless of RDN order inside a DirectoryName."""
    out = []
    for n in names:
        if isinstance(n, x509.DirectoryName):
            out.append(("dir", tuple(sorted((a.oid.dotted_string, a.value) for a in n.value))))
        else:
            out.append((type(n).__name__, str(n.value)))
    return out


def ski_of(cert_or_csr) -> bytes:
    return x509.SubjectKeyIdentifier.from_public_key(cert_or_csr.public_key()).digest


API_SUBJECT = {"Country": "US", "Organization": "Api Org", "OrganizationalUnit": "Api Unit",
               "CommonName": "api.example.com"}
API_SANS = [
    {"DnsName": "api.example.com"},
    {"Rfc822Name": "user@example.com"},
    {"IpAddress": "192.0.2.7"},
    {"IpAddress": "2001:db8::7"},
    {"UniformResourceIdentifier": "https://example.com/id"},
    {"DirectoryName": {"CommonName": "dir name", "Organization": "Dir Org"}},
    {"RegisteredId": "1.3.6.1.4.1.55555.5.1"},
]
EXPECTED_API_SANS = [
    x509.DNSName("api.example.com"),
    x509.RFC822Name("user@example.com"),
    x509.IPAddress(ipaddress.ip_address("192.0.2.7")),
    x509.IPAddress(ipaddress.ip_address("2001:db8::7")),
    x509.UniformResourceIdentifier("https://example.com/id"),
    x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Dir Org"),
                                  x509.NameAttribute(NameOID.COMMON_NAME, "dir name")])),
    x509.RegisteredID(ObjectIdentifier("1.3.6.1.4.1.55555.5.1")),
]
API_EXTENSIONS = {
    "KeyUsage": {"DigitalSignature": True, "NonRepudiation": True, "KeyEncipherment": True},
    "ExtendedKeyUsage": [{"ExtendedKeyUsageType": "CLIENT_AUTH"},
                         {"ExtendedKeyUsageType": "SMART_CARD_LOGIN"},
                         {"ExtendedKeyUsageObjectIdentifier": "1.3.6.1.4.1.55555.2.1"}],
    "SubjectAlternativeNames": API_SANS,
    "CertificatePolicies": [{
        "CertPolicyId": "1.3.6.1.4.1.55555.3.1",
        "PolicyQualifiers": [{"PolicyQualifierId": "CPS",
                              "Qualifier": {"CpsUri": "https://example.com/cps"}}]}],
    "CustomExtensions": [
        {"ObjectIdentifier": str(API_EXT_OID.dotted_string), "Value": b64(API_EXT_DER)},
        {"ObjectIdentifier": API_CRIT_EXT_OID.dotted_string, "Value": b64(API_CRIT_EXT_DER),
         "Critical": True},
    ],
}


class TemplatesTest(ServerTestCase):
    server_name = "templates"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        try:
            # 30 years so END_DATE 2049 and long validities fit under the root.
            cls.root = build_root_ca(s, "troot", validity="Value=30,Type=YEARS", via="boto3")
            cls.root_cert = cls.root.cert
            cls.client = s.boto3()
            # CSR with subject + SAN only.
            _, p = make_csr(s.work, "plain", subject="/C=US/O=Example/CN=plain.example.com",
                            sans=["DNS:plain.example.com", "DNS:alt.example.com", "IP:10.0.0.1"])
            cls.csr_plain = p.read_bytes()
            # CSR carrying extensions the base templates must drop.
            _, p = make_csr(s.work, "extra", subject="/O=Example/CN=extra.example.com",
                            sans=["DNS:extra.example.com"],
                            addext=[f"{CSR_EXT_OID.dotted_string}=DER:0C:05:68:65:6C:6C:6F",
                                    "keyUsage=critical,keyAgreement",
                                    "extendedKeyUsage=codeSigning"])
            cls.csr_extra = p.read_bytes()
            # CSR for Blank CSR-passthrough: its KU/EKU are the only ones.
            _, p = make_csr(s.work, "blank", subject="/CN=blank.example.com",
                            sans=["DNS:blank.example.com"],
                            addext=[f"{CSR_EXT_OID.dotted_string}=DER:0C:05:68:65:6C:6C:6F",
                                    "keyUsage=critical,digitalSignature,nonRepudiation",
                                    "extendedKeyUsage=emailProtection"])
            cls.csr_blank = p.read_bytes()
        except BaseException:
            cls._had_failure = True
            cls.tearDownClass()
            raise

    # -- helpers ------------------------------------------------------------------------------

    def issue(self, csr: bytes, template=None, validity=None, api=None, not_before=None,
              sig="SHA256WITHECDSA"):
        params = {"CertificateAuthorityArn": self.root.arn, "Csr": csr, "SigningAlgorithm": sig,
                  "Validity": validity or {"Value": 30, "Type": "DAYS"}}
        if template:
            params["TemplateArn"] = template_arn(template)
        if api is not None:
            params["ApiPassthrough"] = api
        if not_before is not None:
            params["ValidityNotBefore"] = not_before
        arn = self.client.issue_certificate(**params)["CertificateArn"]
        self.client.get_waiter("certificate_issued").wait(
            CertificateAuthorityArn=self.root.arn, CertificateArn=arn,
            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        out = self.client.get_certificate(CertificateAuthorityArn=self.root.arn,
                                          CertificateArn=arn)
        return load_cert(out["Certificate"])

    def issue_error(self, csr: bytes, **kw) -> str:
        with self.assertRaises(ClientError) as cm:
            self.issue(csr, **kw)
        return cm.exception.response["Error"]["Code"]

    def assertExtensions(self, cert, *, ca, pathlen=None, bc_critical, ku=None,
                         ku_critical=True, eku=None, eku_critical=False, san=None,
                         extra=(), csr=None):
        """Exactly these extensions: BC, [KU], [EKU], SKI, AKI, [SAN], extra."""
        oids = [e.oid for e in cert.extensions]
        self.assertEqual(len(oids), len(set(oids)), f"duplicate extensions: {oids}")
        expected = {BC, SKI, AKI, *extra}
        if ku is not None:
            expected.add(KU)
        if eku is not None:
            expected.add(EKU)
        if san is not None:
            expected.add(SAN)
        self.assertEqual({o.dotted_string for o in oids}, {o.dotted_string for o in expected},
                         f"extension set of {cert.subject.rfc4514_string()}")
        self.assertEqual(cert.version, x509.Version.v3)
        bc = cert.extensions.get_extension_for_oid(BC)
        self.assertEqual(bc.critical, bc_critical, "basicConstraints criticality")
        self.assertEqual(bc.value.ca, ca)
        self.assertEqual(bc.value.path_length, pathlen)
        if ku is not None:
            e = cert.extensions.get_extension_for_oid(KU)
            self.assertEqual(ku_bits(e.value), set(ku), "key usage bits")
            if ku_critical is not None:
                self.assertEqual(e.critical, ku_critical, "keyUsage criticality")
        if eku is not None:
            e = cert.extensions.get_extension_for_oid(EKU)
            self.assertEqual(sorted(o.dotted_string for o in e.value),
                             sorted(o.dotted_string for o in eku), "EKU OIDs")
            self.assertEqual(len(list(e.value)), len(eku))
            if eku_critical is not None:
                self.assertEqual(e.critical, eku_critical, "EKU criticality")
        if san is not None:
            got = list(cert.extensions.get_extension_for_oid(SAN).value)
            self.assertEqual(normalize_names(got), normalize_names(san), "SAN")
        ski = cert.extensions.get_extension_for_oid(SKI)
        self.assertFalse(ski.critical)
        self.assertEqual(ski.value.digest, ski_of(cert), "SKI = SHA-1 of the subject key")
        if csr is not None:
            self.assertEqual(ski.value.digest, ski_of(load_csr(csr)))
        aki = cert.extensions.get_extension_for_oid(AKI)
        self.assertFalse(aki.critical)
        self.assertEqual(aki.value.key_identifier, ski_of(self.root_cert), "AKI = issuer SKI")
        self.assertEqual(cert.issuer, self.root_cert.subject)

    def assertSubjectFromCsr(self, cert, csr: bytes):
        self.assertEqual(cert.subject, load_csr(csr).subject)
        self.assertEqual(cert.public_key().public_bytes(
            x509.base.serialization.Encoding.DER,
            x509.base.serialization.PublicFormat.SubjectPublicKeyInfo),
            load_csr(csr).public_key().public_bytes(
                x509.base.serialization.Encoding.DER,
                x509.base.serialization.PublicFormat.SubjectPublicKeyInfo))

    def csr_sans(self, csr: bytes):
        return list(load_csr(csr).extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value)

    # -- the root itself (RootCACertificate/V1) -----------------------------------------------

    def test_root_ca_certificate_extensions(self):
        cert = self.root_cert
        oids = {e.oid.dotted_string for e in cert.extensions}
        self.assertEqual(oids, {BC.dotted_string, KU.dotted_string, SKI.dotted_string},
                         "RootCACertificate/V1: BC, KU, SKI; no AKI, no CDP")
        bc = cert.extensions.get_extension_for_oid(BC)
        self.assertTrue(bc.critical)
        self.assertTrue(bc.value.ca)
        self.assertIsNone(bc.value.path_length)
        ku = cert.extensions.get_extension_for_oid(KU)
        self.assertTrue(ku.critical)
        self.assertEqual(ku_bits(ku.value), CA_KU)
        self.assertEqual(cert.extensions.get_extension_for_oid(SKI).value.digest, ski_of(cert))
        self.assertEqual(cert.subject, cert.issuer)

    # -- base templates -----------------------------------------------------------------------

    def test_base_end_entity_default_template(self):
        # No TemplateArn -> EndEntityCertificate/V1.
        cert = self.issue(self.csr_plain)
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER, CLIENT],
                              san=self.csr_sans(self.csr_plain), csr=self.csr_plain)
        self.assertSubjectFromCsr(cert, self.csr_plain)

    def test_base_templates_drop_csr_extensions(self):
        cases = {
            "EndEntityCertificate": dict(ku=EE_KU, eku=[SERVER, CLIENT]),
            "EndEntityClientAuthCertificate": dict(ku=EE_KU, eku=[CLIENT]),
            "EndEntityServerAuthCertificate": dict(ku=EE_KU, eku=[SERVER]),
            "CodeSigningCertificate": dict(ku=DS_KU, eku=[CODE], eku_critical=True),
            "OCSPSigningCertificate": dict(ku=DS_KU, eku=[OCSP], eku_critical=True),
        }
        for tmpl, exp in cases.items():
            with self.subTest(template=tmpl):
                cert = self.issue(self.csr_extra, template=tmpl)
                self.assertExtensions(cert, ca=False, bc_critical=False,
                                      san=self.csr_sans(self.csr_extra), csr=self.csr_extra,
                                      **exp)
                self.assertSubjectFromCsr(cert, self.csr_extra)

    def test_subordinate_pathlen_templates(self):
        for n in range(4):
            with self.subTest(pathlen=n):
                cert = self.issue(self.csr_extra, template=f"SubordinateCACertificate_PathLen{n}",
                                  validity={"Value": 365, "Type": "DAYS"})
                self.assertExtensions(cert, ca=True, pathlen=n, bc_critical=True, ku=CA_KU,
                                      san=self.csr_sans(self.csr_extra), csr=self.csr_extra)
                self.assertSubjectFromCsr(cert, self.csr_extra)

    def test_base_template_ignores_api_passthrough(self):
        cert = self.issue(self.csr_plain, template="EndEntityCertificate",
                          api={"Subject": API_SUBJECT, "Extensions": API_EXTENSIONS})
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER, CLIENT],
                              san=self.csr_sans(self.csr_plain))
        self.assertSubjectFromCsr(cert, self.csr_plain)

    def test_base_template_with_cli_and_api_passthrough_file(self):
        # The same through the CLI: --api-passthrough file://... is accepted and ignored.
        s = self.srv
        s.write("pt.json", json.dumps({"Subject": API_SUBJECT,
                                       "Extensions": {"SubjectAlternativeNames": API_SANS}}))
        s.write("plain-cli.csr", self.csr_plain)
        arn = issue(s, self.root, "plain-cli.csr", "SHA256WITHECDSA", "Value=3,Type=DAYS",
                    "EndEntityServerAuthCertificate",
                    extra_args=["--api-passthrough", "file://pt.json"])
        pem, chain = fetch_cert(s, self.root.arn, arn)
        cert = load_cert(pem)
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER],
                              san=self.csr_sans(self.csr_plain))
        self.assertSubjectFromCsr(cert, self.csr_plain)
        self.assertEqual(load_cert(chain), self.root_cert)

    # -- CSR passthrough ----------------------------------------------------------------------

    def test_csr_passthrough_copies_extra_extension_template_wins(self):
        cert = self.issue(self.csr_extra, template="EndEntityCertificate_CSRPassthrough")
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER, CLIENT],
                              san=self.csr_sans(self.csr_extra), extra=[CSR_EXT_OID])
        ext = cert.extensions.get_extension_for_oid(CSR_EXT_OID)
        self.assertFalse(ext.critical)
        self.assertEqual(ext.value.value, CSR_EXT_DER)
        self.assertSubjectFromCsr(cert, self.csr_extra)

    def test_csr_passthrough_subordinate(self):
        cert = self.issue(self.csr_extra,
                          template="SubordinateCACertificate_PathLen1_CSRPassthrough",
                          validity={"Value": 100, "Type": "DAYS"})
        # The template fixes BC and KU (the CSR's keyAgreement loses) but defines no EKU, so
        # the CSR's EKU passes through like any other extension.
        self.assertExtensions(cert, ca=True, pathlen=1, bc_critical=True, ku=CA_KU,
                              eku=[CODE], eku_critical=False,
                              san=self.csr_sans(self.csr_extra), extra=[CSR_EXT_OID])

    def test_blank_csr_passthrough_takes_ku_eku_from_csr(self):
        cert = self.issue(self.csr_blank, template="BlankEndEntityCertificate_CSRPassthrough")
        self.assertExtensions(cert, ca=False, bc_critical=False,
                              ku={"digital_signature", "content_commitment"}, ku_critical=True,
                              eku=[EMAIL], eku_critical=False,
                              san=self.csr_sans(self.csr_blank), extra=[CSR_EXT_OID])
        self.assertSubjectFromCsr(cert, self.csr_blank)

    def test_blank_critical_bc_csr_passthrough(self):
        cert = self.issue(self.csr_blank,
                          template="BlankEndEntityCertificate_CriticalBasicConstraints_"
                                   "CSRPassthrough")
        self.assertExtensions(cert, ca=False, bc_critical=True,
                              ku={"digital_signature", "content_commitment"}, eku=[EMAIL],
                              san=self.csr_sans(self.csr_blank), extra=[CSR_EXT_OID])

    def test_csr_passthrough_ignores_api_passthrough(self):
        cert = self.issue(self.csr_extra, template="EndEntityServerAuthCertificate_CSRPassthrough",
                          api={"Subject": API_SUBJECT, "Extensions": API_EXTENSIONS})
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER],
                              san=self.csr_sans(self.csr_extra), extra=[CSR_EXT_OID])
        self.assertSubjectFromCsr(cert, self.csr_extra)

    # -- API passthrough ----------------------------------------------------------------------

    def assertApiSubject(self, cert):
        want = {NameOID.COUNTRY_NAME: "US", NameOID.ORGANIZATION_NAME: "Api Org",
                NameOID.ORGANIZATIONAL_UNIT_NAME: "Api Unit",
                NameOID.COMMON_NAME: "api.example.com"}
        got = {a.oid: a.value for a in cert.subject}
        self.assertEqual(got, want)
        self.assertEqual(len(list(cert.subject)), 4)

    def assertApiCustomExtensions(self, cert):
        e = cert.extensions.get_extension_for_oid(API_EXT_OID)
        self.assertFalse(e.critical)
        self.assertEqual(e.value.value, API_EXT_DER)
        e = cert.extensions.get_extension_for_oid(API_CRIT_EXT_OID)
        self.assertTrue(e.critical)
        self.assertEqual(e.value.value, API_CRIT_EXT_DER)

    def test_blank_api_passthrough_everything(self):
        cert = self.issue(self.csr_plain, template="BlankEndEntityCertificate_APIPassthrough",
                          api={"Subject": API_SUBJECT, "Extensions": API_EXTENSIONS})
        self.assertExtensions(
            cert, ca=False, bc_critical=False,
            ku={"digital_signature", "content_commitment", "key_encipherment"}, ku_critical=None,
            eku=[CLIENT, SMART_CARD, ObjectIdentifier("1.3.6.1.4.1.55555.2.1")],
            eku_critical=None, san=EXPECTED_API_SANS,
            extra=[CP, API_EXT_OID, API_CRIT_EXT_OID])
        self.assertApiSubject(cert)
        self.assertApiCustomExtensions(cert)
        cp = cert.extensions.get_extension_for_oid(CP).value
        self.assertEqual(len(cp), 1)
        self.assertEqual(cp[0].policy_identifier.dotted_string, "1.3.6.1.4.1.55555.3.1")
        self.assertEqual(cp[0].policy_qualifiers, ["https://example.com/cps"])

    def test_blank_critical_bc_api_passthrough(self):
        cert = self.issue(self.csr_plain,
                          template="BlankEndEntityCertificate_CriticalBasicConstraints_"
                                   "APIPassthrough",
                          api={"Extensions": {"KeyUsage": {"DigitalSignature": True}}})
        self.assertExtensions(cert, ca=False, bc_critical=True, ku=DS_KU, ku_critical=None,
                              san=self.csr_sans(self.csr_plain))
        # No API subject -> subject from the CSR.
        self.assertSubjectFromCsr(cert, self.csr_plain)

    def test_api_passthrough_template_values_win(self):
        cert = self.issue(
            self.csr_extra, template="EndEntityClientAuthCertificate_APIPassthrough",
            api={"Subject": API_SUBJECT,
                 "Extensions": {"KeyUsage": {"KeyAgreement": True},
                                "ExtendedKeyUsage": [{"ExtendedKeyUsageType": "SERVER_AUTH"}],
                                "SubjectAlternativeNames": [{"DnsName": "api.example.com"}],
                                "CustomExtensions": API_EXTENSIONS["CustomExtensions"]}})
        # KU/EKU fixed by the template; subject/SAN/custom from the API; CSR extras dropped.
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[CLIENT],
                              san=[x509.DNSName("api.example.com")],
                              extra=[API_EXT_OID, API_CRIT_EXT_OID])
        self.assertApiSubject(cert)
        self.assertApiCustomExtensions(cert)

    def test_blank_subordinate_api_passthrough(self):
        cert = self.issue(self.csr_plain,
                          template="BlankSubordinateCACertificate_PathLen0_APIPassthrough",
                          validity={"Value": 30, "Type": "DAYS"},
                          api={"Extensions": {"KeyUsage": {"KeyCertSign": True, "CRLSign": True}}})
        self.assertExtensions(cert, ca=True, pathlen=0, bc_critical=True,
                              ku={"key_cert_sign", "crl_sign"}, ku_critical=None,
                              san=self.csr_sans(self.csr_plain))

    # -- API + CSR passthrough ----------------------------------------------------------------

    def test_api_csr_passthrough_api_san_beats_csr_san(self):
        cert = self.issue(
            self.csr_extra, template="EndEntityCertificate_APICSRPassthrough",
            api={"Extensions": {"SubjectAlternativeNames": [{"DnsName": "api-wins.example.com"}],
                                "CustomExtensions": [API_EXTENSIONS["CustomExtensions"][0]]}})
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER, CLIENT],
                              san=[x509.DNSName("api-wins.example.com")],
                              extra=[CSR_EXT_OID, API_EXT_OID])
        # No API subject -> CSR subject.
        self.assertSubjectFromCsr(cert, self.csr_extra)
        self.assertEqual(cert.extensions.get_extension_for_oid(CSR_EXT_OID).value.value,
                         CSR_EXT_DER)

    def test_api_csr_passthrough_without_api_uses_csr(self):
        cert = self.issue(self.csr_extra, template="EndEntityCertificate_APICSRPassthrough")
        self.assertExtensions(cert, ca=False, bc_critical=False, ku=EE_KU, eku=[SERVER, CLIENT],
                              san=self.csr_sans(self.csr_extra), extra=[CSR_EXT_OID])

    # -- template ARN validation --------------------------------------------------------------

    def test_unknown_template_rejected(self):
        for arn in ("arn:aws:acm-pca:::template/NoSuchTemplate/V1",
                    "arn:aws:acm-pca:::template/EndEntityCertificate/V2"):
            with self.subTest(arn=arn):
                self.assertEqual(self.issue_error(self.csr_plain, template=arn),
                                 "InvalidArgsException")

    def test_signing_algorithm_variants(self):
        cert = self.issue(self.csr_plain, sig="SHA384WITHECDSA")
        self.assertEqual(cert.signature_algorithm_oid.dotted_string, "1.2.840.10045.4.3.3")
        cert = self.issue(self.csr_plain, sig="SHA512WITHECDSA")
        self.assertEqual(cert.signature_algorithm_oid.dotted_string, "1.2.840.10045.4.3.4")
        cert = self.issue(self.csr_plain)
        self.assertEqual(cert.signature_algorithm_oid.dotted_string, "1.2.840.10045.4.3.2")

    # -- validity (templates.md §4) -----------------------------------------------------------

    def timed_issue(self, **kw):
        t0 = now_utc()
        cert = self.issue(self.csr_plain, **kw)
        t1 = now_utc()
        return cert, t0, t1

    def assertBetween(self, value, lo, hi, what, slack=2.0):
        lo = lo - datetime.timedelta(seconds=slack)
        hi = hi + datetime.timedelta(seconds=slack)
        self.assertTrue(lo <= value <= hi, f"{what}: {value.isoformat()} not in "
                                           f"[{lo.isoformat()}, {hi.isoformat()}]")

    def assertDefaultNotBefore(self, cert, t0, t1):
        hour = datetime.timedelta(minutes=60)
        self.assertBetween(cert_not_before(cert), t0 - hour, t1 - hour,
                           "default NotBefore = issuance - 60 min")

    def test_validity_days(self):
        cert, t0, t1 = self.timed_issue(validity={"Value": 10, "Type": "DAYS"})
        d = datetime.timedelta(days=10)
        self.assertBetween(cert_not_after(cert), t0 + d, t1 + d, "NotAfter (DAYS)")
        self.assertDefaultNotBefore(cert, t0, t1)

    def test_validity_months(self):
        cert, t0, t1 = self.timed_issue(validity={"Value": 2, "Type": "MONTHS"})
        self.assertBetween(cert_not_after(cert), add_months(t0, 2), add_months(t1, 2),
                           "NotAfter (MONTHS)")
        self.assertDefaultNotBefore(cert, t0, t1)

    def test_validity_years(self):
        cert, t0, t1 = self.timed_issue(validity={"Value": 2, "Type": "YEARS"})
        self.assertBetween(cert_not_after(cert), add_months(t0, 24), add_months(t1, 24),
                           "NotAfter (YEARS)")
        self.assertDefaultNotBefore(cert, t0, t1)

    def test_validity_absolute(self):
        target = int((now_utc() + datetime.timedelta(days=45)).timestamp())
        cert, t0, t1 = self.timed_issue(validity={"Value": target, "Type": "ABSOLUTE"})
        self.assertEqual(cert_not_after(cert), datetime.datetime.fromtimestamp(target, tz=UTC))
        self.assertDefaultNotBefore(cert, t0, t1)
        self.assertEqual(datetime.datetime.fromtimestamp(2524608000, tz=UTC),
                         datetime.datetime(2050, 1, 1, tzinfo=UTC))

    def test_validity_end_date(self):
        want = datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC)
        for value in (491231235959, 20491231235959):
            with self.subTest(value=value):
                cert, t0, t1 = self.timed_issue(validity={"Value": value, "Type": "END_DATE"})
                self.assertEqual(cert_not_after(cert), want)
                self.assertDefaultNotBefore(cert, t0, t1)

    def test_validity_not_before_absolute(self):
        nb = int((now_utc() - datetime.timedelta(days=3)).timestamp())
        cert, t0, t1 = self.timed_issue(validity={"Value": 20, "Type": "DAYS"},
                                        not_before={"Value": nb, "Type": "ABSOLUTE"})
        self.assertEqual(cert_not_before(cert), datetime.datetime.fromtimestamp(nb, tz=UTC))
        d = datetime.timedelta(days=20)
        # NotAfter stays relative to the issuance time, not shifted by NotBefore.
        self.assertBetween(cert_not_after(cert), t0 + d, t1 + d, "NotAfter with NotBefore")

    def test_validity_not_before_must_be_absolute(self):
        code = self.issue_error(self.csr_plain, validity={"Value": 20, "Type": "DAYS"},
                                not_before={"Value": 1, "Type": "DAYS"})
        self.assertIn(code, ("InvalidArgsException", "ValidationException"))

    # -- serials ------------------------------------------------------------------------------

    def test_serials_positive_large_unique(self):
        serials = []
        for _ in range(50):
            arn = self.client.issue_certificate(
                CertificateAuthorityArn=self.root.arn, Csr=self.csr_plain,
                SigningAlgorithm="SHA256WITHECDSA",
                Validity={"Value": 1, "Type": "DAYS"})["CertificateArn"]
            self.client.get_waiter("certificate_issued").wait(
                CertificateAuthorityArn=self.root.arn, CertificateArn=arn,
                WaiterConfig={"Delay": 1, "MaxAttempts": 60})
            cert = load_cert(self.client.get_certificate(
                CertificateAuthorityArn=self.root.arn, CertificateArn=arn)["Certificate"])
            serial = cert.serial_number
            self.assertEqual(int(arn.rsplit("/", 1)[1], 16), serial, "ARN carries the serial")
            serials.append(serial)
        self.assertEqual(len(set(serials)), 50, "serials must be unique")
        self.assertNotIn(self.root_cert.serial_number, serials)
        for s in serials:
            self.assertGreater(s, 0)
            self.assertLessEqual((s.bit_length() + 8) // 8, 20, "RFC 5280: at most 20 octets")
            # >= 64 random bits: a random leading-zero run past 16 bits is a 2^-16 event.
            self.assertGreaterEqual(s.bit_length(), 48, hex(s))
        self.assertGreaterEqual(max(s.bit_length() for s in serials), 64,
                                "serials must carry at least 64 bits")


if __name__ == "__main__":
    unittest.main(verbosity=2)
