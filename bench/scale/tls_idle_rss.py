#!/usr/bin/python3
"""Idle RSS of ewstrigd with N mailboxes that each keep their own stream, over HTTPS.

Usage: tls_idle_rss.py --sim EWS_SIM --ewstrigd EWSTRIGD --mailboxes N [--settle S]

Starts ews-sim with a throwaway self-signed certificate for 127.0.0.1 (`--tls-cert/--tls-key`), N Basic
mailboxes in ewstrigd's config (the certificate as each mailbox's `tls.ca_file`, streaming, new-only), waits
until the simulator holds N open streams, waits S more seconds (default 15) and prints ewstrigd's RSS. Run it
at two sizes: the difference divided by the difference in N is the cost of one more mailbox and its TLS
stream (bench/README.md, "Streams outside libcurl"). Talks to 127.0.0.1 only.
"""
import argparse
import json
import os
import resource
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True
import scale_bench as sb  # noqa: E402  (mailbox names, password, rss_kb, line reader)


def self_signed(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def write_config(directory, base, cert, boxes):
    path, state = os.path.join(directory, "ewstrigd.yaml"), os.path.join(directory, "state")
    os.makedirs(state)
    with open(path, "w") as f:
        f.write(f"state_dir: {state}\nlog: {{ level: warn, format: json }}\nmailboxes:\n")
        for i, b in enumerate(boxes):
            f.write(f"  - {{ id: m{i}, address: {b}, ews_url: {base}/EWS/Exchange.asmx, tls: {{ ca_file: {cert} }},"
                    f" watch: {{ mode: streaming, on_start: new-only }},"
                    f" auth: {{ kind: basic, username: {b}, password: {sb.SVC_PASSWORD} }} }}\n")
        f.write("triggers:\n")
        for i in range(len(boxes)):
            f.write(f"  - name: t{i}\n    mailbox: m{i}\n    when: {{ subject: {{ contains: bench }} }}\n"
                    "    actions:\n      - log: { message: 'bench-event {{subject}}', level: warn }\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", required=True)
    ap.add_argument("--ewstrigd", required=True)
    ap.add_argument("--mailboxes", type=int, required=True)
    ap.add_argument("--settle", type=float, default=15.0)
    ap.add_argument("--connect-timeout", type=float, default=120.0)
    args = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    work = tempfile.mkdtemp(prefix="ewstrigd-tls-rss-")
    cert, key = self_signed(work)
    boxes = [sb.mailbox(i) for i in range(args.mailboxes)]
    cmd = [args.sim, "--listen", "127.0.0.1:0", "--mailboxes", str(args.mailboxes), "--tls-cert", cert,
           "--tls-key", key]
    for b in boxes:
        cmd += ["--user", f"{b}:{sb.SVC_PASSWORD}"]
    sim = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    daemon = None
    try:
        line = sb.read_line_with_timeout(sim.stdout, 20) or ""
        if "listening on https://" not in line:
            sys.exit(f"ews-sim did not start over TLS (first line {line!r})")
        base = line.strip().split("listening on ")[1]
        trust = ssl.create_default_context(cafile=cert)
        config = write_config(work, base, cert, boxes)
        started = time.monotonic()
        daemon = subprocess.Popen([args.ewstrigd, "run", "-c", config],
                                  stderr=open(os.path.join(work, "ewstrigd.log"), "w"))
        streams = 0
        while streams < args.mailboxes and time.monotonic() - started < args.connect_timeout:
            time.sleep(0.5)
            with urllib.request.urlopen(base + "/admin/stats", context=trust, timeout=30) as r:
                streams = json.loads(r.read())["open_streaming_connections"]
        connected = time.monotonic() - started
        time.sleep(args.settle)
        rss = sb.rss_kb(daemon.pid)
        print(f"N={args.mailboxes} streams={streams} connected in {connected:.1f} s, "
              f"RSS {rss / 1024:.1f} MB after {args.settle:.0f} s idle")
    finally:
        if daemon:
            daemon.terminate()
            daemon.wait()
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
