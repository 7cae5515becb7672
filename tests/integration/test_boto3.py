"""The root -> subordinate -> leaf flow through boto3 (Debian python3-boto3): waiters
certificate_authority_csr_created / certificate_issued, paginators, modeled exceptions and
wire types (acm-pca.md §1, §6, §7)."""

import datetime
import unittest

from botocore.exceptions import ClientError, WaiterError

from harness import ServerTestCase, load_cert, make_csr, split_pem, template_arn, verify_chain

WAIT = {"Delay": 1, "MaxAttempts": 120}


class Boto3Test(ServerTestCase):
    server_name = "boto3"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.server.boto3()

    # -- helpers ------------------------------------------------------------------------------

    def create(self, ca_type, cn, key_alg="EC_prime256v1", sig="SHA256WITHECDSA", **kw):
        arn = self.client.create_certificate_authority(
            CertificateAuthorityConfiguration={"KeyAlgorithm": key_alg, "SigningAlgorithm": sig,
                                               "Subject": {"CommonName": cn, "Country": "US"}},
            CertificateAuthorityType=ca_type, **kw)["CertificateAuthorityArn"]
        self.client.get_waiter("certificate_authority_csr_created").wait(
            CertificateAuthorityArn=arn, WaiterConfig=WAIT)
        csr = self.client.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"]
        return arn, csr

    def issue(self, ca_arn, csr, template=None, validity=None, sig="SHA256WITHECDSA", **kw):
        params = dict(CertificateAuthorityArn=ca_arn, Csr=csr.encode() if isinstance(csr, str)
                      else csr, SigningAlgorithm=sig,
                      Validity=validity or {"Value": 30, "Type": "DAYS"}, **kw)
        if template:
            params["TemplateArn"] = template_arn(template)
        arn = self.client.issue_certificate(**params)["CertificateArn"]
        self.client.get_waiter("certificate_issued").wait(
            CertificateAuthorityArn=ca_arn, CertificateArn=arn, WaiterConfig=WAIT)
        return arn, self.client.get_certificate(CertificateAuthorityArn=ca_arn,
                                                CertificateArn=arn)

    # -- flow ---------------------------------------------------------------------------------

    def test_1_root_sub_leaf(self):
        c = self.client
        s = self.srv
        root_arn, root_csr = self.create("ROOT", "Boto Root")
        _, got = self.issue(root_arn, root_csr, "RootCACertificate",
                            {"Value": 10, "Type": "YEARS"})
        self.assertNotIn("CertificateChain", got)
        root_pem = got["Certificate"]
        resp = c.import_certificate_authority_certificate(CertificateAuthorityArn=root_arn,
                                                          Certificate=root_pem.encode())
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(resp["ResponseMetadata"]["RequestId"], "x-amzn-RequestId header")
        d = c.describe_certificate_authority(CertificateAuthorityArn=root_arn)[
            "CertificateAuthority"]
        self.assertEqual(d["Status"], "ACTIVE")
        for f in ("CreatedAt", "NotBefore", "NotAfter"):
            self.assertIsInstance(d[f], datetime.datetime, f"{f} must be an epoch timestamp")
        self.assertEqual(d["NotAfter"].replace(tzinfo=None),
                         load_cert(root_pem).not_valid_after)

        sub_arn, sub_csr = self.create("SUBORDINATE", "Boto Sub", "RSA_2048", "SHA256WITHRSA")
        _, got = self.issue(root_arn, sub_csr, "SubordinateCACertificate_PathLen0",
                            {"Value": 5, "Type": "YEARS"})
        sub_pem = got["Certificate"]
        self.assertEqual([load_cert(x) for x in split_pem(got["CertificateChain"])],
                         [load_cert(root_pem)])
        c.import_certificate_authority_certificate(
            CertificateAuthorityArn=sub_arn, Certificate=sub_pem.encode(),
            CertificateChain=root_pem.encode())
        self.assertEqual(c.describe_certificate_authority(CertificateAuthorityArn=sub_arn)[
            "CertificateAuthority"]["Status"], "ACTIVE")
        out = c.get_certificate_authority_certificate(CertificateAuthorityArn=sub_arn)
        self.assertEqual(load_cert(out["Certificate"]), load_cert(sub_pem))
        self.assertEqual(load_cert(out["CertificateChain"]), load_cert(root_pem))

        _, csr = make_csr(s.work, "boto-leaf", sans=["DNS:boto-leaf.example.com"])
        leaf_arn, got = self.issue(sub_arn, csr.read_bytes(), sig="SHA256WITHRSA")
        self.assertTrue(leaf_arn.startswith(sub_arn + "/certificate/"))
        self.assertEqual([load_cert(x) for x in split_pem(got["CertificateChain"])],
                         [load_cert(sub_pem), load_cert(root_pem)])
        s.write("boto-root.pem", root_pem)
        s.write("boto-sub.pem", sub_pem)
        s.write("boto-leaf.pem", got["Certificate"])
        ok, msg = verify_chain(s.path("boto-root.pem"), s.path("boto-leaf.pem"),
                               s.path("boto-sub.pem"))
        self.assertTrue(ok, msg)
        type(self).root_arn, type(self).sub_arn = root_arn, sub_arn

    def test_2_modeled_exceptions(self):
        c = self.client
        account = self.root_arn.split(":")[4]
        missing = (f"arn:aws:acm-pca:us-east-1:{account}:certificate-authority/"
                   "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.describe_certificate_authority(CertificateAuthorityArn=missing)
        with self.assertRaises(c.exceptions.MalformedCSRException) as cm:
            c.issue_certificate(CertificateAuthorityArn=self.sub_arn, Csr=b"junk",
                                SigningAlgorithm="SHA256WITHRSA",
                                Validity={"Value": 1, "Type": "DAYS"})
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertTrue(err["Error"].get("Message"), "error message present")
        with self.assertRaises(c.exceptions.InvalidArgsException):
            c.issue_certificate(CertificateAuthorityArn=self.sub_arn,
                                Csr=self.srv.path("boto-leaf.csr").read_bytes(),
                                SigningAlgorithm="SHA256WITHECDSA",
                                Validity={"Value": 1, "Type": "DAYS"})
        with self.assertRaises(ClientError) as cm:
            c.get_certificate_authority_certificate(CertificateAuthorityArn=missing)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_3_waiter_fails_on_other_errors(self):
        account = self.root_arn.split(":")[4]
        missing = (f"arn:aws:acm-pca:us-east-1:{account}:certificate-authority/"
                   "aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff")
        with self.assertRaises(WaiterError):
            self.client.get_waiter("certificate_issued").wait(
                CertificateAuthorityArn=missing, CertificateArn=missing + "/certificate/01",
                WaiterConfig={"Delay": 1, "MaxAttempts": 3})

    def test_4_paginator_list_certificate_authorities(self):
        c = self.client
        for i in range(3):
            self.create("ROOT", f"Paged {i}")
        everything = c.list_certificate_authorities(MaxResults=1000)
        self.assertNotIn("NextToken", everything)
        all_arns = sorted(ca["Arn"] for ca in everything["CertificateAuthorities"])
        self.assertGreaterEqual(len(all_arns), 5)
        pages = list(c.get_paginator("list_certificate_authorities").paginate(
            PaginationConfig={"PageSize": 2}))
        self.assertGreaterEqual(len(pages), 3)
        for p in pages[:-1]:
            self.assertEqual(len(p["CertificateAuthorities"]), 2)
            self.assertIn("NextToken", p)
        self.assertNotIn("NextToken", pages[-1])
        arns = [ca["Arn"] for p in pages for ca in p["CertificateAuthorities"]]
        self.assertEqual(sorted(arns), all_arns)
        # MaxItems/StartingToken (client-side) resume correctly.
        pag = c.get_paginator("list_certificate_authorities")
        first = pag.paginate(PaginationConfig={"PageSize": 1, "MaxItems": 2}).build_full_result()
        self.assertEqual(len(first["CertificateAuthorities"]), 2)
        rest = pag.paginate(PaginationConfig={"PageSize": 1,
                                              "StartingToken": first["NextToken"]}
                            ).build_full_result()
        got = [ca["Arn"] for ca in first["CertificateAuthorities"] + rest[
            "CertificateAuthorities"]]
        self.assertEqual(sorted(got), all_arns)

    def test_5_list_tags_paginator(self):
        c = self.client
        c.tag_certificate_authority(CertificateAuthorityArn=self.root_arn,
                                    Tags=[{"Key": f"k{i}", "Value": str(i)} for i in range(7)])
        pages = list(c.get_paginator("list_tags").paginate(
            CertificateAuthorityArn=self.root_arn, PaginationConfig={"PageSize": 3}))
        tags = [t for p in pages for t in p["Tags"]]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         sorted((f"k{i}", str(i)) for i in range(7)))
        self.assertGreaterEqual(len(pages), 3)

    def test_6_idempotent_create_and_issue(self):
        c = self.client
        cfg = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
               "Subject": {"CommonName": "Idem"}}
        a1 = c.create_certificate_authority(CertificateAuthorityConfiguration=cfg,
                                            CertificateAuthorityType="ROOT",
                                            IdempotencyToken="boto-idem")["CertificateAuthorityArn"]
        a2 = c.create_certificate_authority(CertificateAuthorityConfiguration=cfg,
                                            CertificateAuthorityType="ROOT",
                                            IdempotencyToken="boto-idem")["CertificateAuthorityArn"]
        self.assertEqual(a1, a2)
        csr = self.srv.path("boto-leaf.csr").read_bytes()
        kw = dict(CertificateAuthorityArn=self.sub_arn, Csr=csr, SigningAlgorithm="SHA256WITHRSA",
                  Validity={"Value": 2, "Type": "DAYS"}, IdempotencyToken="issue-idem")
        self.assertEqual(c.issue_certificate(**kw)["CertificateArn"],
                         c.issue_certificate(**kw)["CertificateArn"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
