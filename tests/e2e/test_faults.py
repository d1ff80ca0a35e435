"""Faults injected by ews-sim (POST /admin/faults): the daemon keeps running and
every mail delivered before and after a fault fires exactly once. Also the
pull and poll watch modes, each exactly once."""
import unittest

from e2e_harness import MAILBOX, MAILBOX_ID, E2ETestCase, EwsSim, record_action, settle, wait_until


class FaultTestCase(E2ETestCase):
    """Starts the daemon and fires two mails before each test injects its fault."""

    SIM_ARGS = ()  # further ews-sim options
    WATCH = None   # the mailbox's watch settings; None = the harness's streaming default

    def setUp(self):
        super().setUp()
        if self.SIM_ARGS:
            self.sim.stop()
            self.sim = EwsSim(self.dir, extra_args=self.SIM_ARGS)
        self.configure([{"name": "record-all", "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                         "actions": [record_action(self.records)]}], watch=self.WATCH)
        self.daemon_proc = self.daemon().start(self.sim)
        self.before = ["before the fault 1", "before the fault 2"]
        for subject in self.before:
            self.sim.deliver(subject)
        self.wait_for_subjects(self.before)

    def deliver_after_fault_and_check(self, timeout=30):
        after = ["after the fault 1", "after the fault 2", "after the fault 3"]
        for subject in after:
            self.sim.deliver(subject)
        self.wait_for_subjects(after, timeout=timeout)
        settle()
        self.assertTrue(self.daemon_proc.alive(), "the daemon must survive the fault")
        self.assert_exactly_once(self.before + after)

    def wait_faults_consumed(self, injected_before, count):
        wait_until(lambda: self.sim.stats()["faults_injected"] >= injected_before + count, 15,
                   f"the daemon to run into {count} injected fault(s)")


class FaultsTest(FaultTestCase):
    def test_drop_streams(self):
        opened = self.sim.stats()["streams_opened"]
        self.assertGreaterEqual(self.sim.fault("drop-streams", mailbox=MAILBOX)["applied_now"], 1)
        # Delivered while the stream is down: the new subscription's first ring must find them.
        self.deliver_after_fault_and_check()
        self.assertGreater(self.sim.stats()["streams_opened"], opened, "the daemon opened a new stream")

    def test_server_busy_with_backoff(self):
        injected = self.sim.stats()["faults_injected"]
        self.sim.fault("server-busy", mailbox=MAILBOX, count=2, backoff_ms=1500)
        self.deliver_after_fault_and_check()
        self.wait_faults_consumed(injected, 2)

    def test_http_status_500(self):
        injected = self.sim.stats()["faults_injected"]
        self.sim.fault("http-status", mailbox=MAILBOX, count=2, status=500)
        self.deliver_after_fault_and_check()
        self.wait_faults_consumed(injected, 2)

    def test_invalidate_sync_states(self):
        self.sim.fault("invalidate-sync-states", mailbox=MAILBOX)
        # The full resync sees the earlier mails again; they must not fire twice.
        self.deliver_after_fault_and_check()
        self.daemon_proc.wait_log(r"sync state rejected", 5, "the daemon to notice the rejected sync state")

    def test_garbage_bodies(self):
        injected = self.sim.stats()["faults_injected"]
        # HTTP 200 with a body that is not XML, for the next three EWS requests.
        self.sim.fault("garbage", mailbox=MAILBOX, count=3)
        self.deliver_after_fault_and_check()
        self.wait_faults_consumed(injected, 3)

    def test_expire_subscriptions(self):
        opened = self.sim.stats()["streams_opened"]
        self.assertGreaterEqual(self.sim.fault("expire-subscriptions", mailbox=MAILBOX)["applied_now"], 1)
        self.deliver_after_fault_and_check()
        self.assertGreater(self.sim.stats()["streams_opened"], opened, "the daemon subscribed anew")


class StalledStreamTest(FaultTestCase):
    """A stream that stops writing (no events, no keep-alives, never Closed) is
    given up after watch.stream_idle_timeout (here 5 s; ews-sim sends a
    keep-alive every second, so only the stalled stream goes quiet) and
    reopened; the mail that arrived meanwhile fires once."""

    SIM_ARGS = ("--keepalive-ms", "1000")
    WATCH = {"folders": ["inbox"], "mode": "streaming", "stream_idle_timeout": "5s"}

    def test_stall_streams(self):
        streams = lambda: self.sim.stats()["requests_by_operation"].get("GetStreamingEvents", 0)  # noqa: E731
        before = streams()
        self.assertGreaterEqual(self.sim.fault("stall-streams", mailbox=MAILBOX)["applied_now"], 1)
        # Delivered while the stream is stalled; with the default 120 s limit this would time out.
        self.deliver_after_fault_and_check(timeout=15)
        self.assertGreaterEqual(streams(), before + 1, "the daemon opened a new GetStreamingEvents after the stall")
        self.assertGreaterEqual(self.daemon_proc.metric('ewstrigd_ews_errors_total{code="stream-idle"}'), 1,
                                "the stall was counted as stream-idle")


class WatchModesTest(E2ETestCase):
    """watch.mode pull (GetEvents on a pull subscription) and poll
    (SyncFolderItems on a timer): every mail fires exactly once, also the
    ones that arrive while the daemon is stopped."""

    def check_mode(self, mode, wanted_operation, unwanted_operations):
        self.configure([{"name": "record-all", "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                         "actions": [record_action(self.records)]}],
                       watch={"folders": ["inbox"], "mode": mode, "poll_interval": "1s"})
        daemon = self.daemon().start()
        ops = lambda: self.sim.stats()["requests_by_operation"]  # noqa: E731
        wait_until(lambda: daemon.check_alive() and ops().get(wanted_operation, 0) >= 1, 15, f"{wanted_operation} calls")
        first = [f"{mode} mail {i}" for i in range(5)]
        for subject in first:
            self.sim.deliver(subject)
        self.wait_for_subjects(first)
        self.assertEqual(daemon.terminate(), 0)
        missed = [f"{mode} mail while stopped {i}" for i in range(3)]
        for subject in missed:
            self.sim.deliver(subject)
        daemon.start()
        self.wait_for_subjects(missed)
        settle()
        self.assert_exactly_once(first + missed)
        self.assertEqual({op: ops().get(op, 0) for op in unwanted_operations}, {op: 0 for op in unwanted_operations})

    def test_pull_mode(self):
        self.check_mode("pull", "GetEvents", ["GetStreamingEvents"])

    def test_poll_mode(self):
        self.check_mode("poll", "SyncFolderItems", ["GetStreamingEvents", "GetEvents", "Subscribe"])


class Http503Test(FaultTestCase):
    """A separate ctest entry: an HTTP 503 without Retry-After makes the daemon
    wait 60 s before it retries (docs/ews-source.md), so this test is slow."""

    def test_http_status_503(self):
        injected = self.sim.stats()["faults_injected"]
        self.sim.fault("http-status", mailbox=MAILBOX, count=1, status=503)
        self.deliver_after_fault_and_check(timeout=75)
        self.wait_faults_consumed(injected, 1)


if __name__ == "__main__":
    unittest.main()
