"""Mail out (issue 7): reply, forward and send through EWS, end to end
against ews-sim, which delivers what the daemon sends into the recipients'
simulated mailboxes. An order mail gets exactly one acknowledgement, also
when the daemon is killed while sending; two daemons answering each other
automatically do not ping-pong; a templated recipient that is not an
address is a dead letter with a clear log line; a forward attaches the
original as .eml; a send passes on only the attachments of the message whose
names match, byte for byte."""
import base64
import email
import json
import os
import urllib.parse

from e2e_harness import (MAILBOX, MAILBOX_ID, PASSWORD, Daemon, E2ETestCase, EwsSim, mailbox_config, settle,
                         wait_until, write_config)

CUSTOMER = "customer@example.com"  # same domain as the watched mailbox: the sim delivers to it
PEER = "peer@example.com"          # the second daemon's mailbox


def order_trigger(actions, name="orders"):
    return {"name": name, "mailbox": MAILBOX_ID,
            "when": {"subject": {"regex": "Order (?P<order>[0-9]+)"}}, "actions": actions}


class MailOutTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.sim.stop()  # the peer mailbox needs a user of its own
        self.sim = EwsSim(self.dir, more_users=[PEER])

    def folder(self, address, folder):
        status, reply = self.sim.request(
            "GET", f"/admin/mailboxes/{urllib.parse.quote(address)}/folders/{folder}/messages")
        return reply if status == 200 else []

    def deliver(self, subject, sender=CUSTOMER, to=MAILBOX, headers=None):
        body = {"from": sender, "to": to, "subject": subject, "body": f"Please ship {subject}."}
        if headers:
            body["headers"] = headers
        status, reply = self.sim.request("POST", f"/admin/mailboxes/{urllib.parse.quote(to)}/folders/inbox/messages",
                                         body)
        self.assertEqual(status, 201, reply)

    def replies_to(self, address, subject):
        return [m for m in self.folder(address, "inbox") if m.get("subject") == subject]

    def test_an_order_gets_one_acknowledgement(self):
        self.configure([order_trigger([{"reply": "Thanks, we received order {{match.order}}."}])])
        daemon = self.daemon().start(self.sim)
        self.deliver("Order 1234")
        got = wait_until(lambda: self.replies_to(CUSTOMER, "Re: Order 1234"), 15, "the reply in the customer's inbox")
        settle(1.0)
        got = self.replies_to(CUSTOMER, "Re: Order 1234")
        self.assertEqual(len(got), 1, json.dumps(got, indent=1))
        reply = got[0]
        self.assertIn("we received order 1234.", reply["body"])
        self.assertIn("> Please ship Order 1234.", reply["body"], "the original is quoted")
        headers = {k.lower(): v for k, v in reply["headers"].items()}
        self.assertTrue(headers.get("x-ewstrigd-event", "").endswith("/orders/0"), headers)
        self.assertEqual(headers.get("auto-submitted"), "auto-replied")
        self.assertEqual(len(self.folder(MAILBOX, "sentitems")), 1, "a copy is kept in Sent Items")
        self.assertTrue(daemon.alive())

    def test_a_kill_while_sending_still_sends_exactly_once(self):
        self.configure([order_trigger([{"reply": {"body": "Order {{match.order}} noted.", "keep_quote": False}}])])
        daemon = self.daemon().start(self.sim)
        # The sim holds the CreateItem 1.5 s, then sends the mail: the daemon dies before it learns so.
        self.sim.fault("delay", operation="CreateItem", delay_ms=1500, count=1)
        self.deliver("Order 77")
        wait_until(lambda: self.sim.stats()["requests_by_operation"].get("CreateItem", 0) >= 1, 15,
                   "the daemon to send")
        daemon.kill()
        wait_until(lambda: self.replies_to(CUSTOMER, "Re: Order 77"), 10, "the sim to complete the held send")
        daemon.start(self.sim)
        daemon.wait_log(r"was sent by an earlier attempt \(found in Sent Items\)", 15, "the Sent Items check")
        settle(1.0)
        self.assertEqual(len(self.replies_to(CUSTOMER, "Re: Order 77")), 1, "sent exactly once")

    def test_two_auto_responders_do_not_ping_pong(self):
        answer_all = {"name": "auto-answer", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "hello"}},
                      "actions": [{"reply": {"body": "Got it.", "keep_quote": False}}]}
        self.configure([answer_all])
        first = self.daemon("first").start(self.sim)
        peer_config = mailbox_config(self.sim, os.path.join(self.dir, "peer-state"),
                                     [dict(answer_all, mailbox="peer")])
        peer_config["mailboxes"][0].update({"id": "peer", "address": PEER})
        peer_config["mailboxes"][0]["auth"]["username"] = PEER
        peer_path = os.path.join(self.dir, "peer.yaml")
        write_config(peer_path, peer_config)
        peer = Daemon(self.dir, peer_path, "peer")
        self.daemons.append(peer)
        peer.start(self.sim)
        self.deliver("hello there", sender=PEER)
        wait_until(lambda: self.replies_to(PEER, "Re: hello there"), 15, "the first daemon's answer")
        peer.wait_log(r"skipped: not answering .* automatically, it was sent by ewstrigd", 15, "the peer to hold back")
        settle(1.5)
        self.assertEqual(len(self.folder(PEER, "sentitems")), 0, "the peer never answered the answer")
        self.assertEqual(len(self.folder(MAILBOX, "sentitems")), 1)
        self.assertTrue(first.alive() and peer.alive())

    def test_a_templated_recipient_that_is_no_address_is_a_dead_letter(self):
        self.configure([order_trigger([{"send": {"to": "{{from_name}}", "subject": "Order {{match.order}}",
                                                 "body": "x"}}])])
        daemon = self.daemon().start(self.sim)
        self.sim.request("POST", f"/admin/mailboxes/{MAILBOX}/folders/inbox/messages",
                         {"from": f"Jane Buyer <{CUSTOMER}>", "to": MAILBOX, "subject": "Order 5", "body": "b"})
        found = daemon.wait_log(r"dead letter[^\n]*", 15, "the dead letter")
        self.assertIn("to[0]: '{{from_name}}' expanded to 'Jane Buyer', which is not a mail address", found.group(0))
        self.assertEqual(self.folder(MAILBOX, "sentitems"), [])
        self.assertTrue(daemon.alive())

    def test_forward_attaches_the_original_as_eml(self):
        self.configure([{"name": "invoices", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "Invoice"}},
                         "actions": [{"forward": {"to": ["accounting@example.com"]}}]}])
        daemon = self.daemon().start(self.sim)
        self.deliver("Invoice 7")
        got = wait_until(lambda: self.replies_to("accounting@example.com", "Fw: Invoice 7"), 15,
                         "the forward in accounting's inbox")
        self.assertEqual(got[0]["attachments"], ["Invoice 7.eml"])
        original = got[0]["attachment_contents"][0]
        self.assertEqual(original["content_type"], "message/rfc822")
        eml = email.message_from_bytes(base64.b64decode(original["content_base64"], validate=True))
        self.assertEqual(eml["Subject"], "Invoice 7")
        self.assertEqual(eml.get_payload(decode=True), b"Please ship Invoice 7.")
        self.assertTrue(daemon.alive())

    def test_send_passes_on_only_the_matching_attachments_byte_for_byte(self):
        pdf = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"  # every byte value, 16 KiB
        self.configure([{"name": "invoices", "mailbox": MAILBOX_ID, "when": {"subject": {"contains": "Invoice"}},
                         "actions": [{"send": {"to": ["accounting@example.com"], "subject": "Fwd {{subject}}",
                                               "body": "See attached.", "attachments": ["*.pdf"]}}]}])
        daemon = self.daemon().start(self.sim)
        attachments = [{"name": "a.pdf", "content_type": "application/pdf",
                        "content_base64": base64.b64encode(pdf).decode()},
                       {"name": "b.txt", "content_type": "text/plain",
                        "content_base64": base64.b64encode(b"not for accounting").decode()}]
        status, reply = self.sim.request(
            "POST", f"/admin/mailboxes/{urllib.parse.quote(MAILBOX)}/folders/inbox/messages",
            {"from": CUSTOMER, "to": MAILBOX, "subject": "Invoice 42", "body": "b", "attachments": attachments})
        self.assertEqual(status, 201, reply)
        got = wait_until(lambda: self.replies_to("accounting@example.com", "Fwd Invoice 42"), 15,
                         "the mail in accounting's inbox")
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["attachments"], ["a.pdf"], "b.txt does not match *.pdf")
        sent = got[0]["attachment_contents"][0]
        self.assertEqual(base64.b64decode(sent["content_base64"]), pdf, "the bytes arrive unchanged")
        self.assertEqual(sent["content_type"], "application/pdf")
        self.assertTrue(daemon.alive())
