"""EventBridge on the endpoint, driven with the AWS CLI v2 and boto3: rules route Private CA's
events (and custom PutEvents) to an API destination, here a webhook served by this test on
127.0.0.1; deliveries carry the connection's API key, are retried with backoff, end in the
dead-letter log when retries run out, and survive a restart of the server.

The server runs with short retry delays (OPENPCA_EVENTS_RETRY_BASE_MS=200, max 400 ms).
"""

import http.server
import json
import re
import stat
import threading
import time
import unittest
import uuid

import boto3
import botocore.config
import botocore.exceptions

from harness import REGION, Server, build_root_ca, issue_leaf

API_KEY_NAME = "x-openpca-key"
API_KEY_VALUE = "k-" + uuid.uuid4().hex


class Webhook:
    """An HTTP server on 127.0.0.1:0 recording every request by path. A path answers 200 unless
    `fail[path]` is > 0 (then 503, counting down) or the path is in `always_fail` (500)."""

    def __init__(self):
        self.requests = {}
        self.fail = {}
        self.always_fail = set()
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with hook.lock:
                    status = 200
                    if self.path in hook.always_fail:
                        status = 500
                    elif hook.fail.get(self.path, 0) > 0:
                        hook.fail[self.path] -= 1
                        status = 503
                    hook.requests.setdefault(self.path, []).append(
                        {"headers": {k.lower(): v for k, v in self.headers.items()},
                         "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path):
        with self.lock:
            return list(self.requests.get(path, []))

    def wait(self, path, count, timeout=15.0, status=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [r for r in self.received(path) if status is None or r["status"] == status]
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{path}: {len(self.received(path))} request(s) after {timeout}s, "
                             f"wanted {count}")

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class EventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hook = Webhook()
        cls.server = Server("events", extra_env={"OPENPCA_EVENTS_RETRY_BASE_MS": "200",
                                                  "OPENPCA_EVENTS_RETRY_MAX_DELAY_MS": "400"})
        cls.server.start()
        cls.ca = build_root_ca(cls.server, "events-root", via="boto3")
        cls.account = cls.ca.arn.split(":")[4]
        conn = cls.server.cli(
            "events", "create-connection", "--name", "hooks", "--authorization-type", "API_KEY",
            "--auth-parameters", json.dumps({"ApiKeyAuthParameters": {
                "ApiKeyName": API_KEY_NAME, "ApiKeyValue": API_KEY_VALUE}}))
        cls.connection_arn = conn["ConnectionArn"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.hook.close()

    def events(self):
        cfg = botocore.config.Config(retries={"max_attempts": 1})
        return boto3.session.Session().client(
            "events", endpoint_url=self.server.endpoint, region_name=REGION,
            aws_access_key_id=self.server.access_key_id,
            aws_secret_access_key=self.server.secret_access_key, config=cfg)

    def cli(self, *args, **kw):
        return self.server.cli("events", *args, **kw)

    def route(self, name, pattern, path, retry_policy=None, via_cli=False):
        """A rule `name` with `pattern` whose target is an API destination POSTing to `path`;
        removed when the test ends. Set up with the AWS CLI (`via_cli`) or boto3 (quicker)."""
        target = {"Id": "hook"}
        if retry_policy:
            target["RetryPolicy"] = retry_policy
        if via_cli:
            dest = self.cli("create-api-destination", "--name", f"dest-{name}",
                            "--connection-arn", self.connection_arn,
                            "--invocation-endpoint", self.hook.url(path), "--http-method",
                            "POST", "--invocation-rate-limit-per-second", "20")
            rule = self.cli("put-rule", "--name", name, "--event-pattern", json.dumps(pattern))
            target["Arn"] = dest["ApiDestinationArn"]
            out = self.cli("put-targets", "--rule", name, "--targets", json.dumps([target]))
        else:
            ev = self.events()
            dest = ev.create_api_destination(
                Name=f"dest-{name}", ConnectionArn=self.connection_arn,
                InvocationEndpoint=self.hook.url(path), HttpMethod="POST",
                InvocationRateLimitPerSecond=20)
            rule = ev.put_rule(Name=name, EventPattern=json.dumps(pattern))
            target["Arn"] = dest["ApiDestinationArn"]
            out = ev.put_targets(Rule=name, Targets=[target])
        self.assertEqual(out["FailedEntryCount"], 0)
        # A client per cleanup: the endpoint changes when a test restarts the server.
        self.addCleanup(lambda: self.events().delete_api_destination(Name=f"dest-{name}"))
        self.addCleanup(lambda: self.events().delete_rule(Name=name))
        self.addCleanup(lambda: self.events().remove_targets(Rule=name, Ids=["hook"]))
        return rule["RuleArn"], dest["ApiDestinationArn"]

    def put_custom_event(self, source, detail):
        out = self.events().put_events(Entries=[{
            "Source": source, "DetailType": "openpca test", "Detail": json.dumps(detail)}])
        self.assertEqual(out["FailedEntryCount"], 0, out)
        return out["Entries"][0]["EventId"]

    # ---------------------------------------------------------------------------------------

    def test_issuance_event_reaches_webhook_in_eventbridge_envelope(self):
        self.route("issuance", {"source": ["aws.acm-pca"],
                                "detail-type": ["ACM Private CA Certificate Issuance"]},
                   "/issuance", via_cli=True)
        self.route("acm-only", {"source": ["aws.acm"]}, "/nomatch")
        leaf = issue_leaf(self.server, self.ca, "events-leaf")
        got = self.hook.wait("/issuance", 1)
        request = got[0]
        self.assertEqual(request["headers"].get(API_KEY_NAME.lower()), API_KEY_VALUE)
        self.assertTrue(request["headers"]["content-type"].startswith("application/json"))
        event = json.loads(request["body"])
        self.assertEqual(list(event), ["version", "id", "detail-type", "source", "account",
                                       "time", "region", "resources", "detail"])
        self.assertEqual(event["version"], "0")
        uuid.UUID(event["id"])
        self.assertEqual(event["detail-type"], "ACM Private CA Certificate Issuance")
        self.assertEqual(event["source"], "aws.acm-pca")
        self.assertEqual(event["account"], self.account)
        self.assertEqual(event["region"], REGION)
        self.assertRegex(event["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(event["resources"], [self.ca.arn, leaf.arn])
        self.assertEqual(event["detail"], {"result": "success"})
        # Nothing for the rule that does not match, and the matching one got it exactly once.
        time.sleep(1.0)
        self.assertEqual(self.hook.received("/nomatch"), [])
        self.assertEqual(len(self.hook.received("/issuance")), 1)

    def test_revocation_event(self):
        leaf = issue_leaf(self.server, self.ca, "events-revoked", via="boto3")
        self.route("revocation", {"source": ["aws.acm-pca"],
                                  "detail-type": ["ACM Private CA Certificate Revocation"]},
                   "/revocation")
        serial = format(leaf.cert.serial_number, "x")
        self.server.client().revoke_certificate(CertificateAuthorityArn=self.ca.arn,
                                                CertificateSerial=serial,
                                                RevocationReason="KEY_COMPROMISE")
        event = json.loads(self.hook.wait("/revocation", 1)[0]["body"])
        self.assertEqual(event["detail-type"], "ACM Private CA Certificate Revocation")
        self.assertEqual(event["resources"], [self.ca.arn, leaf.arn])
        self.assertEqual(event["detail"], {"result": "success"})

    def test_failing_webhook_is_retried_then_delivered_once(self):
        self.route("flaky", {"source": ["com.example.flaky"]}, "/flaky")
        with self.hook.lock:
            self.hook.fail["/flaky"] = 2
        event_id = self.put_custom_event("com.example.flaky", {"n": 1})
        delivered = self.hook.wait("/flaky", 1, status=200)
        got = self.hook.received("/flaky")
        self.assertEqual([r["status"] for r in got], [503, 503, 200])
        self.assertEqual({json.loads(r["body"])["id"] for r in got}, {event_id})
        self.assertEqual(json.loads(delivered[0]["body"])["detail"], {"n": 1})
        time.sleep(1.0)  # longer than the retry delays: nothing more comes
        self.assertEqual(len(self.hook.received("/flaky")), 3)

    def test_dead_target_ends_in_dead_letter_log(self):
        self.route("dead", {"source": ["com.example.dead"]}, "/dead",
                   retry_policy={"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 60})
        with self.hook.lock:
            self.hook.always_fail.add("/dead")
        event_id = self.put_custom_event("com.example.dead", {"n": 2})
        path = self.server.data_dir / "events-dead-letter.jsonl"
        deadline = time.monotonic() + 15
        record = None
        while time.monotonic() < deadline and record is None:
            if path.exists():
                for line in path.read_text().splitlines():
                    r = json.loads(line)
                    if r["event"]["id"] == event_id:
                        record = r
            time.sleep(0.05)
        self.assertIsNotNone(record, self.server.log_tail())
        self.assertEqual(len(self.hook.received("/dead")), 2)  # the attempt and one retry
        self.assertEqual(record["attempts"], 2)
        self.assertIn("HTTP 500", record["reason"])
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        self.assertNotIn(API_KEY_VALUE, path.read_text())
        self.assertIn("dead-lettered", self.server.log_path.read_text())
        self.assertNotIn(API_KEY_VALUE, self.server.log_path.read_text())

    def test_pending_delivery_survives_restart(self):
        self.route("restart", {"source": ["com.example.restart"]}, "/restart")
        with self.hook.lock:
            self.hook.fail["/restart"] = 1000
        event_id = self.put_custom_event("com.example.restart", {"n": 3})
        self.hook.wait("/restart", 1)
        self.server.kill9()
        with self.hook.lock:
            self.hook.fail["/restart"] = 0
        self.server.start()
        delivered = self.hook.wait("/restart", 1, status=200, timeout=20)
        self.assertEqual(json.loads(delivered[0]["body"])["id"], event_id)

    def test_connection_secret_is_never_returned(self):
        out = self.cli("describe-connection", "--name", "hooks")  # the CLI's view
        self.assertEqual(out["ConnectionState"], "AUTHORIZED")
        self.assertEqual(out["AuthParameters"],
                         {"ApiKeyAuthParameters": {"ApiKeyName": API_KEY_NAME}})
        listed = self.events().list_connections()["Connections"]
        self.assertIn(self.connection_arn, [c["ConnectionArn"] for c in listed])
        self.assertNotIn(API_KEY_VALUE, json.dumps(out) + json.dumps(listed, default=str))

    def test_rules_describe_list_enable_disable(self):
        arn, dest = self.route("lifecycle-a", {"source": ["com.example.a"]}, "/a")
        self.route("lifecycle-b", {"source": ["com.example.b"]}, "/b")
        ev = self.events()
        rule = ev.describe_rule(Name="lifecycle-a")
        self.assertEqual(rule["Arn"], arn)
        self.assertEqual(rule["State"], "ENABLED")
        self.assertEqual(rule["EventBusName"], "default")
        self.assertEqual(json.loads(rule["EventPattern"]), {"source": ["com.example.a"]})
        page = ev.list_rules(NamePrefix="lifecycle-", Limit=1)
        self.assertEqual([r["Name"] for r in page["Rules"]], ["lifecycle-a"])
        page2 = ev.list_rules(NamePrefix="lifecycle-", Limit=1, NextToken=page["NextToken"])
        self.assertEqual([r["Name"] for r in page2["Rules"]], ["lifecycle-b"])
        self.assertNotIn("NextToken", page2)
        targets = ev.list_targets_by_rule(Rule="lifecycle-a")["Targets"]
        self.assertEqual([(t["Id"], t["Arn"]) for t in targets], [("hook", dest)])
        ev.disable_rule(Name="lifecycle-a")
        self.assertEqual(ev.describe_rule(Name="lifecycle-a")["State"], "DISABLED")
        self.put_custom_event("com.example.a", {})
        ev.enable_rule(Name="lifecycle-a")
        self.put_custom_event("com.example.a", {"after": "enable"})
        got = self.hook.wait("/a", 1)
        time.sleep(0.5)
        self.assertEqual(len(self.hook.received("/a")), 1)
        self.assertEqual(json.loads(got[0]["body"])["detail"], {"after": "enable"})

    def test_errors_leave_state_unchanged(self):
        ev = self.events()

        def code(fn, **kw):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                fn(**kw)
            return cm.exception.response["Error"]["Code"]

        before = ev.list_rules()["Rules"]
        self.assertEqual(code(ev.put_rule, Name="bad", EventPattern='{"source": "aws.acm-pca"}'),
                         "InvalidEventPatternException")
        self.assertEqual(code(ev.put_rule, Name="bad",
                              EventPattern='{"detail": {"n": [{"numeric": [">", "x"]}]}}'),
                         "InvalidEventPatternException")
        self.assertEqual(code(ev.put_rule, Name="bad", EventBusName="other",
                              EventPattern='{"source": ["x"]}'), "ResourceNotFoundException")
        self.assertEqual(code(ev.put_rule, Name="bad", ScheduleExpression="rate(5 minutes)"),
                         "ValidationException")
        self.assertEqual(ev.list_rules()["Rules"], before)
        self.assertEqual(code(ev.describe_rule, Name="absent"), "ResourceNotFoundException")
        # A rule with targets cannot be deleted.
        self.route("guarded", {"source": ["com.example.guarded"]}, "/guarded")
        self.assertEqual(code(ev.delete_rule, Name="guarded"), "ValidationException")
        self.assertEqual(ev.describe_rule(Name="guarded")["Name"], "guarded")
        # Only API destinations are targets here.
        self.assertEqual(code(ev.put_targets, Rule="guarded", Targets=[
            {"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{self.account}:queue"}]),
            "ValidationException")
        self.assertEqual(len(ev.list_targets_by_rule(Rule="guarded")["Targets"]), 1)
        # aws.* sources are AWS's own.
        out = ev.put_events(Entries=[
            {"Source": "aws.acm-pca", "DetailType": "x", "Detail": "{}"},
            {"Source": "com.example.ok", "DetailType": "x", "Detail": "{}"},
            {"Source": "com.example.bad", "DetailType": "x", "Detail": "not json"}])
        self.assertEqual(out["FailedEntryCount"], 2)
        self.assertEqual(out["Entries"][0]["ErrorCode"], "NotAuthorizedForSourceException")
        self.assertIn("EventId", out["Entries"][1])
        self.assertEqual(out["Entries"][2]["ErrorCode"], "MalformedDetail")
        # Connections and destinations.
        self.assertEqual(code(ev.describe_connection, Name="absent"), "ResourceNotFoundException")
        self.assertEqual(code(ev.create_connection, Name="hooks", AuthorizationType="API_KEY",
                              AuthParameters={"ApiKeyAuthParameters": {
                                  "ApiKeyName": "a", "ApiKeyValue": "b"}}),
                         "ResourceAlreadyExistsException")
        self.assertEqual(code(ev.create_api_destination, Name="plain-http",
                              ConnectionArn=self.connection_arn,
                              InvocationEndpoint="http://203.0.113.9/hook", HttpMethod="POST"),
                         "ValidationException")
        self.assertEqual(code(ev.describe_api_destination, Name="plain-http"),
                         "ResourceNotFoundException")

    def test_test_event_pattern(self):
        ev = self.events()
        event = json.dumps({"id": "1", "account": self.account, "source": "aws.acm-pca",
                            "time": "2024-01-01T00:00:00Z", "region": REGION, "resources": [],
                            "detail-type": "ACM Private CA Certificate Issuance",
                            "detail": {"result": "success"}})
        yes = ev.test_event_pattern(EventPattern=json.dumps(
            {"source": [{"prefix": "aws."}], "detail": {"result": [{"anything-but": "failure"}]}}),
            Event=event)
        self.assertTrue(yes["Result"])
        no = ev.test_event_pattern(EventPattern='{"detail-type": ["ACM Private CA Creation"]}',
                                   Event=event)
        self.assertFalse(no["Result"])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ev.test_event_pattern(EventPattern='{"source": [{"bogus": 1}]}', Event=event)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidEventPatternException")
        self.assertIn("Unrecognized match type bogus", cm.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
