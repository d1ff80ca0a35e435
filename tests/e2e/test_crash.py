"""SIGKILL in the middle of a burst, and a storm of SIGKILLs while mail keeps
arriving: after the restarts every action ran at least once, a repeated run
carries the same event id, nothing stays pending, and `save` (overwrite
false) still leaves exactly one file per mail (docs/daemon.md, Guarantees)."""
import collections
import os
import random
import sys
import threading
import time
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, read_records, record_action, settle, wait_until

BURST = 50
# The storm's size; CI keeps it small, e.g. E2E_STORM_MAILS=2000 E2E_STORM_KILLS=40 locally.
STORM_MAILS = int(os.environ.get("E2E_STORM_MAILS", "120"))
STORM_KILLS = int(os.environ.get("E2E_STORM_KILLS", "6"))


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

    def test_sigkill_storm_while_mail_keeps_arriving(self):
        self.configure([{"name": "storm", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "storm"}},
                         "actions": [record_action(self.records, sleep_seconds=0.05)]}])
        daemon = self.daemon().start(self.sim)
        subjects = [f"storm {i:05d}" for i in range(STORM_MAILS)]
        delivering = threading.Thread(target=lambda: [self.sim.deliver(s) or time.sleep(0.02) for s in subjects])
        delivering.start()
        rng = random.Random(STORM_MAILS * 1000 + STORM_KILLS)  # repeatable moments
        for _ in range(STORM_KILLS):
            time.sleep(rng.uniform(0.2, 1.2))
            daemon.kill()
            daemon.start(self.sim)
        delivering.join()
        self.wait_for_subjects(subjects, timeout=120)
        wait_until(lambda: daemon.metric("ewstrigd_outbox_depth") == 0, 30, "an empty outbox")
        settle()

        event_ids = collections.defaultdict(set)
        for event_id, subject in read_records(self.records):
            event_ids[subject].add(event_id)
        self.assertEqual(set(event_ids), set(subjects), "every mail's action ran at least once")
        self.assertEqual({s: ids for s, ids in event_ids.items() if len(ids) != 1}, {},
                         "a repeated run must carry the same event id")
        repeats = len(read_records(self.records)) - STORM_MAILS
        sys.stderr.write(f"\n[e2e] {STORM_KILLS} SIGKILLs during {STORM_MAILS} mails: {repeats} run(s) repeated\n")


def eml_files(directory):
    """The saved messages, without the hidden temporary files of an interrupted save."""
    if not os.path.isdir(directory):
        return []
    return [name for name in os.listdir(directory) if name.endswith(".eml") and not name.startswith(".")]


if __name__ == "__main__":
    unittest.main()
