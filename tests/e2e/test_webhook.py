"""The webhook action against a local receiver: the JSON body, the event id and
idempotency headers, the HMAC signature (docs/actions.md), and retries that
keep the same event id until the receiver answers 2xx."""
import hashlib
import hmac
import http.server
import json
import threading
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, settle, wait_until

SECRET = "e2e-hook-signing-key-5f1c"
TRIGGER = "notify"


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers with
    the scripted statuses first, then 200."""

    def __init__(self, statuses=()):
        self.requests = []
        self.statuses = list(statuses)
        lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    receiver.requests.append({"method": self.command, "path": self.path,
                                              "headers": dict(self.headers.items()), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ewstrigd"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookTest(E2ETestCase):
    def start(self, statuses=()):
        self.receiver = Receiver(statuses)
        self.addCleanup(self.receiver.stop)
        self.configure([{"name": TRIGGER, "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "invoice"}},
                         "actions": [{"webhook": {"url": self.receiver.url,
                                                  "signing_secret": "${env:E2E_HOOK_SIGNING_KEY}"}}]}])
        return self.daemon(env={"E2E_HOOK_SIGNING_KEY": SECRET}).start(self.sim)

    def test_signed_json_body_with_event_id(self):
        daemon = self.start()
        self.sim.deliver("newsletter")  # no match, no request
        self.sim.deliver("Invoice 77 attached", sender="billing@supplier.example")
        wait_until(lambda: self.receiver.requests, 20, "the webhook request")
        settle()
        self.assertEqual(len(self.receiver.requests), 1, "one request for the one matching mail")
        req = self.receiver.requests[0]
        headers = {k.lower(): v for k, v in req["headers"].items()}

        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["path"], "/hooks/ewstrigd")
        self.assertEqual(headers["content-type"], "application/json")
        doc = json.loads(req["body"])
        self.assertEqual(doc["subject"], "Invoice 77 attached")
        self.assertEqual(doc["from"]["email"], "billing@supplier.example")
        self.assertEqual(doc["trigger"], TRIGGER)
        self.assertRegex(doc["event_id"], r"^[0-9a-f]{32}$")
        self.assertEqual(headers["x-ewstrigd-event"], doc["event_id"])
        self.assertEqual(headers["idempotency-key"], f"{doc['event_id']}/{TRIGGER}/0")

        expected = "sha256=" + hmac.new(SECRET.encode(), req["body"], hashlib.sha256).hexdigest()
        self.assertTrue(hmac.compare_digest(expected, headers["x-ewstrigd-signature"]),
                        "the signature verifies with the configured secret")
        forged = "sha256=" + hmac.new(b"another key", req["body"], hashlib.sha256).hexdigest()
        self.assertNotEqual(forged, headers["x-ewstrigd-signature"])
        self.assertNotIn(SECRET, daemon.log(), "the signing secret must never be logged")

    def test_retries_after_503_keep_the_event_id(self):
        daemon = self.start(statuses=[503, 503])
        self.sim.deliver("Invoice 78")
        # Action retries back off 5 s then 10 s, each with jitter down to half (docs/actions.md).
        wait_until(lambda: len(self.receiver.requests) >= 3, 30, "two retries after two 503 answers")
        daemon.wait_metric('ewstrigd_actions_total{type="webhook",outcome="success"}', 1, 5,
                           "the action to succeed after the 200")
        settle()
        self.assertEqual(len(self.receiver.requests), 3, "no request after the 200")
        keys = {r["headers"].get("Idempotency-Key") for r in self.receiver.requests}
        events = {r["headers"].get("X-Ewstrigd-Event") for r in self.receiver.requests}
        bodies = {r["body"] for r in self.receiver.requests}
        self.assertEqual(len(keys), 1, keys)
        self.assertEqual(len(events), 1, events)
        self.assertEqual(len(bodies), 1, "every attempt sends the same bytes")
        self.assertEqual(json.loads(next(iter(bodies)))["event_id"], next(iter(events)))


if __name__ == "__main__":
    unittest.main()
