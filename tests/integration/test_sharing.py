"""acm-pca resource policies and ACM permissions over the wire (boto3): PutPolicy/GetPolicy/
DeletePolicy with the documented statement shapes, InvalidPolicyException for others, and
CreatePermission/ListPermissions/DeletePermission."""

import json
import unittest

from harness import ServerTestCase, create_ca

OTHER = "555555555555"


def account_policy(ca_arn, account):
    principal = {"AWS": account}
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Principal": principal,
             "Action": ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
                        "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions",
                        "acm-pca:ListTags"],
             "Resource": ca_arn},
            {"Sid": "Issue", "Effect": "Allow", "Principal": principal,
             "Action": ["acm-pca:IssueCertificate"], "Resource": ca_arn,
             "Condition": {"StringEquals": {
                 "acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}},
        ]})


class SharingTest(ServerTestCase):
    server_name = "sharing"

    def test_policy_round_trip_and_refusals(self):
        arn = create_ca(self.srv, "shared", "ROOT", "EC_prime256v1", cn="Shared CA", via="boto3")
        c = self.c
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.get_policy(ResourceArn=arn)
        policy = account_policy(arn, OTHER)
        c.put_policy(ResourceArn=arn, Policy=policy)
        self.assertEqual(json.loads(c.get_policy(ResourceArn=arn)["Policy"]), json.loads(policy))

        wildcard = json.loads(policy)
        wildcard["Statement"][0]["Principal"] = "*"
        with self.assertRaises(c.exceptions.InvalidPolicyException):
            c.put_policy(ResourceArn=arn, Policy=json.dumps(wildcard))
        self.assertEqual(json.loads(c.get_policy(ResourceArn=arn)["Policy"]), json.loads(policy))

        with self.assertRaises(c.exceptions.InvalidArnException):
            c.put_policy(ResourceArn="arn:aws:acm-pca:us-east-1:123456789012:nope", Policy=policy)
        c.delete_policy(ResourceArn=arn)
        c.delete_policy(ResourceArn=arn)
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.get_policy(ResourceArn=arn)
        shared = c.list_certificate_authorities(ResourceOwner="OTHER_ACCOUNTS")
        self.assertEqual(shared["CertificateAuthorities"], [])

    def test_permissions(self):
        arn = create_ca(self.srv, "perm", "ROOT", "EC_prime256v1", cn="Permission CA", via="boto3")
        c = self.c
        actions = ["IssueCertificate", "GetCertificate", "ListPermissions"]
        c.create_permission(CertificateAuthorityArn=arn, Principal="acm.amazonaws.com",
                            Actions=actions)
        with self.assertRaises(c.exceptions.PermissionAlreadyExistsException):
            c.create_permission(CertificateAuthorityArn=arn, Principal="acm.amazonaws.com",
                                Actions=actions)
        perms = c.list_permissions(CertificateAuthorityArn=arn)["Permissions"]
        self.assertEqual(len(perms), 1)
        self.assertEqual(perms[0]["Principal"], "acm.amazonaws.com")
        self.assertEqual(perms[0]["Actions"], actions)
        self.assertEqual(perms[0]["SourceAccount"], arn.split(":")[4])
        statement = json.loads(perms[0]["Policy"])["Statement"][0]
        self.assertEqual(statement["Principal"], {"Service": "acm.amazonaws.com"})
        self.assertEqual(statement["Resource"], arn)
        c.delete_permission(CertificateAuthorityArn=arn, Principal="acm.amazonaws.com")
        self.assertEqual(c.list_permissions(CertificateAuthorityArn=arn)["Permissions"], [])
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.delete_permission(CertificateAuthorityArn=arn, Principal="acm.amazonaws.com")


if __name__ == "__main__":
    unittest.main()
