"""Mail that arrives while the daemon is stopped fires after the restart, once;
`on_start: new-only` ignores the backlog of a first run but not later mail."""
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, record_action, settle, subject_counts

RECORD_ALL = "record-all"


class RestartTest(E2ETestCase):
    def configure_recording(self, on_start, action_seconds=0.0):
        self.configure([{"name": RECORD_ALL, "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                         "actions": [record_action(self.records, action_seconds)]}],
                       watch={"folders": ["inbox"], "mode": "streaming", "on_start": on_start})

    def test_catch_up_after_sigterm_fires_each_mail_once(self):
        self.configure_recording("catch-up")
        daemon = self.daemon().start(self.sim)
        before = [f"before stop {i}" for i in range(3)]
        for subject in before:
            self.sim.deliver(subject)
        self.wait_for_subjects(before)
        self.assertEqual(daemon.terminate(), 0, "SIGTERM must stop the daemon cleanly (exit 0)")

        while_stopped = [f"while stopped {i}" for i in range(3)]
        for subject in while_stopped:
            self.sim.deliver(subject)
        daemon.start(self.sim)
        self.wait_for_subjects(while_stopped)
        after = ["after restart"]
        self.sim.deliver(after[0])
        self.wait_for_subjects(after)
        settle()
        self.assert_exactly_once(before + while_stopped + after)

    def test_new_only_first_run_skips_backlog(self):
        backlog = [f"backlog {i}" for i in range(5)]
        for subject in backlog:
            self.sim.deliver(subject)
        self.configure_recording("new-only")
        daemon = self.daemon().start(self.sim)
        daemon.wait_metric("ewstrigd_items_seen_total", len(backlog), 15, "the first sync to record the backlog")
        fresh = ["new after start"]
        self.sim.deliver(fresh[0])
        self.wait_for_subjects(fresh)

        # new-only applies to a folder never synced: after a restart, missed mail fires.
        self.assertEqual(daemon.terminate(), 0)
        missed = ["while stopped"]
        self.sim.deliver(missed[0])
        daemon.start(self.sim)
        self.wait_for_subjects(missed)
        settle()
        self.assert_exactly_once(fresh + missed)

    def test_sigterm_lets_running_actions_finish(self):
        self.configure_recording("catch-up", action_seconds=0.8)
        daemon = self.daemon().start(self.sim)
        subjects = [f"slow {i}" for i in range(12)]
        for subject in subjects:
            self.sim.deliver(subject)
        daemon.wait_metric("ewstrigd_actions_enqueued_total", len(subjects), 15, "every mail to be enqueued")
        # Stop while actions run: they finish and are marked done, the rest stays pending.
        self.assertEqual(daemon.terminate(), 0)
        self.assertLess(len(subject_counts(self.records)), len(subjects), "the stop came too late")
        daemon.start(self.sim)
        self.wait_for_subjects(subjects)
        settle()
        self.assert_exactly_once(subjects)


if __name__ == "__main__":
    unittest.main()
