#!/usr/bin/python3
"""What a user writes with exchangelib (Debian python3-exchangelib 4.9): watch many mailboxes, log each new mail.

usage: /usr/bin/python3 peer_exchangelib.py URL USER PASSWORD (MAILBOX... | @FILE) [--group 200] [--count-only]

One service account (Basic) impersonates every mailbox. Shape: all Accounts and streaming subscriptions are
created sequentially in the main thread (3 EWS requests per mailbox: GetFolder root, GetFolder inbox, Subscribe),
then one thread per group of up to --group subscription ids (Exchange's limit per GetStreamingEvents is 200)
re-issues GetStreamingEvents forever. This is exchangelib's cheapest shape per mailbox (thread-per-mailbox costs
~128 KB each, see shared/reference/exchangelib.md). For each NewMailEvent the group thread fetches the item the
idiomatic way (`account.inbox.get(id=, changekey=)`, all properties) and prints `<epoch_ns> <mailbox> <subject>`.
After all groups are started it prints `ready <groups>`; errors are printed as `error <text>` and counted.
--count-only (scale_bench.py --notifications): no GetItem, only count the NewMailEvents and print
`notified <total>` every 100 ms when it changed (the library's cost per notification).
"""
import sys
import threading
import time

from exchangelib import IMPERSONATION, Account, Configuration, Credentials, Version
from exchangelib.properties import NewMailEvent
from exchangelib.version import EXCHANGE_2016

out_lock = threading.Lock()


def emit(line):
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Counter:
    """NewMailEvents seen by all group threads (--count-only)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.total = 0

    def add(self):
        with self.lock:
            self.total += 1

    def report_forever(self):
        reported = 0
        while True:
            time.sleep(0.1)
            if self.total != reported:
                reported = self.total
                emit(f"notified {reported}")


def stream_group(first, sids, by_sid, counter):
    while True:  # re-issue after ConnectionStatus Closed or a broken connection
        try:
            for notification in first.inbox.get_streaming_events(sids, connection_timeout=30):
                acc = by_sid[notification.subscription_id]
                for ev in notification.events:
                    if isinstance(ev, NewMailEvent) and counter:
                        counter.add()
                    elif isinstance(ev, NewMailEvent):
                        item = acc.inbox.get(id=ev.item_id.id, changekey=ev.item_id.changekey)
                        emit(f"{time.time_ns()} {acc.primary_smtp_address} {item.subject}")
        except Exception as e:  # noqa: BLE001 - a user script logs and retries
            emit(f"error {type(e).__name__}: {e}".replace("\n", " "))
            time.sleep(1)


def main(argv):
    group = 200
    if "--group" in argv:
        i = argv.index("--group")
        group = int(argv[i + 1])
        del argv[i:i + 2]
    counter = Counter() if "--count-only" in argv else None
    if counter:
        argv.remove("--count-only")
    if len(argv) < 5:
        sys.exit(__doc__)
    url, user, password, boxes = argv[1], argv[2], argv[3], argv[4:]
    if len(boxes) == 1 and boxes[0].startswith("@"):
        with open(boxes[0][1:]) as f:
            boxes = [line.strip() for line in f if line.strip()]
    n_groups = (len(boxes) + group - 1) // group
    # G1 in exchangelib.md: GetItem inside the streaming loop needs a second pooled session per stream.
    config = Configuration(service_endpoint=url, credentials=Credentials(user, password), auth_type="basic",
                           version=Version(build=EXCHANGE_2016), max_connections=2 * n_groups + 4)
    accounts, sids = [], []
    for box in boxes:
        try:
            acc = Account(box, config=config, autodiscover=False, access_type=IMPERSONATION)
            sids.append(acc.inbox.subscribe_to_streaming(event_types=["NewMailEvent"]))
            accounts.append(acc)
        except Exception as e:  # noqa: BLE001
            emit(f"error subscribe {box}: {type(e).__name__}: {e}".replace("\n", " "))
    by_sid = dict(zip(sids, accounts))
    for g in range(0, len(sids), group):
        threading.Thread(target=stream_group, args=(accounts[g], sids[g:g + group], by_sid, counter),
                         daemon=True).start()
    emit(f"ready {(len(sids) + group - 1) // group}")
    if counter:
        threading.Thread(target=counter.report_forever, daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv)
