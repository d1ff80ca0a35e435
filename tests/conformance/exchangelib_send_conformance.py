#!/usr/bin/python3
"""exchangelib sending mail through ews-sim (issue 7), as a user script would.

usage: /usr/bin/python3 exchangelib_send_conformance.py PATH/TO/ews-sim

user0 sends a message with an attachment and an X- header (an InternetHeaders extended
property) with send_and_save(); user1 (impersonated) finds it in its Inbox with header and
attachment; user0 finds the Sent Items copy by that header (FindItem restriction, as the
daemon does after a crash); user1 replies, user0 forwards the reply with reply_all/forward;
a CreateItem-only server-busy fault fails one send and the retry goes out once.
Every wait is bounded; exit 0 = pass.
"""
import time

from exchangelib import DELEGATE, IMPERSONATION, Account, Configuration, Credentials, ExtendedProperty, \
    FileAttachment, Mailbox, Message, Version
from exchangelib.errors import ErrorServerBusy
from exchangelib.version import EXCHANGE_2016

from ews_sim_harness import PASSWORD, USER, WAIT, Admin, fail, run_against_sim

USER1 = "user1@example.com"
OUTSIDE = "partner@elsewhere.test"


class EventHeader(ExtendedProperty):
    """What the daemon marks outgoing mail with."""
    distinguished_property_set_id = "InternetHeaders"
    property_name = "X-Ewstrigd-Event"
    property_type = "String"


def expect(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def arrived(folder, subject):
    """The one message `subject` in `folder`, waiting (bounded) for delivery."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = list(folder.filter(subject=subject))
        if found:
            expect(f"copies of {subject!r} in {folder.name}", len(found), 1)
            return found[0]
        time.sleep(0.05)
    fail(f"{subject!r} did not arrive in {folder.name}")


def run(base):
    admin = Admin(base)
    config = Configuration(service_endpoint=base + "/EWS/Exchange.asmx",
                           credentials=Credentials(USER, PASSWORD), auth_type="basic",
                           version=Version(build=EXCHANGE_2016))
    me = Account(USER, config=config, autodiscover=False, access_type=DELEGATE)
    other = Account(USER1, config=config, autodiscover=False, access_type=IMPERSONATION)
    Message.register("event_header", EventHeader)
    try:
        check_send(me, other, admin)
        check_reply_and_forward(me, other)
        check_retry_after_server_busy(me, other, admin)
    finally:
        Message.deregister("event_header")


def check_send(me, other, admin):
    m = Message(account=me, folder=me.sent, subject="Order 7 received", body="We have your order.",
                to_recipients=[Mailbox(email_address=USER1)], cc_recipients=[OUTSIDE])
    m.event_header = "ev-0001"
    m.attach(FileAttachment(name="receipt.txt", content=b"receipt 7\n"))
    m.send_and_save()

    got = arrived(other.inbox, "Order 7 received")
    expect("From", got.author.email_address, USER)
    expect("X-Ewstrigd-Event", got.event_header, "ev-0001")
    expect("attachments", [(a.name, a.content) for a in got.attachments], [("receipt.txt", b"receipt 7\n")])
    expect("body", got.body, "We have your order.")

    # The daemon's "did I already send this event?" query after a crash.
    expect("Sent Items hits for ev-0001", [i.subject for i in me.sent.filter(event_header="ev-0001")],
           ["Order 7 received"])
    expect("Sent Items hits for ev-none", list(me.sent.filter(event_header="ev-none")), [])

    _, sent = admin.call("GET", f"/admin/mailboxes/{USER}/sent")
    expect("admin sent log recipients", [(s["delivered_to"], s["external"]) for s in sent],
           [([USER1], [OUTSIDE])])


def check_reply_and_forward(me, other):
    original = arrived(other.inbox, "Order 7 received")
    original.reply(subject="Re: Order 7 received", body="Thanks!")
    reply = arrived(me.inbox, "Re: Order 7 received")
    expect("reply From", reply.author.email_address, USER1)
    if not reply.body.startswith("Thanks!") or "We have your order." not in reply.body:
        fail(f"reply body does not quote the original: {reply.body!r}")
    if reply.in_reply_to != original.message_id:
        fail(f"reply In-Reply-To {reply.in_reply_to!r}, original Message-ID {original.message_id!r}")

    # exchangelib names every recipient itself (the original To, here user0, plus its author), and
    # named recipients always go, so user0 gets its own reply-all too, as on Exchange.
    reply.reply_all(subject="Re: Order 7 received (all)", body="Noted.")
    reply_all = arrived(other.inbox, "Re: Order 7 received (all)")
    expect("reply-all recipients", sorted(r.email_address for r in reply_all.to_recipients), [USER, USER1])

    original.forward(subject="FW: Order 7 received", body="For accounting.",
                     to_recipients=[Mailbox(email_address="accounting@example.com")])
    accounting = Account("accounting@example.com", config=other.protocol.config, autodiscover=False,
                         access_type=IMPERSONATION)
    fwd = arrived(accounting.inbox, "FW: Order 7 received")
    expect("forwarded attachments", [a.name for a in fwd.attachments], ["receipt.txt"])


def check_retry_after_server_busy(me, other, admin):
    status, _ = admin.call("POST", "/admin/faults",
                           {"kind": "server-busy", "operation": "CreateItem", "backoff_ms": 10, "count": 1})
    expect("fault status", status, 201)
    m = Message(account=me, folder=me.sent, subject="Retried", body="once", to_recipients=[USER1])
    m.event_header = "ev-0002"
    try:  # exchangelib's default retry policy (FailFast) raises at once
        m.send_and_save()
        fail("send_and_save went through an injected ErrorServerBusy")
    except ErrorServerBusy:
        pass
    if list(me.sent.filter(event_header="ev-0002")):  # the read works: only CreateItem is faulted
        fail("the failed send left a Sent Items copy")
    m.send_and_save()
    arrived(other.inbox, "Retried")


if __name__ == "__main__":
    run_against_sim(["--mailboxes", "2"], run)
