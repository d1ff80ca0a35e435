#!/usr/bin/python3
"""Scale benchmark (issue 8): N mailboxes on one ews-sim, M new mails, side by side per contender.

usage: /usr/bin/python3 scale_bench.py --sim PATH/ews-sim [--mailboxes 1,100,1000] [--messages M] [--rate R]
       [--notifications K [--notify-rate R] [--notify-workloads spread,burst] [--burst B]]
       [--runs R] [--contenders exchangelib,ews-js,ewstrigd,ewstrigd-log,ewstrigd-grouped] [--ewstrigd PATH]
       [--ewstrigd-mailboxes-per-stream K] [--nofile LIMIT] [--connect-timeout S] [--smoke]

Per (N, run, contender): a fresh ews-sim with `--mailboxes N` (user0..user{N-1}@example.com, one Basic service
account impersonating them), the contender started, "time to connect all" = contender start until the sim's
/admin/stats shows every subscription and the contender's streaming connections open, and its request counts
last changed (no start-up request for 1 s after that). Then M messages are
delivered round-robin over the mailboxes at --rate per second through the admin API; a message's latency is
(the contender's output line timestamp) - (wall clock just before its admin POST). RSS (VmRSS, contender plus
its descendants) is sampled idle after connecting and during delivery; CPU (utime+stime from /proc) is measured
from the first delivery until the last message is seen, separately for the contender and the simulator.
RSS per mailbox = (idle RSS at N - idle RSS of a 1-mailbox baseline run) / (N - 1).
Prints one Markdown table of medians over the runs (plus ratios peer/ewstrigd when ewstrigd ran).
Two ewstrigd workloads: `ewstrigd` fires a `run` action per mail (a process spawn, which dominates its CPU),
`ewstrigd-log` a `log` action (one JSON line on stderr, timestamped by the daemon), closer to what the peers
do (print the subject). `ewstrigd-grouped` is ewstrigd-log with app-only (impersonation) mailboxes: tokens from
token_endpoint.py, ews-sim with --insecure-any-token and 4 backend servers, subscriptions grouped 200 per
GetStreamingEvents connection per backend (source/stream_hub.hpp); not in the default --contenders.
--notifications K: CPU per notification, without mail (a separate run per contender: fresh sim, one seeded message per
mailbox before the contender starts, then the sim's admin `notify` sends NewMailEvents about that message).
Two workloads on the same connected contender: `spread` (K x N POSTs of one notification, round-robin, at
--notify-rate per second: each notification alone) and `burst` (POSTs of B = --burst notifications, default K,
round-robin, about K x N in all at the same notifications per second; a burst's B events reach the contender in one
notification frame). The peers run with --count-only (no GetItem; they count NewMail events and print
`notified <total>`). ewstrigd cannot skip work:
each frame rings the folder, which syncs (SyncFolderItems, nothing new); its completion is read from its
/metrics (ewstrigd_notifications_total, scraped only after the last POST) plus the sim's SyncFolderItems count
settling. CPU is counted from the first POST until then; the idle CPU rate (before the first POST) is shown.
--smoke: exit 1 unless every contender reported M of M messages in every run (and, with --notifications, every
peer counted every notification and ewstrigd rang and synced in each workload); no timing assertions.
stdlib only; run with Debian's /usr/bin/python3 (the exchangelib peer needs python3-exchangelib).
"""
import argparse
import datetime
import http.client
import json
import os
import queue
import resource
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SVC_USER, SVC_PASSWORD = "svc@example.com", "secret"
CLK = os.sysconf("SC_CLK_TCK")


def mailbox(i):
    return f"user{i}@example.com"


# ---- /proc sampling -------------------------------------------------------------------------------------------

def descendants(pid):
    """pid and every live descendant (children of a peer, e.g. `run` actions of ewstrigd)."""
    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parents[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in parents.items() if pp == p)
    return out


def proc_file(pid, name):
    try:
        with open(f"/proc/{pid}/{name}") as f:
            return f.read()
    except OSError:  # the process just exited
        return ""


def rss_kb(pid):
    total = 0
    for p in descendants(pid):
        for line in proc_file(p, "status").splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def cpu_s(pid):
    """utime+stime of pid and live descendants, plus what finished children added (cutime+cstime)."""
    total = 0
    for p in descendants(pid):
        stat = proc_file(p, "stat")
        if stat:
            fields = stat.rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15 if p == pid else 13])
    return total / CLK


# ---- simulator ------------------------------------------------------------------------------------------------

class Sim:
    def __init__(self, path, n, user_per_mailbox=False, grouped=False):
        users = [mailbox(i) for i in range(n)] if user_per_mailbox else []
        cmd = [path, "--listen", "127.0.0.1:0", "--mailboxes", str(n)]
        self.authority_proc = None
        self.authority = None
        if grouped:
            cmd += ["--insecure-any-token", "--backends", str(GROUPED_BACKENDS)]
            self.authority_proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "token_endpoint.py")],
                                                   stdout=subprocess.PIPE, text=True)
            line = read_line_with_timeout(self.authority_proc.stdout, 20) or ""
            self.authority = line.strip().split("listening on ")[-1]
        for u in [SVC_USER] + users:
            cmd += ["--user", f"{u}:{SVC_PASSWORD}"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = read_line_with_timeout(self.proc.stdout, 20)
        if not line or not line.startswith("listening on http://"):
            self.stop()
            raise RuntimeError(f"ews-sim did not start (first line {line!r})")
        self.base = line.strip().split("listening on ")[1]
        self.stats_failures = 0
        self.admin_conn = None
        self.url = self.base + "/EWS/Exchange.asmx"

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")

    def stats(self):
        """The admin counters; when the sim cannot answer (swamped, out of fds) an empty picture, not a crash."""
        try:
            return self.call("GET", "/admin/stats")[1]
        except OSError as e:
            self.stats_failures += 1
            print(f"# ews-sim /admin/stats failed: {e}", flush=True)
            return {"subscriptions": 0, "open_streaming_connections": 0, "requests_by_operation": {}}

    def deliver(self, box, subject):
        status, _ = self.call("POST", f"/admin/mailboxes/{box}/folders/inbox/messages",
                              {"from": "sender@example.org", "to": [box], "subject": subject, "body": "bench"})
        if status != 201:
            raise RuntimeError(f"admin delivery answered {status}")

    def post_kept_alive(self, path, body):
        """An admin POST over one kept-alive connection (seeding and notifications: many small requests)."""
        for attempt in (0, 1):
            if self.admin_conn is None:
                host, port = self.base.split("//", 1)[1].rsplit(":", 1)
                self.admin_conn = http.client.HTTPConnection(host, int(port), timeout=30)
            try:
                self.admin_conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
                r = self.admin_conn.getresponse()
                return r.status, json.loads(r.read() or b"null")
            except (OSError, http.client.HTTPException):
                self.admin_conn.close()
                self.admin_conn = None
                if attempt:
                    raise

    def seed(self, n):
        """One message in each Inbox, for notifications to name (an empty folder cannot be notified)."""
        for i in range(n):
            status, _ = self.post_kept_alive(f"/admin/mailboxes/{mailbox(i)}/folders/inbox/messages",
                                             {"from": "sender@example.org", "subject": "seed", "body": "seed"})
            if status != 201:
                raise RuntimeError(f"admin delivery answered {status}")

    def notify(self, box, count):
        status, reply = self.post_kept_alive(f"/admin/mailboxes/{box}/folders/inbox/notify", {"count": count})
        if status != 200:
            raise RuntimeError(f"admin notify answered {status}: {reply}")

    def requests(self, operation):
        return self.stats()["requests_by_operation"].get(operation, 0)

    def stop(self):
        if self.admin_conn is not None:
            self.admin_conn.close()
        stop_process(self.proc)
        if self.authority_proc:
            stop_process(self.authority_proc)


def read_line_with_timeout(stream, seconds):
    q = queue.Queue()
    threading.Thread(target=lambda: q.put(stream.readline()), daemon=True).start()
    try:
        return q.get(timeout=seconds)
    except queue.Empty:
        return None


def stop_process(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- contenders -----------------------------------------------------------------------------------------------

def peer_command(kind, sim, boxes_file, args, count_only=False, metrics_listen=None):
    """count_only: the peers count notifications instead of fetching each new mail; metrics_listen: ewstrigd's
    metrics.listen (HOST:PORT), for reading its notification count."""
    only = ["--count-only"] if count_only else []
    if kind == "exchangelib":
        return ["/usr/bin/python3", os.path.join(HERE, "peer_exchangelib.py"), sim.url, SVC_USER, SVC_PASSWORD,
                "@" + boxes_file] + only
    if kind == "ews-js":
        return [shutil.which("node") or "node", os.path.join(HERE, "peer_ews_js.mjs"), sim.url, SVC_USER,
                SVC_PASSWORD, "@" + boxes_file] + only
    if kind in EWSTRIGD_KINDS:
        action = "run" if kind == "ewstrigd" else "log"
        authority = sim.authority if kind == "ewstrigd-grouped" else None
        return [args.ewstrigd, "run", "-c",
                write_ewstrigd_config(sim, boxes_file, boxes_file + ".events", action, authority, metrics_listen)]
    raise ValueError(kind)


EWSTRIGD_KINDS = ("ewstrigd", "ewstrigd-log", "ewstrigd-grouped")
# ewstrigd-grouped: app-only (impersonation) mailboxes, whose streaming subscriptions share one GetStreamingEvents
# connection per 200 on each backend server (the sim runs with --backends GROUPED_BACKENDS).
GROUPED_BACKENDS = 4


def ewstrigd_runnable(path):
    if not path or not os.access(path, os.X_OK):
        return False, "no ewstrigd binary given (--ewstrigd)"
    # `ewstrigd run --help` exits 0 with the top-level help when `run` is unknown, so look for the subcommand.
    try:
        r = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False, f"`{os.path.basename(path)} --help` did not answer within 20 s"
    if not any(line.split()[:1] == ["run"] for line in r.stdout.splitlines()):
        return False, f"this build of {os.path.basename(path)} has no `run` subcommand yet"
    return True, ""


def write_ewstrigd_config(sim, boxes_file, events_file, action, authority=None, metrics_listen=None):
    # Basic auth takes no impersonation in ewstrigd's config, so each mailbox logs in as itself (the sim was
    # started with one --user per mailbox). The `run` action appends the peers' line, so latency ends at action
    # start plus a spawn; the `log` action writes a warn line (the level the daemon logs at here, to keep its
    # start-up chatter out) whose JSON "time" (ms) is the event time. A fresh state dir per run: no carry-over.
    with open(boxes_file) as f:
        boxes = [b.strip() for b in f if b.strip()]
    path = boxes_file + ".yaml"
    state = boxes_file + ".state"
    os.makedirs(state, exist_ok=True)
    with open(path, "w") as f:
        f.write(f"state_dir: {state}\nlog: {{ level: warn, format: json }}\n")
        if metrics_listen:
            f.write(f"metrics: {{ listen: '{metrics_listen}' }}\n")
        f.write("mailboxes:\n")
        for i, b in enumerate(boxes):
            auth = (f"{{ kind: oauth-app, tenant_id: bench, client_id: bench-app, client_secret: bench-secret,"
                    f" authority: '{authority}' }}" if authority else
                    f"{{ kind: basic, username: {b}, password: {SVC_PASSWORD} }}")
            f.write(f"  - {{ id: m{i}, address: {b}, ews_url: {sim.url},"
                    f" watch: {{ mode: streaming, on_start: new-only }}, auth: {auth} }}\n")
        f.write("triggers:\n")
        for i in range(len(boxes)):
            f.write(f"  - name: t{i}\n    mailbox: m{i}\n    when: {{ subject: {{ contains: bench }} }}\n"
                    "    actions:\n")
            if action == "run":
                f.write(f"      - run: [sh, -c, 'echo \"$(date +%s%N) $0 $1\" >> {events_file}',"
                        f" '{{{{mailbox}}}}', '{{{{subject}}}}']\n")
            else:
                f.write("      - log: { message: 'bench-event {{subject}}', level: warn }\n")
    return path


def ewstrigd_log_line(line):
    """One line of ewstrigd's JSON log as the peers' `<epoch_ns> <mailbox> <subject>` / `error ...` lines."""
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    msg = rec.get("msg", "")
    if rec.get("level") in ("error", "critical"):
        return "error " + msg
    words = msg.split()
    if rec.get("level") == "warning" and "bench-event" not in words:
        return "warning " + msg  # a transient failure: not an error yet, but the likely reason for a shortfall
    if len(words) >= 2 and words[-2] == "bench-event":
        when = datetime.datetime.strptime(rec["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        mailbox = next((w.split("=", 1)[1] for w in words if w.startswith("mailbox=")), "-")
        return f"{int(when.timestamp() * 1000) * 1_000_000} {mailbox} {words[-1]}"
    return None


class Contender:
    """A running contender; its stdout lines are collected with their arrival."""

    def __init__(self, cmd, log_path, events_file=None, ready=None, json_stderr=False):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE if json_stderr else self.log,
                                     text=True, bufsize=1)
        self.seen = {}       # subject -> epoch ns from the contender's line
        self.notified = 0    # notifications a --count-only peer counted (`notified <total>`)
        self.errors = []
        self.last_warning = None
        self.ready = ready   # number of streaming connections the contender opened (peers print it)
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self.reader.start()
        self.err_reader = None
        if json_stderr:
            self.err_reader = threading.Thread(target=self._read, args=(self.proc.stderr, ewstrigd_log_line),
                                               daemon=True)
            self.err_reader.start()
        if events_file:
            threading.Thread(target=self._tail, args=(events_file,), daemon=True).start()

    def _tail(self, path):
        """Lines appended by ewstrigd's `run` action; read until the contender exits."""
        open(path, "a").close()
        with open(path) as f:
            pending = ""
            while self.proc.poll() is None:
                chunk = f.read()
                if not chunk:
                    time.sleep(0.005)
                    continue
                pending += chunk
                *lines, pending = pending.split("\n")
                for line in lines:
                    self._line(line + "\n")

    def _read(self, stream, translate=None):
        for line in stream:
            self.log.write(line)
            if translate:
                line = translate(line)
                if line is None:
                    continue
            self._line(line)
        with self.cond:
            self.cond.notify_all()

    def _line(self, line):
        parts = line.rstrip("\n").split(" ", 2)
        with self.cond:
            if parts[0] == "ready" and len(parts) > 1:
                self.ready = int(parts[1])
            elif parts[0] == "notified" and len(parts) > 1:
                self.notified = int(parts[1])
            elif parts[0] == "error":
                self.errors.append(line.strip())
            elif parts[0] == "warning":
                self.last_warning = line.strip()
            elif parts[0].isdigit() and len(parts) == 3:
                self.seen.setdefault(parts[2], int(parts[0]))
            self.cond.notify_all()

    def wait(self, predicate, deadline):
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return predicate()
                self.cond.wait(min(left, 0.2))
            return True

    def stop(self):
        stop_process(self.proc)
        self.reader.join(timeout=5)  # it writes the log until stdout closes
        if self.err_reader:
            self.err_reader.join(timeout=5)
        self.log.close()


# ---- one measurement ------------------------------------------------------------------------------------------

def settled(sim, stats, deadline, quiet_s=1.0):
    """When the contender's start-up requests ended: the moment the sim's request counts last changed, once they
    stayed unchanged for quiet_s (streams can open before the last initial syncs finish)."""
    last, changed = stats["requests_by_operation"], time.monotonic()
    while time.monotonic() - changed < quiet_s and time.monotonic() < deadline:
        time.sleep(0.05)
        now = sim.stats()["requests_by_operation"]
        if now != last:
            last, changed = now, time.monotonic()
    return changed


def new_result(kind, n, m):
    return {"contender": kind, "N": n, "M": m, "connected": 0, "connect_s": None, "rss_idle_kb": None,
            "rss_peak_kb": None, "cpu_s": None, "sim_cpu_s": None, "received": 0, "lat_ms": [], "errors": 0,
            "stopped": "", "load": os.getloadavg()[0]}


def start_sim(kind, n, args):
    daemon = kind in EWSTRIGD_KINDS
    return Sim(args.sim, n, user_per_mailbox=daemon and kind != "ewstrigd-grouped", grouped=kind == "ewstrigd-grouped")


def connect(kind, n, args, tag, workdir, sim, res, count_only=False, metrics_listen=None):
    """Starts the contender and waits until it connected all N (fills res); the caller stops it."""
    daemon = kind in EWSTRIGD_KINDS
    boxes_file = os.path.join(workdir, f"{tag}-boxes.txt")
    with open(boxes_file, "w") as f:
        f.write("".join(mailbox(i) + "\n" for i in range(n)))
    t0 = time.monotonic()
    # ewstrigd prints no "ready": wait for one open stream per --ewstrigd-mailboxes-per-stream mailboxes
    # (1 today: it opens one streaming connection per mailbox).
    per = args.ewstrigd_mailboxes_per_stream if kind != "ewstrigd-grouped" else n
    c = Contender(peer_command(kind, sim, boxes_file, args, count_only, metrics_listen),
                  os.path.join(workdir, f"{tag}.log"),
                  events_file=boxes_file + ".events" if kind == "ewstrigd" else None,
                  ready=(n + per - 1) // per if daemon else None, json_stderr=daemon)
    deadline = t0 + args.connect_timeout
    c.wait(lambda: c.ready is not None, deadline)
    stats = sim.stats()
    while time.monotonic() < deadline and c.proc.poll() is None:
        if (c.ready is not None and stats["subscriptions"] >= n
                and stats["open_streaming_connections"] >= c.ready):
            # --smoke: a shorter quiet period (3 mailboxes start in well under that); nothing is timed there.
            res["connect_s"] = settled(sim, stats, deadline, quiet_s=0.3 if args.smoke else 1.0) - t0
            break
        time.sleep(0.05)
        stats = sim.stats()
    res["connected"] = min(stats["subscriptions"], n)
    if res["connect_s"] is None:
        why = "exited" if c.proc.poll() is not None else f"not all connected after {args.connect_timeout:.0f} s"
        if sim.stats_failures:
            why += f", the sim's /admin/stats failed {sim.stats_failures}×"
        res["stopped"] = f"{res['connected']}/{n} subscribed, {stats['open_streaming_connections']} streams; " \
                         f"{why}; last error: {c.errors[-1] if c.errors else c.last_warning or '-'}"
    return c


def run_once(kind, n, m, args, tag, workdir):
    res = new_result(kind, n, m)
    sim = start_sim(kind, n, args)
    c = None
    try:
        c = connect(kind, n, args, tag, workdir, sim, res)
        time.sleep(1.0)  # let start-up work settle before the idle sample
        res["rss_idle_kb"] = rss_kb(c.proc.pid)
        if m == 0 or res["connect_s"] is None:
            res["errors"] = len(c.errors)
            return res
        peak = [res["rss_idle_kb"]]
        cpu0, sim_cpu0 = cpu_s(c.proc.pid), cpu_s(sim.proc.pid)
        sent = {}
        done = threading.Event()

        def sample():
            while not done.wait(0.25):
                peak.append(rss_kb(c.proc.pid))
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.monotonic()
        for k in range(m):
            time.sleep(max(0.0, start + k / args.rate - time.monotonic()))
            subject = f"bench-{tag}-{k}"
            sent[subject] = time.time_ns()
            sim.deliver(mailbox(k % n), subject)
        c.wait(lambda: len(c.seen) >= m, time.monotonic() + args.drain_timeout)
        cpu1, sim_cpu1 = cpu_s(c.proc.pid), cpu_s(sim.proc.pid)
        done.set()
        sampler.join()
        res["rss_peak_kb"] = max(peak)
        with c.cond:
            got = {s: t for s, t in c.seen.items() if s in sent}
            res["errors"] = len(c.errors)
        res["received"] = len(got)
        res["lat_ms"] = sorted((t - sent[s]) / 1e6 for s, t in got.items())
        with open(os.path.join(workdir, f"{tag}-latency.txt"), "w") as f:  # in delivery order, for --keep-logs
            f.write("".join(f"{s} {(got[s] - sent[s]) / 1e6:.1f}\n" if s in got else f"{s} missing\n" for s in sent))
        res["cpu_s"], res["sim_cpu_s"] = cpu1 - cpu0, sim_cpu1 - sim_cpu0
        if len(got) < m:
            res["stopped"] = (f"received {len(got)}/{m}; "
                              f"last error: {c.errors[-1] if c.errors else c.last_warning or '-'}")
        return res
    finally:
        if c:
            c.stop()
        sim.stop()


# ---- CPU per notification (--notifications) -------------------------------------------------------------------

NOTIFY_IDLE_S = 2.0  # idle CPU rate sampled over this long before the first workload


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ewstrigd_rings(metrics_listen):
    """ewstrigd_notifications_total from the daemon's /metrics (doorbell rings: one per folder and frame)."""
    with urllib.request.urlopen(f"http://{metrics_listen}/metrics", timeout=10) as r:
        text = r.read().decode()
    m = re.search(r"^ewstrigd_notifications_total(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
    return int(float(m.group(1))) if m else 0


def wait_ewstrigd_done(sim, metrics_listen, rings0, want_rings, syncs0, deadline):
    """After the last POST: until the daemon rang want_rings times (a burst of one folder may ring once; rings can
    also merge when frames queue up), then until its syncs stopped (SyncFolderItems unchanged for 0.2 s). Returns
    (rings, syncs) counted since the start of the workload."""
    rings = ewstrigd_rings(metrics_listen) - rings0
    last_change, syncs = time.monotonic(), sim.requests("SyncFolderItems") - syncs0
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now_syncs = sim.requests("SyncFolderItems") - syncs0
        if rings < want_rings:
            now_rings = ewstrigd_rings(metrics_listen) - rings0
            if now_rings != rings:
                rings, last_change = now_rings, time.monotonic()
        if now_syncs != syncs:
            syncs, last_change = now_syncs, time.monotonic()
        # Done: every ring seen and the syncs settled; or nothing moved for 1 s (merged rings: fewer than POSTs).
        if time.monotonic() - last_change >= (0.2 if rings >= want_rings else 1.0):
            break
    return rings, syncs


def notify_workload(c, sim, kind, n, k, workload, args, metrics_listen):
    """One workload on the connected contender: K notifications per mailbox, spread or in bursts of --burst (round-
    robin: with B > K only every (B/K)th mailbox gets one). Returns a result
    with cpu_s/sim_cpu_s over the workload and received = notifications counted (peers) or rings (ewstrigd)."""
    burst = 1 if workload == "spread" else args.burst or k
    posts = [(mailbox(i % n), burst) for i in range(-(-k * n // burst))]
    res = new_result(kind, n, burst * len(posts))
    res.update(workload=workload, per_post=burst, posts=len(posts))
    post_rate = args.notify_rate / burst
    daemon = kind in EWSTRIGD_KINDS
    base = c.notified
    if daemon:
        rings0, syncs0 = ewstrigd_rings(metrics_listen), sim.requests("SyncFolderItems")
    cpu0, sim_cpu0 = cpu_s(c.proc.pid), cpu_s(sim.proc.pid)
    start = time.monotonic()
    for j, (box, count) in enumerate(posts):
        time.sleep(max(0.0, start + j / post_rate - time.monotonic()))
        sim.notify(box, count)
    res["send_s"] = time.monotonic() - start
    deadline = time.monotonic() + args.drain_timeout
    if daemon:
        res["received"], res["syncs"] = wait_ewstrigd_done(sim, metrics_listen, rings0, len(posts), syncs0, deadline)
    else:
        c.wait(lambda: c.notified - base >= res["M"], deadline)
        res["received"], res["syncs"] = c.notified - base, 0
    cpu1, sim_cpu1 = cpu_s(c.proc.pid), cpu_s(sim.proc.pid)
    res["cpu_s"], res["sim_cpu_s"] = cpu1 - cpu0, sim_cpu1 - sim_cpu0
    res["errors"] = len(c.errors)
    # ewstrigd may rightly ring fewer times than there were POSTs (frames that queued up are read as one); it
    # falls short when it did not ring or sync at all.
    want = 1 if daemon else res["M"]
    if res["received"] < want or (daemon and res["syncs"] == 0):
        what = "rings" if daemon else "notifications"
        res["stopped"] = (f"{workload}: {res['received']}/{want} {what}, {res['syncs']} syncs; "
                          f"last error: {c.errors[-1] if c.errors else c.last_warning or '-'}")
    return res


def run_notify_once(kind, n, k, args, tag, workdir):
    """A fresh sim with one seeded message per mailbox, the contender in count-only mode, then each workload of
    --notify-workloads in turn on the same connection. Returns one result per workload."""
    sim = start_sim(kind, n, args)
    c = None
    metrics_listen = f"127.0.0.1:{free_port()}" if kind in EWSTRIGD_KINDS else None
    connected = new_result(kind, n, k * n)
    try:
        sim.seed(n)
        c = connect(kind, n, args, tag, workdir, sim, connected, count_only=True, metrics_listen=metrics_listen)
        if connected["connect_s"] is None:
            return [dict(connected, workload=w, per_post="—", posts=0) for w in args.notify_workloads.split(",")]
        cpu0, idle_s = cpu_s(c.proc.pid), 0.2 if args.smoke else NOTIFY_IDLE_S
        time.sleep(idle_s)
        idle_ms_per_s = (cpu_s(c.proc.pid) - cpu0) / idle_s * 1000
        out = []
        for workload in args.notify_workloads.split(","):
            res = notify_workload(c, sim, kind, n, k, workload, args, metrics_listen)
            res.update(connected=connected["connected"], connect_s=connected["connect_s"], idle_ms_per_s=idle_ms_per_s,
                       load=connected["load"])
            out.append(res)
        return out
    finally:
        if c:
            c.stop()
        sim.stop()


# ---- report ---------------------------------------------------------------------------------------------------

def pct(xs, p):
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarize(runs, baseline_kb):
    n, m = runs[0]["N"], runs[0]["M"]
    s = {"contender": runs[0]["contender"], "N": n, "M": m,
         "connected": med([r["connected"] for r in runs]), "connect_s": med([r["connect_s"] for r in runs]),
         "rss_mb": med([r["rss_idle_kb"] for r in runs]), "peak_mb": med([r["rss_peak_kb"] for r in runs]),
         "received": med([r["received"] for r in runs]),
         "cpu_per_1k": med([r["cpu_s"] / r["received"] * 1000 if r["received"] else None for r in runs]),
         "sim_cpu_per_1k": med([r["sim_cpu_s"] / r["received"] * 1000 if r["received"] else None for r in runs]),
         "p50": med([pct(r["lat_ms"], 50) for r in runs]), "p99": med([pct(r["lat_ms"], 99) for r in runs]),
         "max": med([r["lat_ms"][-1] if r["lat_ms"] else None for r in runs]),
         "errors": sum(r["errors"] for r in runs), "stopped": "; ".join(sorted({r["stopped"] for r in runs} - {""})),
         "load": med([r["load"] for r in runs])}
    s["per_mb_kb"] = (s["rss_mb"] - baseline_kb) / (n - 1) if n > 1 and s["rss_mb"] and baseline_kb else None
    if s["per_mb_kb"] is not None and s["per_mb_kb"] < 0:
        s["per_mb_kb"] = None  # below the baseline's noise (a GC heap at small N)
    for k in ("rss_mb", "peak_mb"):
        s[k] = s[k] / 1024 if s[k] else None
    return s


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def table(summaries, runs):
    lines = ["| contender | N | connected | connect all (s) | RSS idle (MB) | RSS peak (MB) | RSS/mailbox (KB) "
             "| CPU s / 1k mails | sim CPU s / 1k | p50 ms | p99 ms | max ms | received | errors | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in summaries:
        lines.append(f"| {s['contender']} | {s['N']} | {fmt(s['connected'], '.0f')} | {fmt(s['connect_s'], '.1f')} "
                     f"| {fmt(s['rss_mb'], '.1f')} | {fmt(s['peak_mb'], '.1f')} | {fmt(s['per_mb_kb'], '.1f')} "
                     f"| {fmt(s['cpu_per_1k'], '.2f')} | {fmt(s['sim_cpu_per_1k'], '.2f')} | {fmt(s['p50'], '.1f')} "
                     f"| {fmt(s['p99'], '.1f')} | {fmt(s['max'], '.1f')} | {fmt(s['received'], '.0f')}/{s['M']} "
                     f"| {s['errors']} | {fmt(s['load'], '.1f')} |")
    notes = [f"- {s['contender']} N={s['N']}: {s['stopped']}" for s in summaries if s["stopped"]]
    ratios = []
    for s in summaries:
        if s["contender"] not in EWSTRIGD_KINDS:
            continue
        for p in summaries:
            if p["N"] == s["N"] and p["contender"] not in EWSTRIGD_KINDS:
                def r(key):
                    return fmt(p[key] / s[key], ".1f") + "×" if p[key] and s[key] else "—"
                ratios.append(f"| {p['contender']} / {s['contender']} | {s['N']} | {r('per_mb_kb')} "
                              f"| {r('cpu_per_1k')} | {r('p50')} | {r('p99')} | {r('connect_s')} |")
    out = "\n".join(lines)
    if notes:
        out += "\n\nWhere a contender fell short:\n" + "\n".join(notes)
    if ratios:
        out += ("\n\n| peer / ewstrigd (higher = ewstrigd better) | N | RSS per mailbox | CPU per mail | p50 | p99 "
                "| connect all |\n|---|---|---|---|---|---|---|\n" + "\n".join(ratios))
    return out + f"\n\nMedians of {runs} run(s); load = 1-minute load average at each run's start (median).\n"


def notify_table(results, runs):
    """Medians per (contender, N, workload) of the --notifications runs, plus ratios peer / ewstrigd."""
    groups = {}
    for r in results:
        groups.setdefault((r["contender"], r["N"], r["workload"]), []).append(r)
    rows, per = [], {}
    for (kind, n, workload), rs in groups.items():
        cpu_us = med([r["cpu_s"] / r["M"] * 1e6 if r["cpu_s"] is not None else None for r in rs])
        per[(kind, n, workload)] = cpu_us
        daemon = kind in EWSTRIGD_KINDS
        want = rs[0]["posts"] if daemon else rs[0]["M"]
        rows.append(f"| {kind} | {n} | {workload} | {rs[0]['M']} | {rs[0]['per_post']} "
                    f"| {fmt(med([r.get('send_s') for r in rs]), '.1f')} "
                    f"| {fmt(med([r['received'] for r in rs]), '.0f')}/{want}{' rings' if daemon else ''} "
                    f"| {fmt(med([r.get('syncs') for r in rs]), '.0f') if daemon else '—'} "
                    f"| {fmt(med([r.get('idle_ms_per_s') for r in rs]), '.1f')} "
                    f"| {fmt(med([r['cpu_s'] for r in rs]), '.2f')} | **{fmt(cpu_us, '.1f')}** "
                    f"| {fmt(med([r['sim_cpu_s'] / r['M'] * 1e6 if r['sim_cpu_s'] is not None else None for r in rs]), '.1f')} "
                    f"| {sum(r['errors'] for r in rs)} | {fmt(med([r['load'] for r in rs]), '.1f')} |")
    out = ("| contender | N | workload | notifications | per POST | sending (s) | seen | syncs | idle CPU ms/s "
           "| CPU s | CPU µs / notification | sim CPU µs / notification | errors | load |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    ratios = [f"| {p} / {d} | {n} | {w} | {fmt(per[(p, n, w)] / per[(d, n, w)], '.1f')}× |"
              for (d, n, w) in per if d in EWSTRIGD_KINDS
              for (p, pn, pw) in per if p not in EWSTRIGD_KINDS and (pn, pw) == (n, w)
              if per[(p, n, w)] and per[(d, n, w)]]
    if ratios:
        out += ("\n\n| peer / ewstrigd (higher = ewstrigd better) | N | workload | CPU per notification |\n"
                "|---|---|---|---|\n" + "\n".join(ratios))
    notes = sorted({f"- {r['contender']} N={r['N']}: {r['stopped']}" for r in results if r["stopped"]})
    if notes:
        out += "\n\nWhere a contender fell short:\n" + "\n".join(notes)
    return out + f"\n\nMedians of {runs} run(s); load = 1-minute load average at each run's start (median).\n"


def run_notifications(contenders, sizes, args, workdir, failures):
    """The --notifications runs, contenders interleaved per run (the machine's load drifts)."""
    results = []
    for n in sizes:
        for r in range(args.runs):
            for kind in contenders:
                for res in run_notify_once(kind, n, args.notifications, args, f"{kind}-notify-n{n}-r{r}", workdir):
                    seen = (f"{res['received']} rings, {res.get('syncs')} syncs for {res['M']} notifications"
                            if kind in EWSTRIGD_KINDS else f"counted {res['received']} of {res['M']} notifications")
                    print(f"# {kind} N={n} run {r + 1} {res['workload']}: connected {res['connected']}, {seen}, "
                          f"cpu {fmt(res['cpu_s'], '.3f')} s, sim cpu {fmt(res['sim_cpu_s'], '.3f')} s, "
                          f"idle {fmt(res.get('idle_ms_per_s'), '.1f')} ms/s, errors {res['errors']}, "
                          f"load {res['load']:.1f} {res['stopped']}", flush=True)
                    if res["stopped"] or res["cpu_s"] is None:
                        failures.append(f"{kind} N={n} run {r + 1} notifications: {res['stopped'] or 'incomplete'}")
                    results.append(res)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", required=True)
    ap.add_argument("--mailboxes", default="1,100,1000")
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--rate", type=float, default=50.0, help="deliveries per second")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--contenders", default="exchangelib,ews-js,ewstrigd,ewstrigd-log")
    ap.add_argument("--ewstrigd", default="")
    ap.add_argument("--ewstrigd-mailboxes-per-stream", type=int, default=1,
                    help="connect-all waits for ceil(N / this) open streams of ewstrigd (1: one stream per mailbox)")
    ap.add_argument("--nofile", type=int, default=0,
                    help="raise RLIMIT_NOFILE to this for the simulator and every contender alike (LimitNOFILE=)")
    ap.add_argument("--connect-timeout", type=float, default=600.0)
    ap.add_argument("--drain-timeout", type=float, default=60.0, help="after the last delivery")
    ap.add_argument("--notifications", type=int, default=0,
                    help="K notifications per mailbox without mail (CPU per notification); 0 = none")
    ap.add_argument("--notify-rate", type=float, default=500.0, help="notifications per second")
    ap.add_argument("--notify-workloads", default="spread,burst")
    ap.add_argument("--notify-contenders", default="",
                    help="contenders of the --notifications runs (default: --contenders; the ewstrigd `run` and `log` "
                         "contenders differ only in the action, which notifications never fire)")
    ap.add_argument("--burst", type=int, default=0,
                    help="notifications per POST in the burst workload (default K); the bursts go round-robin")
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()

    if args.nofile:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        try:  # children inherit it; raising the hard limit needs CAP_SYS_RESOURCE (absent in most containers)
            resource.setrlimit(resource.RLIMIT_NOFILE, (args.nofile, max(hard, args.nofile)))
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(args.nofile, hard), hard))
        print(f"# RLIMIT_NOFILE for the sim and contenders: {resource.getrlimit(resource.RLIMIT_NOFILE)}", flush=True)
    contenders = [c for c in args.contenders.split(",") if c]
    if any(c in EWSTRIGD_KINDS for c in contenders):
        ok, why = ewstrigd_runnable(args.ewstrigd)
        if not ok:
            print(f"ewstrigd: not measured: {why}", flush=True)
            contenders = [c for c in contenders if c not in EWSTRIGD_KINDS]
    sizes = [int(x) for x in args.mailboxes.split(",")]
    workdir = tempfile.mkdtemp(prefix="scale-bench-")
    summaries, failures = [], []
    if args.notifications < 0 or not 0 <= (args.burst or args.notifications) <= 50:
        ap.error("--burst (default --notifications): at most 50, one notification frame's worth of events")
    try:
        for kind in contenders if args.messages else []:
            baseline = run_once(kind, 1, 0, args, f"{kind}-baseline", workdir)["rss_idle_kb"] \
                if any(n > 1 for n in sizes) else None
            for n in sizes:
                runs = []
                for r in range(args.runs):
                    res = run_once(kind, n, args.messages, args, f"{kind}-n{n}-r{r}", workdir)
                    print(f"# {kind} N={n} run {r + 1}: connected {res['connected']} in "
                          f"{fmt(res['connect_s'], '.1f')} s, received {res['received']}/{res['M']}, "
                          f"cpu {fmt(res['cpu_s'], '.2f')} s, errors {res['errors']}, load {res['load']:.1f} "
                          f"{res['stopped']}", flush=True)
                    if res["received"] < args.messages:
                        failures.append(f"{kind} N={n} run {r + 1}: {res['stopped'] or 'incomplete'}")
                    runs.append(res)
                summaries.append(summarize(runs, baseline))
        if summaries:
            print(table(summaries, args.runs), flush=True)
        if args.notifications:
            notify_contenders = [c for c in (args.notify_contenders or args.contenders).split(",") if c in contenders]
            print(notify_table(run_notifications(notify_contenders, sizes, args, workdir, failures), args.runs),
                  flush=True)
    finally:
        if args.keep_logs or failures:
            print(f"logs kept in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.smoke and failures:
        print("FAIL: " + "; ".join(failures), flush=True)
        return 1
    if args.smoke:
        print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
