"""SIGKILL in the middle of a burst: after a restart every action ran at least
once, a repeated run carries the same event id, and `save` (overwrite false)
still leaves exactly one file per mail (docs/daemon.md, Guarantees)."""
import collections
import os
import sys
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, read_records, record_action, settle, wait_until

BURST = 50


class CrashTest(E2ETestCase):
    def test_sigkill_mid_burst_is_at_least_once_with_stable_ids(self):
        saved = os.path.join(self.dir, "saved")
        self.configure([{"name": "slow", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "burst"}},
                         "actions": [record_action(self.records, sleep_seconds=0.2),
                                     {"save": {"dir": saved, "overwrite": False}}]}])
        daemon = self.daemon().start(self.sim)
        subjects = [f"burst {i:02d}" for i in range(BURST)]
        for subject in subjects:
            self.sim.deliver(subject)

        # Kill while actions are running: some done, most still pending.
        wait_until(lambda: len(read_records(self.records)) >= BURST // 4, 30, "a quarter of the burst to run")
        daemon.kill()
        done_before_kill = len(read_records(self.records))
        self.assertLess(done_before_kill, BURST, "the kill came too late to interrupt anything")

        daemon.start(self.sim)
        self.wait_for_subjects(subjects, timeout=40)
        wait_until(lambda: len(eml_files(saved)) >= BURST, 20, "a saved file per mail")
        settle()

        event_ids = collections.defaultdict(set)
        for event_id, subject in read_records(self.records):
            event_ids[subject].add(event_id)
        self.assertEqual(set(event_ids), set(subjects), "every mail's action ran at least once")
        changed = {s: ids for s, ids in event_ids.items() if len(ids) != 1}
        self.assertEqual(changed, {}, "a repeated run must carry the same event id")
        self.assertEqual(len({next(iter(ids)) for ids in event_ids.values()}), BURST, "one event id per mail")

        files = eml_files(saved)
        self.assertEqual(sorted(files), sorted(f"{next(iter(event_ids[s]))}.eml" for s in subjects),
                         "save (overwrite false) keeps exactly one file per mail, named by its event id")

        repeats = len(read_records(self.records)) - BURST
        sys.stderr.write(f"\n[e2e] SIGKILL after {done_before_kill}/{BURST} runs: {repeats} run(s) repeated "
                         f"after the restart\n")


def eml_files(directory):
    """The saved messages, without the hidden temporary files of an interrupted save."""
    if not os.path.isdir(directory):
        return []
    return [name for name in os.listdir(directory) if name.endswith(".eml") and not name.startswith(".")]


if __name__ == "__main__":
    unittest.main()
