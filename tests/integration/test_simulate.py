"""The policy engine's evaluation table (tests/policy/testdata/evaluation_cases.json) replayed
through IAM SimulatePrincipalPolicy over the wire: every row that involves only identity
policies of an IAM user (no resource policy, boundary, session policy, SCP or other principal)
must get the decision the unit suite expects, so the API answers exactly what the engine that
guards real calls decides.
"""

import json
import unittest

import boto3
import botocore.config

from harness import REPO, ServerTestCase

TABLE = REPO / "tests" / "policy" / "testdata" / "evaluation_cases.json"
REPLAYABLE = {"name", "identity", "action", "resource", "context", "decision", "reason"}
# Rows whose outcome depends on who the principal is: the simulated user is not the table's.
PRINCIPAL_KEYS = ("aws:username", "aws:userid", "aws:principalarn", "aws:principalaccount",
                  "aws:principaltype", "111111111111:user")
DEFAULT_RESOURCE = ("arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/"
                    "11111111-2222-3333-4444-555555555555")


def replayable(row: dict) -> bool:
    if set(row) - REPLAYABLE:
        return False
    text = json.dumps(row).lower()
    return not any(k in text for k in PRINCIPAL_KEYS)


class SimulateTableTest(ServerTestCase):
    server_name = "simulate"

    def iam(self):
        return boto3.session.Session().client(
            "iam", endpoint_url=self.srv.endpoint, region_name="us-east-1",
            aws_access_key_id=self.srv.access_key_id,
            aws_secret_access_key=self.srv.secret_access_key,
            config=botocore.config.Config(retries={"max_attempts": 1}))

    def test_rows_through_simulate_principal_policy(self):
        rows = [r for r in json.loads(TABLE.read_text())["evaluation"] if replayable(r)]
        # Enough rows that the replay means something (the table has ~250).
        self.assertGreaterEqual(len(rows), 100)
        iam = self.iam()
        user = iam.create_user(UserName="simulated")["User"]
        mismatches = []
        for row in rows:
            entries = []
            for key, value in row.get("context", {}).items():
                values = value if isinstance(value, list) else [value]
                entries.append({"ContextKeyName": key,
                                "ContextKeyValues": [str(v) for v in values],
                                "ContextKeyType": "stringList" if isinstance(value, list)
                                else "string"})
            kwargs = {"PolicySourceArn": user["Arn"],
                      "ActionNames": [row.get("action", "acm-pca:IssueCertificate")],
                      "ResourceArns": [row.get("resource", DEFAULT_RESOURCE)]}
            if row.get("identity"):
                kwargs["PolicyInputList"] = [json.dumps(p) for p in row["identity"]]
            if entries:
                kwargs["ContextEntries"] = entries
            result = iam.simulate_principal_policy(**kwargs)["EvaluationResults"]
            self.assertEqual(len(result), 1, row["name"])
            if result[0]["EvalDecision"] != row["decision"]:
                mismatches.append((row["name"], row["decision"], result[0]["EvalDecision"]))
        self.assertEqual(mismatches, [], f"{len(mismatches)} of {len(rows)} rows differ")

    def test_malformed_policies_are_refused_with_the_reason(self):
        iam = self.iam()
        iam.create_user(UserName="policy-target")
        for doc in ('{"Version":"2012-10-17","Statement":[', '{"Version":"2012-10-17",'
                    '"Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
                    '"Condition":{"StringLooksLike":{"aws:username":"x"}}}]}',
                    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",'
                    '"Resource":"*","Principal":"*"}]}'):
            with self.assertRaises(iam.exceptions.MalformedPolicyDocumentException) as cm:
                iam.put_user_policy(UserName="policy-target", PolicyName="p", PolicyDocument=doc)
            self.assertTrue(cm.exception.response["Error"]["Message"])
        # Nothing was stored.
        self.assertEqual(iam.list_user_policies(UserName="policy-target")["PolicyNames"], [])


if __name__ == "__main__":
    unittest.main()
