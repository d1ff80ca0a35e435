#!/usr/bin/python3
"""Parse rate of GetStreamingEvents bodies: ewstrigd beside exchangelib.

Builds one streaming body from real samples (tests/data/ews, see SOURCES.md
there): N notification envelopes, then the final Closed envelope. ewstrigd's
`ews_parse_bench` and exchangelib's own GetStreamingEvents pipeline
(DocumentYielder -> SOAP parts -> response messages -> Notification.from_xml)
parse the same bytes, in turns. exchangelib's DocumentYielder takes the body
one byte per item (it compares items with b"<"; requests' iter_content()
default chunk_size of 1 is what feeds it), so it gets 1-byte items, as in real
use; ewstrigd is measured both with network-sized chunks (--chunk) and with
1-byte feeds. Prints the median of several runs and the ratios. Runs on Debian's /usr/bin/python3 with
python3-exchangelib.

    bench/ews_parse_compare.py BUILD/bench/ews_parse_bench [--envelopes N] [--runs R] [--chunk B]
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from exchangelib.services.get_streaming_events import GetStreamingEvents

DATA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "ews"


def make_body(envelopes):
    notification = (DATA / "getstreamingevents-created-newmail-modified.xml").read_bytes()
    closed = (DATA / "getstreamingevents-closed-no-notifications.xml").read_bytes()
    return notification * envelopes + closed


class _Stream:
    """What exchangelib reads a streaming response through: iter_content(),
    one byte per item."""

    def __init__(self, body):
        self._body = body

    def iter_content(self):
        for at in range(len(self._body)):
            yield self._body[at:at + 1]

    def close(self):
        pass


def exchangelib_parse(body):
    # The service object is only a parser here; no account or network is used.
    service = GetStreamingEvents.__new__(GetStreamingEvents)
    service.connection_status = None
    service.streaming = True
    notifications = events = 0
    start = time.process_time()
    messages = service._get_soap_messages(body=_Stream(body))
    for obj in service._elems_to_objs(service._get_elements_in_response(response=messages)):
        if isinstance(obj, Exception):
            raise obj
        notifications += 1
        events += len(obj.events)
    return time.process_time() - start, notifications, events


def ewstrigd_parse(binary, path, chunk):
    out = subprocess.run([binary, path, str(chunk), "1"], check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    return result["cpu_s"], result["notifications"], result["events"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_binary")
    parser.add_argument("--envelopes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=4096)
    args = parser.parse_args()

    body = make_body(args.envelopes)
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(body)
        f.flush()
        ours, ours_bytewise, theirs = [], [], []
        for _ in range(args.runs):
            ours.append(ewstrigd_parse(args.bench_binary, f.name, args.chunk))
            ours_bytewise.append(ewstrigd_parse(args.bench_binary, f.name, 1))
            theirs.append(exchangelib_parse(body))

    rows = ((f"ewstrigd, {args.chunk}-byte chunks", ours), ("ewstrigd, 1-byte feeds", ours_bytewise),
            ("exchangelib (1-byte items)", theirs))
    for name, runs in rows:
        counts = {(n, e) for _, n, e in runs}
        if counts != {(args.envelopes, 3 * args.envelopes)}:
            sys.exit(f"{name} saw {counts} (notifications, events); expected {args.envelopes}, {3 * args.envelopes}")

    mb = len(body) / 1e6
    medians = [(name, statistics.median(cpu for cpu, _, _ in runs)) for name, runs in rows]
    print(f"body: {len(body)} bytes, {args.envelopes} notifications ({3 * args.envelopes} events); "
          f"median CPU of {args.runs} runs")
    print(f"{'parser':<30} {'CPU s':>8} {'MB/s':>8} {'notifications/s':>16}")
    for name, cpu in medians:
        print(f"{name:<30} {cpu:8.3f} {mb / cpu:8.2f} {args.envelopes / cpu:16.0f}")
    theirs_cpu = medians[2][1]
    print(f"ratio: ewstrigd is {theirs_cpu / medians[0][1]:.0f}x faster than exchangelib with {args.chunk}-byte "
          f"chunks, {theirs_cpu / medians[1][1]:.0f}x with 1-byte feeds")


if __name__ == "__main__":
    main()
