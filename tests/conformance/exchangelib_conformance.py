#!/usr/bin/python3
"""exchangelib (Debian python3-exchangelib) against ews-sim, as a user would drive it.

usage: /usr/bin/python3 exchangelib_conformance.py PATH/TO/ews-sim

Starts ews-sim on 127.0.0.1:0, then: subscribe to streaming notifications on the
inbox, deliver a message with a PDF through the admin API, receive its NewMailEvent,
find it with SyncFolderItems, GetItem its subject and attachment name, mark it read
(visible through the admin API), survive an admin drop-streams fault by reconnecting,
and receive the next message's notification. Every wait is bounded; exit 0 = pass.
"""
import base64
import queue
import threading
import time

from exchangelib import DELEGATE, Account, Configuration, Credentials, Version
from exchangelib.properties import NewMailEvent
from exchangelib.version import EXCHANGE_2016

from ews_sim_harness import PASSWORD, USER, WAIT, Admin, fail, run_against_sim


def deliver(admin, subject):
    pdf = base64.b64encode(b"%PDF-1.4\n% ews-sim conformance\n").decode()
    status, body = admin.call("POST", f"/admin/mailboxes/{USER}/folders/inbox/messages", {
        "from": "billing@supplier.example", "to": [USER], "subject": subject, "body": "see attached",
        "attachments": [{"name": "invoice.pdf", "content_type": "application/pdf", "content_base64": pdf}]})
    if status != 201:
        fail(f"delivery answered {status}")
    return body["item_id"]


def stream_forever(account, sid, events, errors):
    """The loop a user writes: re-issue GetStreamingEvents after Closed or a broken connection."""
    while True:
        try:
            for notification in account.inbox.get_streaming_events(sid, connection_timeout=1):
                for ev in notification.events:
                    if isinstance(ev, NewMailEvent):
                        events.put(ev)
        except Exception as e:  # a dropped connection surfaces as a requests/urllib3 error
            errors.put(e)
            time.sleep(0.1)


def next_event(events, what):
    try:
        return events.get(timeout=WAIT)
    except queue.Empty:
        fail(f"no NewMailEvent for {what}")


def main():
    # A short keep-alive and a 2 s "minute" make the stream exercise keep-alives
    # and the Closed frame (and exchangelib's re-issue after it) within the test.
    run_against_sim(["--keepalive-ms", "500", "--minute-ms", "2000"], run)


def run(base):
    admin = Admin(base)
    config = Configuration(service_endpoint=base + "/EWS/Exchange.asmx",
                           credentials=Credentials(USER, PASSWORD), auth_type="basic",
                           version=Version(build=EXCHANGE_2016),
                           max_connections=4)  # a stream holds its session (exchangelib.md G1)
    account = Account(USER, config=config, autodiscover=False, access_type=DELEGATE)

    sid = account.inbox.subscribe_to_streaming(event_types=["NewMailEvent"])
    events, errors = queue.Queue(), queue.Queue()
    threading.Thread(target=stream_forever, args=(account, sid, events, errors), daemon=True).start()
    admin.wait_for("the stream to open", lambda s: s["open_streaming_connections"] >= 1)

    item_id = deliver(admin, "Invoice 1001")
    ev = next_event(events, "the first message")
    if ev.item_id.id != item_id:
        fail(f"NewMailEvent names {ev.item_id.id}, admin said {item_id}")

    synced = [item for change, item in account.inbox.sync_items() if change == "create"]
    if [i.id for i in synced] != [item_id]:
        fail(f"SyncFolderItems returned {[i.id for i in synced]}")

    item = account.inbox.get(id=ev.item_id.id, changekey=ev.item_id.changekey)
    if item.subject != "Invoice 1001":
        fail(f"GetItem subject {item.subject!r}")
    if [a.name for a in item.attachments] != ["invoice.pdf"]:
        fail(f"GetItem attachments {[a.name for a in item.attachments]}")
    if item.is_read:
        fail("a new message is already read")

    item.is_read = True
    item.save(update_fields=["is_read"])
    _, listed = admin.call("GET", f"/admin/mailboxes/{USER}/folders/inbox/messages")
    if [(m["item_id"], m["is_read"]) for m in listed] != [(item_id, True)]:
        fail(f"admin listing after mark-read: {listed}")

    opened = admin.wait_for("the stream", lambda s: s["open_streaming_connections"] >= 1)["streams_opened"]
    status, _ = admin.call("POST", "/admin/faults", {"kind": "drop-streams", "mailbox": USER})
    if status != 201:
        fail(f"drop-streams answered {status}")
    try:
        errors.get(timeout=WAIT)
    except queue.Empty:
        fail("the dropped stream did not surface as an error in the client")
    admin.wait_for("the client to reconnect",
                   lambda s: s["streams_opened"] > opened and s["open_streaming_connections"] >= 1)
    second = deliver(admin, "Invoice 1002")
    ev2 = next_event(events, "the message after the dropped stream")
    if ev2.item_id.id != second:
        fail(f"after reconnect NewMailEvent names {ev2.item_id.id}, admin said {second}")


if __name__ == "__main__":
    main()
