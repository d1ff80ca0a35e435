"""Bad input never stalls a mailbox (issue 5, "Bad input"): an action that
hangs, floods its output or cannot write, and mail that is huge or not valid
UTF-8, each get a log line naming what went wrong, and the next mail of the
same mailbox still fires its actions."""
import base64
import os
import socket
import threading
import unittest

from e2e_harness import MAILBOX, MAILBOX_ID, PYTHON, E2ETestCase, record_action, settle, subject_counts


class BadInputTest(E2ETestCase):
    def trigger(self, word, action):
        return {"name": word, "mailbox": MAILBOX_ID, "when": {"subject": {"contains": word}},
                "actions": [dict(action, retries=0)]}

    def start_with(self, bad_action):
        """The `bad` trigger gets `bad_action`; mail with "ok" is recorded."""
        self.configure([self.trigger("bad", bad_action), self.trigger("ok", record_action(self.records))])
        return self.daemon().start(self.sim)

    def assert_next_mail_fires(self, daemon):
        self.sim.deliver("ok after")
        self.wait_for_subjects(["ok after"])
        self.assertTrue(daemon.alive(), "the daemon must keep running")

    def test_a_program_that_never_exits_is_killed_at_its_timeout(self):
        daemon = self.start_with({"run": ["/bin/sleep", "600"], "timeout": "1s"})
        self.sim.deliver("bad hang")
        daemon.wait_log(r"'/bin/sleep' timed out after 1000 ms; its process group was killed", 15, "the kill")
        self.assert_next_mail_fires(daemon)

    def test_a_program_flooding_its_output_is_logged_bounded(self):
        flood = "import sys\nfor _ in range(200000): sys.stdout.write('x' * 99 + '\\n')\n"  # 20 MB
        daemon = self.start_with({"run": [PYTHON, "-c", flood], "timeout": "30s"})
        self.sim.deliver("bad flood")
        dropped = daemon.wait_log(r"run stdout \((\d+) more bytes dropped\): x", 30, "the captured output")
        self.assertGreater(int(dropped.group(1)), 19_000_000, "the log says how much was dropped")
        self.assert_next_mail_fires(daemon)
        size = os.path.getsize(daemon.log_path)
        self.assertLess(size, 1_000_000, "20 MB of output must not reach the log (64 KiB per stream)")

    def test_a_save_directory_that_cannot_exist_is_a_dead_letter(self):
        blocker = os.path.join(self.dir, "a-file")
        open(blocker, "w").close()
        daemon = self.start_with({"save": {"dir": os.path.join(blocker, "saved"), "format": "eml"}})
        self.sim.deliver("bad save")
        found = daemon.wait_log(r"dead letter.*(a-file[^\n]*)", 15, "the failed save")
        self.assertIn("a-file", found.group(1), "the error names the path")
        self.assert_next_mail_fires(daemon)

    def test_a_webhook_that_never_answers_is_cut_off(self):
        listener = socket.create_server(("127.0.0.1", 0))
        held = []
        def accept_and_hold():
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                held.append(conn)  # read nothing, answer nothing
        threading.Thread(target=accept_and_hold, daemon=True).start()
        self.addCleanup(lambda: [c.close() for c in held] + [listener.close()])
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        daemon = self.start_with({"webhook": url, "timeout": "1s"})
        self.sim.deliver("bad hook")
        daemon.wait_log(r"dead letter", 20, "the webhook to be given up")
        self.assertTrue(held, "the daemon connected to the webhook")
        self.assert_next_mail_fires(daemon)

    def test_huge_and_malformed_mail_fires_like_any_other(self):
        self.configure([self.trigger("ok", record_action(self.records))])
        daemon = self.daemon().start(self.sim)
        self.sim.deliver("ok long " + "y" * 100_000)
        attachment = base64.b64encode(os.urandom(25 * 1024 * 1024)).decode()
        status, reply = self.sim.request("POST", f"/admin/mailboxes/{MAILBOX}/folders/inbox/messages", {
            "from": "scanner@sender.example", "to": MAILBOX, "subject": "ok big", "body": "a 25 MB scan",
            "attachments": [{"name": "scan.pdf", "content_type": "application/pdf", "content_base64": attachment}]})
        self.assertEqual(status, 201, reply)
        self.sim.deliver_raw(b"From: someone@sender.example\r\nTo: " + MAILBOX.encode() +
                             b"\r\nSubject: ok latin1 \xe9t\xe9 \xff\xfe\r\n"
                             b"Content-Type: text/plain\r\n\r\nbody with \xc3\x28 invalid UTF-8\r\n")
        self.wait_for_subjects(["ok big"], timeout=60)
        self.wait_for_subjects(["ok long " + "y" * 100_000], timeout=10)
        settle()
        subjects = list(subject_counts(self.records))
        self.assertEqual(len(subjects), 3, f"every mail fires once: {[s[:30] for s in subjects]}")
        self.assertTrue(any(s.startswith("ok latin1") for s in subjects))
        self.assertTrue(daemon.alive())


if __name__ == "__main__":
    unittest.main()
