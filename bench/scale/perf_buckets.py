#!/usr/bin/python3
"""Where ewstrigd's CPU per mail goes: sums a `perf script -F period,ip,sym` dump into named buckets.

Usage: perf script -i perf.data -F time,period,ip,sym > stacks.txt; perf_buckets.py stacks.txt [--skip S]

--skip S leaves out the first S seconds of the recording (the start-up: connecting N mailboxes), so that
what is left is the delivery window.

perf.data from `perf record --call-graph dwarf -F 1500 -- ewstrigd run ...` (see bench/README.md, "Where the
CPU per mail goes"). Each sample goes to the FIRST bucket below that has a frame starting with one of its
prefixes anywhere on the stack, so the order decides ties: the durable commit's fsync before the commit's
other SQLite work, SQLite before the coroutine that called it, and so on. Prints a Markdown table.
"""
import argparse
import collections

STORE = "ewstrigd::state::(anonymous namespace)::sqlite_store::"
BUCKETS = [
    ("start-up (before the event loop)", ["_dl_start", "ewstrigd::config::", "ewstrigd::cli::load"]),
    ("SQLite fdatasync (WAL commits, kernel)", ["fdatasync", "__GI_fdatasync"]),
    ("SQLite enqueue commit w/o fsync (SQL, WAL pwrite, locks)", [STORE + "commit_sync"]),
    ("SQLite mark done w/o fsync (action_done)", [STORE + "action_done"]),
    ("outbox runner polling (pick_pending, due_actions, next_due, row copies)",
     [STORE + "pick_pending", STORE + "due_actions", STORE + "next_due", STORE + "read_rows"]),
    ("SQLite reads (sync_state, seen_among)", [STORE + "seen_among", STORE + "sync_state"]),
    ("asio timer re-arm (timerfd_settime)", ["timerfd_settime"]),
    ("event id (SHA-256)", ["ewstrigd::watch::event_id_of"]),
    ("match + payload JSON", ["ewstrigd::match::", "ewstrigd::actions::encode_payload", "ewstrigd::watch::plan_item"]),
    ("XML parse of responses", ["ewstrigd::ews::document::", "ewstrigd::ews::response::", "ewstrigd::ews::parse",
                                "ewstrigd::ews::envelope_splitter", "ewstrigd::source::read_doorbell", "rapidxml::"]),
    ("request building (XML writer)", ["ewstrigd::ews::writer", "ewstrigd::ews::xml_escape"]),
    ("action start + log action (payload decode, spdlog)", ["ewstrigd::actions::", "spdlog::"]),
    ("curl + socket I/O (send, recv, poll)", ["curl_", "Curl_", "ewstrigd::http::"]),
    ("event loop (epoll_wait, scheduler)", ["epoll_wait", "boost::asio::detail::epoll_reactor",
                                            "boost::asio::detail::scheduler"]),
]


def samples(lines):
    """(time, period, [frame symbol, innermost first]) per sample of a `perf script -F time,period,ip,sym` dump."""
    when, period, stack = 0.0, 0, []
    for line in lines:
        if not line.strip():
            if stack:
                yield when, period, stack
            when, period, stack = 0.0, 0, []
        elif not line.startswith("\t"):
            head = line.split()
            when, period = float(head[0].rstrip(":")), int(head[1])
        else:
            parts = line.strip().split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else parts[0])
    if stack:
        yield when, period, stack


def bucket_of(stack):
    for name, prefixes in BUCKETS:
        if any(frame.startswith(p) for frame in stack for p in prefixes):
            return name
    return "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stacks", help="output of perf script -F time,period,ip,sym")
    ap.add_argument("--skip", type=float, default=0.0, help="seconds at the start of the recording to leave out")
    args = ap.parse_args()
    totals, total, start = collections.Counter(), 0, None
    with open(args.stacks, errors="replace") as f:
        for when, period, stack in samples(f):
            start = when if start is None else start
            if when - start < args.skip:
                continue
            totals[bucket_of(stack)] += period
            total += period
    if not total:
        raise SystemExit(f"{args.stacks}: no samples with call chains (record with --call-graph dwarf)")
    print(f"{total / 1e9:.2f} s of CPU sampled\n\n| where | share |\n|---|---|")
    for name, period in totals.most_common():
        print(f"| {name} | {100 * period / total:.1f} % |")


if __name__ == "__main__":
    main()
