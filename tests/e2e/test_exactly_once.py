"""Mail delivered while the daemon runs fires each action exactly once per
matching mail, and none for the others (run, save, mark_read, move_to)."""
import email
import email.policy
import os
import unittest

from e2e_harness import E2ETestCase, record_action, settle, wait_until


class ExactlyOnceTest(E2ETestCase):
    def test_twenty_mails_fire_once_per_match(self):
        saved = os.path.join(self.dir, "saved")
        self.configure([{
            "name": "invoice",
            "mailbox": "e2e",
            "when": {"all": [{"from": "*@supplier.example"}, {"subject": {"regex": r"Invoice\s+(?P<number>\d+)"}}]},
            "actions": [
                record_action(self.records),
                {"save": {"dir": saved}},
                {"mark_read": True},
                {"move_to": {"folder": "Inbox/Processed", "create": True}},
            ],
        }])
        self.daemon().start(self.sim)

        matching, others, bodies = [], [], {}
        for i in range(20):
            if i % 2 == 0:
                subject, sender = f"Invoice {1000 + i}", "billing@supplier.example"
                matching.append(subject)
            elif i % 4 == 1:
                subject, sender = f"Newsletter {i}", "news@shop.example"  # neither sender nor subject
                others.append(subject)
            else:
                subject, sender = f"Invoice {1000 + i}", "fraud@elsewhere.example"  # subject only
                others.append(subject)
            bodies[subject] = f"Dear customer,\nthis is mail number {i}.\n"
            self.sim.deliver(subject, body=bodies[subject], sender=sender)

        self.wait_for_subjects(matching)
        wait_until(lambda: len(self.sim.messages("processed")) >= len(matching), 20,
                   "the matching mails to be moved to Inbox/Processed")
        settle()

        # run: exactly once per match, never for the others, one distinct event id each
        self.assert_exactly_once(matching)
        event_ids = {}
        with open(self.records) as f:
            for line in f:
                event_id, subject = line.rstrip("\n").split(" ", 1)
                self.assertRegex(event_id, r"^[0-9a-f]{32}$")
                event_ids[subject] = event_id
        self.assertEqual(len(set(event_ids.values())), len(matching))

        # save: one .eml per match, named by event id, holding that mail
        files = sorted(os.listdir(saved))
        self.assertEqual(files, sorted(f"{event_ids[s]}.eml" for s in matching))
        for subject in matching:
            with open(os.path.join(saved, f"{event_ids[subject]}.eml"), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            self.assertEqual(msg["Subject"], subject)
            self.assertEqual(msg["From"], "billing@supplier.example")
            self.assertEqual(msg.get_content().replace("\r\n", "\n"), bodies[subject])

        # mark_read + move_to: the matches are read in Inbox/Processed, the rest untouched in the inbox
        processed = self.sim.messages("processed")
        self.assertEqual(sorted(m["subject"] for m in processed), sorted(matching))
        self.assertTrue(all(m["is_read"] for m in processed), processed)
        inbox = self.sim.messages("inbox")
        self.assertEqual(sorted(m["subject"] for m in inbox), sorted(others))
        self.assertFalse(any(m["is_read"] for m in inbox), inbox)


if __name__ == "__main__":
    unittest.main()
