#!/usr/bin/python3
"""CPU per notification, "received and dispatched" apart from the sync each ring starts.

Usage: perf script -i perf.data -F time,period,ip,sym > stacks.txt
       perf_notification_split.py stacks.txt --skip S --notifications N

perf.data from `perf record --call-graph dwarf,16384 -F 2000 -- ewstrigd run ...` (a wrapper script given to
scale_bench.py as `--ewstrigd`) during a `--notifications` workload; --skip S leaves out the start-up. Each
sample goes to the first class whose test matches its stack:

1. received and dispatched: under stream_client's read handler (socket read, chunk decoding, frame split,
   XML parse of the frame, the ring callback) but not under the watcher's wake;
2. the ring's sync, started inline: under the read handler and the watcher's wake (sync state read, the
   SyncFolderItems request built, credentials);
3. event loop alone: the reactor or scheduler with no daemon module on the stack;
4. the sync, rest: everything else (the round trip's I/O, the answer parsed, the store).

Prints a Markdown table: seconds, µs per notification, share.
"""
import argparse
import collections

from perf_buckets import samples

READ_HANDLER = ["ewstrigd::http::stream_client::stream::"]
WAKE = ["ewstrigd::watch::mailbox_watcher::wake"]
LOOP = ["epoll_wait", "boost::asio::detail::epoll_reactor::run", "boost::asio::detail::scheduler::do_run_one"]
DAEMON_WORK = ["ewstrigd::source", "ewstrigd::watch", "ewstrigd::state", "ewstrigd::http", "ewstrigd::ews",
               "ewstrigd::auth", "ewstrigd::actions", "curl_", "Curl_"]
CLASSES = ["received and dispatched (socket read, frame split and parse, ring)",
           "the ring's sync, started inline (watcher wake)",
           "event loop alone (epoll_wait, scheduler)",
           "the sync, rest (round trip, answer parsed, store)"]


def has(stack, prefixes):
    return any(frame.startswith(p) for frame in stack for p in prefixes)


def class_of(stack):
    if has(stack, READ_HANDLER):
        return CLASSES[1] if has(stack, WAKE) else CLASSES[0]
    if has(stack, LOOP) and not has(stack, DAEMON_WORK):
        return CLASSES[2]
    return CLASSES[3]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stacks")
    ap.add_argument("--skip", type=float, default=0.0, help="seconds of start-up to leave out")
    ap.add_argument("--notifications", type=int, required=True, help="notifications sent in the window")
    args = ap.parse_args()
    totals = collections.Counter()
    start = None
    with open(args.stacks) as f:
        for when, period, stack in samples(f):
            start = when if start is None else start
            if when - start >= args.skip:
                totals[class_of(stack)] += period
    whole = sum(totals.values()) or 1
    print("| where | CPU s | µs / notification | share |\n|---|---|---|---|")
    for name in CLASSES + ["all"]:
        ns = whole if name == "all" else totals[name]
        print(f"| {name} | {ns / 1e9:.3f} | {ns / 1e3 / args.notifications:.1f} | {100 * ns / whole:.1f} % |")


if __name__ == "__main__":
    main()
