"""Reading the state database with sqlite3 while the daemon runs, as
docs/state.md ("Looking inside with sqlite3") tells admins to, must not harm
the daemon: it keeps running and fires every mail."""
import os
import sqlite3
import threading
import time
import unittest

from e2e_harness import MAILBOX_ID, E2ETestCase, record_action, settle, subject_counts, wait_until


class StateReadersTest(E2ETestCase):
    # Found by this test: the daemon died of SIGBUS when a reader opened the
    # database, because store::open() narrowed -wal/-shm by open()+close() after
    # SQLite had opened them, which drops SQLite's POSIX locks on them (SQLite
    # FAQ "How To Corrupt", 2.2); the next reader then rebuilt -shm under the
    # daemon's mmap. Now narrowed by path, before SQLite opens them.
    def test_sqlite3_reader_beside_the_daemon(self):
        self.configure([{"name": "record-all", "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                         "actions": [record_action(self.records)]}])
        daemon = self.daemon().start(self.sim)
        self.sim.deliver("before the reader")
        self.wait_for_subjects(["before the reader"])

        stop = threading.Event()
        reader = threading.Thread(target=read_until, args=(os.path.join(self.state_dir, "ewstrigd.db"), stop))
        reader.start()
        try:
            subjects = [f"while reading {i}" for i in range(40)]
            for subject in subjects:
                self.sim.deliver(subject)
                time.sleep(0.02)
            wait_until(lambda: daemon.check_alive() and set(subjects) <= set(subject_counts(self.records)), 20,
                       "every mail to fire while a reader polls the database")
        finally:
            stop.set()
            reader.join()
        settle()
        self.assertTrue(daemon.alive())
        self.assert_exactly_once(["before the reader"] + subjects)


def read_until(db, stop):
    """What an admin's `sqlite3 -readonly ewstrigd.db 'SELECT …'` does, in a loop."""
    while not stop.is_set():
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            con.execute("SELECT COUNT(*) FROM seen_items").fetchall()
        except sqlite3.Error:
            pass  # busy or mid-recovery: the next round reads again
        finally:
            con.close()
        time.sleep(0.01)


if __name__ == "__main__":
    unittest.main()
