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
# Environment variables whose values the secret scan looks for in the daemon's log.
SECRET_ENV = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)


def mailbox_address(index):
    """Mailbox 0 is MAILBOX; the others of a multi-mailbox test are e2e-NN@example.com."""
    return MAILBOX if index == 0 else f"e2e-{index:02d}@example.com"


def mailbox_id(index):
    return MAILBOX_ID if index == 0 else f"e2e-{index:02d}"


def mailbox_password(index):
    return PASSWORD if index == 0 else f"{PASSWORD}-{index:02d}"


def password_env(index):
    """The variable that hands mailbox `index`'s password to the daemon."""
    return "E2E_PASSWORD" if index == 0 else f"E2E_PASSWORD_{index:02d}"


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

    def __init__(self, workdir, more_users=(), mailboxes=1, extra_args=()):
        """`more_users`: further mailbox addresses that sign in with PASSWORD;
        `mailboxes`: mailbox_address(i) for i < mailboxes sign in with mailbox_password(i)."""
        self.log_path = os.path.join(workdir, "ews-sim.log")
        self._log = open(self.log_path, "wb")
        logins = [(mailbox_address(i), mailbox_password(i)) for i in range(mailboxes)]
        logins += [(user, PASSWORD) for user in more_users]
        users = [arg for user, password in logins for arg in ("--user", f"{user}:{password}")]
        self.proc = subprocess.Popen(
            [binary("EWS_SIM_BIN"), "--listen", "127.0.0.1:0", *users, *extra_args],
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

    def deliver(self, subject, body=None, sender="someone@sender.example", folder="inbox", mailbox=MAILBOX):
        status, reply = self.request(
            "POST", f"/admin/mailboxes/{mailbox}/folders/{urllib.parse.quote(folder)}/messages",
            {"from": sender, "to": mailbox, "subject": subject,
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

    def __init__(self, workdir, config_path, name="daemon", env=None, mailboxes=1):
        self.config_path = config_path
        passwords = {password_env(i): mailbox_password(i) for i in range(mailboxes)}
        self.env = dict(os.environ, **passwords, **(env or {}))
        # What the secret scan looks for: every secret-named value this test handed over.
        self.secrets = {value for name, value in {**passwords, **(env or {})}.items()
                        if SECRET_ENV.search(name) and len(value) >= 6}
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc = None
        self.starts = 0

    def start(self, sim=None, streams=1):
        """Starts the daemon; with `sim`, waits until it opened `streams` new notification streams."""
        opened_before = sim.stats()["streams_opened"] if sim else 0
        with open(self.log_path, "ab") as log:
            log.write(f"---- start {self.starts} ----\n".encode())
            log.flush()
            self.proc = subprocess.Popen([binary("EWSTRIGD_BIN"), "run", "-c", self.config_path],
                                         stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.starts += 1
        if sim:
            wait_until(lambda: self.check_alive() and sim.stats()["streams_opened"] >= opened_before + streams, 30,
                       "the daemon to open its notification streams")
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
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def cli(self, *args, timeout=30):
        """Runs `ewstrigd ARGS... -c CONFIG` with the daemon's environment; returns the CompletedProcess."""
        return subprocess.run([binary("EWSTRIGD_BIN"), *args, "-c", self.config_path], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def secret_leaks(self):
        """["LOG:LINE: ..."] for every log line that holds one of this daemon's secrets (not repeated here)."""
        ordered = sorted(self.secrets)
        return [f"{self.log_path}:{number}: secret #{ordered.index(s)} ({len(s)} chars)"
                for number, line in enumerate(self.log().splitlines(), 1) for s in ordered if s in line]

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


def mailbox_config(sim, state_dir, triggers, watch=None, log_level="info", mailboxes=1):
    """A config for `mailboxes` mailboxes on `sim` (mailbox_id(i), mailbox_address(i)), as JSON (which is YAML too)."""
    return {
        "state_dir": state_dir,
        "log": {"level": log_level, "format": "text"},
        "metrics": {"listen": "127.0.0.1:0"},  # the port chosen is logged; Daemon.metrics() reads it
        "mailboxes": [{
            "id": mailbox_id(i),
            "address": mailbox_address(i),
            "ews_url": sim.ews_url,
            "auth": {"kind": "basic", "username": mailbox_address(i), "password": "${env:%s}" % password_env(i)},
            "watch": watch or {"folders": ["inbox"], "mode": "streaming", "on_start": "catch-up"},
        } for i in range(mailboxes)],
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
    """Gives each test a temp dir, a running ews-sim (MAILBOXES mailboxes) and
    daemons that are stopped in tearDown; the logs are printed when a test
    fails. tearDown also fails the test when a daemon's log holds one of the
    secrets the test handed to it (issue 6: secrets never appear in logs)."""

    MAILBOXES = 1

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ewstrigd-e2e-")
        self.state_dir = os.path.join(self.dir, "state")
        self.config_path = os.path.join(self.dir, "ewstrigd.yaml")
        self.records = os.path.join(self.dir, "records.txt")
        self.daemons = []
        self.extra_secrets = set()  # secrets handed over other than by the environment (add_secret)
        self.sim = EwsSim(self.dir, mailboxes=self.MAILBOXES)

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        self.sim.stop()
        if self._failed():
            for d in self.daemons:
                sys.stderr.write(f"\n==== {d.log_path}\n{d.log()[-20000:]}")
        leaks = []
        for d in self.daemons:
            d.secrets |= self.extra_secrets
            leaks += d.secret_leaks()
        if not os.environ.get("E2E_KEEP"): shutil.rmtree(self.dir, ignore_errors=True)
        self.assertEqual(leaks, [], "the daemon logged a secret (E2E_KEEP=1 keeps the log)")

    def add_secret(self, value):
        """A secret the daemon gets some other way (a file, a token from a server): scanned for too."""
        self.extra_secrets.add(value)

    def _failed(self):
        result = getattr(self._outcome, "result", None)  # errors are reported as they happen (Python 3.11+)
        return result is not None and any(test is self for test, _ in result.failures + result.errors)

    def daemon(self, name="daemon", env=None):
        d = Daemon(self.dir, self.config_path, name, env, self.MAILBOXES)
        self.daemons.append(d)
        return d

    def configure(self, triggers, **kw):
        write_config(self.config_path,
                     mailbox_config(self.sim, self.state_dir, triggers, mailboxes=self.MAILBOXES, **kw))

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
