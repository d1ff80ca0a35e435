"""`ewstrigd outbox list` and `ewstrigd outbox retry` (docs/state.md, "Outbox"):
a webhook the receiver refuses becomes a dead letter that the list shows;
once the receiver is fixed, a retry delivers it exactly once, beside a
running daemon (picked up within a few seconds) or while it is stopped."""
import json
import os
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, record_action, settle, wait_until
from test_webhook import Receiver

SECRET = "e2e-outbox-signing-key-9b2e"


class OutboxTest(E2ETestCase):
    def start(self, extra_triggers=()):
        self.receiver = Receiver(statuses=[400])  # broken at first: 4xx is not retried, the row dies at once
        self.addCleanup(self.receiver.stop)
        hook = {"name": "notify", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "invoice"}},
                "actions": [{"webhook": {"url": self.receiver.url, "signing_secret": "${env:E2E_HOOK_SIGNING_KEY}"}}]}
        self.configure([hook, *extra_triggers])
        daemon = self.daemon(env={"E2E_HOOK_SIGNING_KEY": SECRET}).start(self.sim)
        self.sim.deliver("invoice 1")
        daemon.wait_metric("ewstrigd_outbox_dead_letters", 1, 20, "the dead letter")
        return daemon

    def outbox(self, daemon, *args):
        """`ewstrigd outbox ARGS --json` parsed; fails on a non-zero exit."""
        done = daemon.cli("outbox", *args, "--json")
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def assert_delivered_once_and_empty(self, daemon):
        wait_until(lambda: len(self.receiver.requests) >= 2, 10, "the retried webhook")
        settle()
        self.assertEqual(len(self.receiver.requests), 2, "one refused request, one delivery after the retry")
        self.assertEqual(self.receiver.requests[0]["body"], self.receiver.requests[1]["body"], "the same event")
        listed = self.outbox(daemon, "list")
        self.assertEqual((listed["pending"], listed["dead"], listed["rows"]), (0, 0, []))

    def test_dead_letter_listed_and_retried_beside_the_running_daemon(self):
        daemon = self.start()
        listed = self.outbox(daemon, "list", "--dead")
        self.assertEqual((listed["pending"], listed["dead"]), (0, 1))
        row = listed["rows"][0]
        self.assertEqual({k: row[k] for k in ("state", "mailbox", "trigger", "action", "action_index", "attempts")},
                         {"state": "dead", "mailbox": MAILBOX_ID, "trigger": "notify", "action": "webhook",
                          "action_index": 0, "attempts": 1})
        self.assertRegex(row["event_id"], r"^[0-9a-f]{32}$")
        self.assertRegex(row["dead_since"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIn("HTTP 400", row["last_error"])
        self.assertNotIn("payload", row, "the message's data is not the list's to show")

        text = daemon.cli("outbox", "list", "--dead")
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertRegex(text.stdout, rf"(?m)^{row['id']}\s+dead\s+{MAILBOX_ID}\s+notify\s+webhook#0\s+"
                                      rf"{row['event_id']}\s+1/\d+\s+\S+Z\s+webhook answered HTTP 400")
        self.assertIn("0 pending, 1 dead", text.stdout)

        # The receiver is fixed (it answers 200 from now on); the running daemon notices the requeue itself.
        retried = daemon.cli("outbox", "retry", "--all-dead")
        self.assertEqual(retried.returncode, 0, retried.stderr)
        self.assertIn("1 dead letter back to pending", retried.stdout)
        self.assert_delivered_once_and_empty(daemon)
        self.assertTrue(daemon.alive())

    def test_retry_by_id_while_the_daemon_is_stopped(self):
        slow = {"name": "slow", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "slow"}},
                "actions": [record_action(self.records, sleep_seconds=30)]}
        daemon = self.start([slow])
        self.sim.deliver("slow one")
        wait_until(lambda: daemon.log().count("action(s) enqueued") >= 2, 10, "the slow action to be enqueued")
        settle(0.5)  # and started: the runner takes a new row at once
        daemon.kill()  # the slow run is cut short: its row stays pending

        listed = self.outbox(daemon, "list")
        self.assertEqual((listed["pending"], listed["dead"]), (1, 1))
        pending = next(r for r in listed["rows"] if r["state"] == "pending")
        self.assertEqual((pending["trigger"], pending["action"], pending["attempts"]), ("slow", "run", 0))
        self.assertIn("next_attempt", pending)
        dead_id = next(r["id"] for r in listed["rows"] if r["state"] == "dead")

        unknown = daemon.cli("outbox", "retry", str(dead_id + 1000))
        self.assertEqual(unknown.returncode, 2)
        self.assertIn(f"{dead_id + 1000} is not a dead letter", unknown.stderr)
        nothing = daemon.cli("outbox", "retry")
        self.assertEqual(nothing.returncode, 2, "retry wants IDs or --all-dead")

        retried = daemon.cli("outbox", "retry", str(dead_id))
        self.assertEqual(retried.returncode, 0, retried.stderr)
        listed = self.outbox(daemon, "list", "--dead")
        self.assertEqual((listed["pending"], listed["dead"], listed["rows"]), (2, 0, []))

        # The slow action need not be slow any more: the restart runs its row at once.
        with open(self.config_path) as f:
            triggers = [t for t in json.load(f)["triggers"] if t["name"] != "slow"]
        self.configure(triggers + [{**slow, "actions": [record_action(self.records)]}])
        daemon.start(self.sim)
        self.assert_delivered_once_and_empty(daemon)

    def test_no_database_is_an_error_and_creates_none(self):
        self.configure([{"name": "t", "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                         "actions": [record_action(self.records)]}])
        done = self.daemon().cli("outbox", "list")
        self.assertEqual(done.returncode, 1)
        self.assertIn("no state database in", done.stderr)
        self.assertFalse(os.path.exists(self.state_dir), "nothing was created")


if __name__ == "__main__":
    unittest.main()
