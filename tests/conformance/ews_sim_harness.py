"""Shared by the Python conformance scripts: start/stop ews-sim, call its admin API, fail loudly.

Every wait is bounded by WAIT seconds.
"""
import json
import queue
import subprocess
import sys
import threading
import time
import urllib.request

WAIT = 20  # seconds, for any single expected event
USER, PASSWORD = "user0@example.com", "secret"


def fail(msg):
    print("FAIL:", msg, flush=True)
    sys.exit(1)


def start_sim(path, *extra_args):
    """ews-sim on 127.0.0.1:0 with USER:PASSWORD; returns (process, base URL)."""
    proc = subprocess.Popen(
        [path, "--listen", "127.0.0.1:0", "--user", f"{USER}:{PASSWORD}", *extra_args],
        stdout=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=WAIT)
    except queue.Empty:
        proc.kill()
        fail("ews-sim did not print its listening line")
    if not line.startswith("listening on http://"):
        proc.kill()
        fail(f"unexpected first line from ews-sim: {line!r}")
    return proc, line.strip().split("listening on ")[1]


def run_against_sim(sim_args, run):
    """main() of a conformance script: argv[1] is ews-sim; run(base) does the checks; PASS or exit 1."""
    if len(sys.argv) != 2:
        fail(f"usage: {sys.argv[0]} PATH/TO/ews-sim")
    proc, base = start_sim(sys.argv[1], *sim_args)
    try:
        run(base)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("ews-sim did not stop on SIGTERM")
    if proc.returncode != 0:  # e.g. a sanitizer report in an asan build
        fail(f"ews-sim exited with {proc.returncode}")
    print("PASS", flush=True)


class Admin:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=WAIT) as r:
            return r.status, json.loads(r.read() or b"null")

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            _, stats = self.call("GET", "/admin/stats")
            if predicate(stats):
                return stats
            time.sleep(0.05)
        fail(f"timed out waiting for {what}")
