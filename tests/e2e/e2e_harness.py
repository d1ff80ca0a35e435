"""Shared pieces of the end-to-end tests: the real ews-sim and ewstrigd
binaries started as processes, a config writer, the recorder action's output,
and bounded waits.

The binaries come from the environment (ctest sets them, see CMakeLists.txt):
EWSTRIGD_BIN and EWS_SIM_BIN.
"""
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDER = os.path.join(HERE, "record_event.py")
PYTHON = "/usr/bin/python3"
MAILBOX = "e2e@example.com"
MAILBOX_ID = "e2e"
# Handed to the daemon through the environment, never written into a config file.
PASSWORD = "e2e-password"


def binary(name):
    path = os.environ.get(name)
    if not path or not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"{name} is not set to an executable (run through ctest)")
    return path


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls `predicate` until it returns something truthy, which is returned;
    fails the test after `timeout` seconds, naming `what` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def settle(seconds=1.0):
    """A short quiet period, so that an action firing twice (or for a mail it
    should ignore) has the time to show up before the final assertions."""
    time.sleep(seconds)


class EwsSim:
    """The bundled EWS simulator on a free port, with its admin API."""

    def __init__(self, workdir):
        self.log_path = os.path.join(workdir, "ews-sim.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [binary("EWS_SIM_BIN"), "--listen", "127.0.0.1:0", "--user", f"{MAILBOX}:{PASSWORD}"],
            stdout=self._log, stderr=subprocess.STDOUT)
        match = wait_until(self._listening, 10, "ews-sim to listen")
        self.base = match.group(1)
        self.ews_url = self.base + "/EWS/Exchange.asmx"

    def _listening(self):
        with open(self.log_path, "r", errors="replace") as f:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", f.read())
        if not found and self.proc.poll() is not None:
            raise AssertionError(f"ews-sim exited with {self.proc.returncode}")
        return found

    def stop(self):
        stop_process(self.proc)
        self._log.close()

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def deliver(self, subject, body=None, sender="someone@sender.example", folder="inbox"):
        status, reply = self.request(
            "POST", f"/admin/mailboxes/{MAILBOX}/folders/{urllib.parse.quote(folder)}/messages",
            {"from": sender, "to": MAILBOX, "subject": subject,
             "body": body if body is not None else f"body of {subject}"})
        assert status == 201, f"delivering {subject!r}: {status} {reply}"
        return reply["item_id"]

    def deliver_raw(self, message_bytes, folder="inbox"):
        """Delivers an RFC 5322 message as it is (message/rfc822), bytes and all."""
        req = urllib.request.Request(
            f"{self.base}/admin/mailboxes/{MAILBOX}/folders/{urllib.parse.quote(folder)}/messages",
            data=message_bytes, method="POST", headers={"Content-Type": "message/rfc822"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            assert resp.status == 201, f"delivering a raw message: {resp.status}"
            return json.loads(resp.read())["item_id"]

    def messages(self, folder):
        """The messages in `folder` ([] while the folder does not exist)."""
        status, reply = self.request("GET", f"/admin/mailboxes/{MAILBOX}/folders/{urllib.parse.quote(folder)}/messages")
        if status == 404:
            return []
        assert status == 200, f"listing {folder}: {status} {reply}"
        return reply

    def fault(self, kind, **settings):
        status, reply = self.request("POST", "/admin/faults", {"kind": kind, **settings})
        assert status == 201, f"fault {kind}: {status} {reply}"
        return reply

    def stats(self):
        status, reply = self.request("GET", "/admin/stats")
        assert status == 200, f"stats: {status} {reply}"
        return reply


class Daemon:
    """One `ewstrigd run -c CONFIG` process; its stdout and stderr go to a log file."""

    def __init__(self, workdir, config_path, name="daemon", env=None):
        self.config_path = config_path
        self.env = dict(os.environ, E2E_PASSWORD=PASSWORD, **(env or {}))
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc = None
        self.starts = 0

    def start(self, sim=None):
        """Starts the daemon; with `sim`, waits until it opened a new notification stream."""
        opened_before = sim.stats()["streams_opened"] if sim else 0
        with open(self.log_path, "ab") as log:
            log.write(f"---- start {self.starts} ----\n".encode())
            log.flush()
            self.proc = subprocess.Popen([binary("EWSTRIGD_BIN"), "run", "-c", self.config_path],
                                         stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.starts += 1
        if sim:
            wait_until(lambda: self.check_alive() and sim.stats()["streams_opened"] > opened_before, 15,
                       "the daemon to open a notification stream")
        return self

    def check_alive(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"ewstrigd exited with {self.proc.returncode}:\n{self.log()}")
        return True

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def terminate(self, timeout=35):
        """SIGTERM; returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def metrics(self):
        """The Prometheus metrics of the running daemon: {'name{labels}': value}."""
        ports = re.findall(r"serving /metrics.* on 127\.0\.0\.1:(\d+)", self.log().split("---- start ")[-1])
        if not ports:
            return {}
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{ports[-1]}/metrics", timeout=5) as resp:
                text = resp.read().decode()
        except OSError:
            return {}
        return {name: float(value) for name, value in
                (line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))}

    def metric(self, name):
        return self.metrics().get(name, 0.0)

    def wait_metric(self, name, at_least, timeout, what):
        wait_until(lambda: self.check_alive() and self.metric(name) >= at_least, timeout, what)

    def wait_log(self, pattern, timeout, what=None):
        return wait_until(lambda: re.search(pattern, self.log()), timeout, what or f"log line /{pattern}/")


def stop_process(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def mailbox_config(sim, state_dir, triggers, watch=None, log_level="info"):
    """A config for one mailbox on `sim`, as JSON (which is YAML too)."""
    return {
        "state_dir": state_dir,
        "log": {"level": log_level, "format": "text"},
        "metrics": {"listen": "127.0.0.1:0"},  # the port chosen is logged; Daemon.metrics() reads it
        "mailboxes": [{
            "id": MAILBOX_ID,
            "address": MAILBOX,
            "ews_url": sim.ews_url,
            "auth": {"kind": "basic", "username": MAILBOX, "password": "${env:E2E_PASSWORD}"},
            "watch": watch or {"folders": ["inbox"], "mode": "streaming", "on_start": "catch-up"},
        }],
        "triggers": triggers,
    }


def write_config(path, config):
    with open(path + ".tmp", "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def record_action(out_file, sleep_seconds=0.0):
    """A `run` action appending "EVENT_ID SUBJECT" to `out_file` (after
    sleeping, so a crash can hit the action while it runs)."""
    return {"run": [PYTHON, RECORDER, out_file, str(sleep_seconds)]}


def read_records(out_file):
    """[(event_id, subject)] in the order the recorder wrote them."""
    if not os.path.exists(out_file):
        return []
    with open(out_file, "r") as f:
        return [tuple(line.rstrip("\n").split(" ", 1)) for line in f if line.strip()]


def subject_counts(out_file):
    return collections.Counter(subject for _, subject in read_records(out_file))


class E2ETestCase(unittest.TestCase):
    """Gives each test a temp dir, a running ews-sim and daemons that are
    stopped in tearDown; the logs are printed when a test fails."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ewstrigd-e2e-")
        self.state_dir = os.path.join(self.dir, "state")
        self.config_path = os.path.join(self.dir, "ewstrigd.yaml")
        self.records = os.path.join(self.dir, "records.txt")
        self.daemons = []
        self.sim = EwsSim(self.dir)

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        self.sim.stop()
        if self._failed():
            for d in self.daemons:
                sys.stderr.write(f"\n==== {d.log_path}\n{d.log()[-20000:]}")
        if not os.environ.get("E2E_KEEP"): shutil.rmtree(self.dir, ignore_errors=True)

    def _failed(self):
        result = getattr(self._outcome, "result", None)  # errors are reported as they happen (Python 3.11+)
        return result is not None and any(test is self for test, _ in result.failures + result.errors)

    def daemon(self, name="daemon", env=None):
        d = Daemon(self.dir, self.config_path, name, env)
        self.daemons.append(d)
        return d

    def configure(self, triggers, **kw):
        write_config(self.config_path, mailbox_config(self.sim, self.state_dir, triggers, **kw))

    def wait_for_subjects(self, subjects, timeout=20, out_file=None):
        """Waits until each of `subjects` was recorded at least once."""
        out_file = out_file or self.records
        wanted = set(subjects)
        try:
            wait_until(lambda: wanted <= set(subject_counts(out_file)), timeout, "the actions")
        except AssertionError as e:
            dead = [f"{d.log_path} exited with {d.proc.returncode}" for d in self.daemons
                    if d.proc is not None and d.proc.poll() is not None]
            raise AssertionError(f"{e}: missing {sorted(wanted - set(subject_counts(out_file)))}; {dead}") from None

    def assert_exactly_once(self, subjects, out_file=None):
        """Every subject in `subjects` was recorded exactly once, nothing else was."""
        counts = subject_counts(out_file or self.records)
        self.assertEqual(dict(counts), {s: 1 for s in subjects})
