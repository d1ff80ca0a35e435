"""`ewstrigd run` refuses to start on a bad config (exit 1, FILE:LINE) and on a
state_dir another instance is using (docs/state.md, The lock)."""
import os
import re
import subprocess
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, binary, record_action, settle

INVALID_CONFIG = """\
state_dir: {state_dir}
log: {{ level: info, format: text }}
mailboxes:
  - id: e2e
    address: e2e@example.com
    ews_url: {ews_url}
    auth: {{ kind: basic, username: e2e@example.com, password: "${{env:E2E_PASSWORD}}" }}
    watch:
      mode: streamin
triggers: []
"""
INVALID_LINE = 9  # `mode: streamin`


class StartupErrorsTest(E2ETestCase):
    def run_daemon(self, timeout=15):
        """Runs `ewstrigd run` to its end; returns (exit status, stdout + stderr)."""
        done = subprocess.run([binary("EWSTRIGD_BIN"), "run", "-c", self.config_path], capture_output=True,
                              text=True, timeout=timeout, env=dict(os.environ, E2E_PASSWORD="x"))
        return done.returncode, done.stdout + done.stderr

    def test_invalid_config_exits_1_naming_file_and_line(self):
        with open(self.config_path, "w") as f:
            f.write(INVALID_CONFIG.format(state_dir=self.state_dir, ews_url=self.sim.ews_url))
        status, output = self.run_daemon()
        self.assertEqual(status, 1, output)
        self.assertRegex(output, re.escape(f"{self.config_path}:{INVALID_LINE}:") + r"\d+: .*mode")
        self.assertFalse(os.path.exists(self.state_dir), "nothing is started on a bad config")

    def test_corrupt_state_database_exits_1_naming_it(self):
        self.configure([])
        os.makedirs(self.state_dir, mode=0o700)
        db = os.path.join(self.state_dir, "ewstrigd.db")
        with open(db, "wb") as f:
            f.write(b"SQLite format 3\0" + b"\xff" * 4096)
        status, output = self.run_daemon()
        self.assertEqual(status, 1, output)
        self.assertIn(db, output)
        self.assertIn("not a database", output)

    def test_second_instance_on_the_same_state_dir_is_refused(self):
        self.configure([{"name": "record-all", "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                         "actions": [record_action(self.records)]}])
        first = self.daemon().start(self.sim)

        status, output = self.run_daemon()
        self.assertNotEqual(status, 0, output)
        self.assertIn(f"another ewstrigd is using {self.state_dir} (pid {first.proc.pid})", output)

        # The first instance is unharmed and keeps firing.
        self.sim.deliver("still working")
        self.wait_for_subjects(["still working"])
        settle(0.5)
        self.assertTrue(first.alive())
        self.assert_exactly_once(["still working"])


if __name__ == "__main__":
    unittest.main()
