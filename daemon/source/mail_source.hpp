#pragma once
// The watch loop's view of one mailbox (DESIGN.md, "Exchange Online and the
// end of EWS there"): a doorbell that says "something changed", a sync that
// says what, and the few item operations actions need. EWS implements it now
// (source/ews_source.hpp); a Microsoft Graph source (delta queries as the
// sync truth, change notifications as the doorbell) can implement it later
// without touching the watch loop or the triggers.
//
// Contract of every implementation (one object per mailbox):
// - Call it from the thread running its io_context; every completion runs on
//   that loop, exactly once, never inside the initiating call.
// - Every operation completes with an `outcome` (ews::decision: step proceed
//   on success; otherwise what the caller should do next, with the delay the
//   server asked for and a reason in plain words). Credentials are the
//   source's business: a 401 makes it invalidate and retry once; if that
//   fails too, or no credentials can be had, the outcome is reauthenticate
//   (retryable later) or permanent (e.g. the mailbox needs `ewstrigd login`).
// - Cancellation (the completion handler's cancellation slot, any type)
//   completes the operation with step `transient` and code "cancelled".
// - Folder names are those of the config: a distinguished folder id
//   ("inbox", "sentitems", ...) or a path from the mailbox root whose first
//   element may be a distinguished id ("Inbox/Processed"), compared
//   case-insensitively. The source resolves and caches them.
// - Item ids are opaque strings (EWS ItemId/@Id).
// - One listen at a time per source (the watcher's doorbell); the other
//   operations may run concurrently with it and with each other.

#include "ews/create_item.hpp"  // ews::outgoing_message (mail out)
#include "ews/error_policy.hpp"
#include "match/message.hpp"
#include "util/base64.hpp"  // util::base64_text (attachment contents)

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::source {

using outcome = ews::decision;

// Which parts of a message the triggers of a mailbox look at; a fetch asks
// for these and nothing more (subject, sender, recipients, received time,
// importance, read flag and has-attachments are always fetched).
struct message_fields {
    bool body = false;
    bool internet_headers = false;
    bool attachments = false;  // names, sizes and content types, not contents
    bool categories = false;
};

struct folder_changes {
    std::string sync_state;            // persist it once these changes are handled; never empty on success
    bool more = false;                 // the server holds more changes: sync again at once
    std::vector<std::string> created;  // ids of the items created in the folder, in server order
};

// Called for a folder in which something changed; the caller syncs it.
using ring_handler = std::function<void(const std::string& folder)>;

using listen_signature = void(outcome);
using sync_signature = void(outcome, folder_changes);
using fetch_signature = void(outcome, std::vector<match::message>);
using mime_signature = void(outcome, std::string);
using original_signature = void(outcome, util::base64_text);
using done_signature = void(outcome);
using found_signature = void(outcome, bool);  // bool: found
using outgoing_mail = ews::outgoing_message;

// A file attachment of a message as listed: what selecting it needs, not its bytes.
struct listed_attachment {
    std::string id;  // opaque (EWS AttachmentId); what async_fetch_attachments takes
    std::string name;
    std::string content_type;
    std::uint64_t size = 0;  // bytes as the server states them; 0 when it states none
    bool is_inline = false;
};

struct attachment_file {
    std::string name;
    std::string content_type;
    // The contents as base64 without whitespace, as CreateItem takes them,
    // and their decoded size: passing an attachment on never decodes it.
    util::base64_text content;
};

using listed_signature = void(outcome, std::vector<listed_attachment>);
using attachments_signature = void(outcome, std::vector<attachment_file>);

class mail_source {
public:
    virtual ~mail_source() = default;

    // Keeps the doorbell of `folders` open for one connection's worth of time,
    // in the mailbox's watch mode: streaming (subscribe when no subscription
    // is alive, then one GetStreamingEvents connection), pull (subscribe,
    // then GetEvents every poll interval) or poll (ring every poll interval).
    // After every new subscription it rings each folder once, since events
    // may have been missed before it existed. Completes with proceed when the
    // connection ended normally (the caller listens again at once), with
    // resubscribe when the subscription is gone (the next call subscribes
    // anew), or with the failure. A listen whose subscription shares a
    // connection with other mailboxes' (grouped streams, stream_hub.hpp)
    // lasts until the subscription fails or the listen is cancelled.
    template <boost::asio::completion_token_for<listen_signature> Token>
    auto async_listen(std::vector<std::string> folders, ring_handler on_ring, Token&& token) {
        return boost::asio::async_initiate<Token, listen_signature>(
            [this](auto h, std::vector<std::string> f, ring_handler r) {
                listen_impl(std::move(f), std::move(r), std::move(h));
            },
            token, std::move(folders), std::move(on_ring));
    }

    // One page of changes since `sync_state` (none: from the beginning).
    // A broken sync state completes with step resync.
    template <boost::asio::completion_token_for<sync_signature> Token>
    auto async_sync(std::string folder, std::optional<std::string> sync_state, Token&& token) {
        return boost::asio::async_initiate<Token, sync_signature>(
            [this](auto h, std::string f, std::optional<std::string> s) {
                sync_impl(std::move(f), std::move(s), std::move(h));
            },
            token, std::move(folder), std::move(sync_state));
    }

    // The messages with these ids, with item_id and folder set. Items that no
    // longer exist are left out (not an error); the order follows `ids`.
    template <boost::asio::completion_token_for<fetch_signature> Token>
    auto async_fetch(std::vector<std::string> ids, message_fields fields, std::string folder, Token&& token) {
        return boost::asio::async_initiate<Token, fetch_signature>(
            [this](auto h, std::vector<std::string> i, message_fields f, std::string fo) {
                fetch_impl(std::move(i), f, std::move(fo), std::move(h));
            },
            token, std::move(ids), fields, std::move(folder));
    }

    // The whole message as RFC 5322 bytes (for save and run actions).
    template <boost::asio::completion_token_for<mime_signature> Token>
    auto async_fetch_mime(std::string id, Token&& token) {
        return boost::asio::async_initiate<Token, mime_signature>(
            [this](auto h, std::string i) { fetch_mime_impl(std::move(i), std::move(h)); }, token, std::move(id));
    }

    template <boost::asio::completion_token_for<done_signature> Token>
    auto async_mark_read(std::string id, bool read, Token&& token) {
        return boost::asio::async_initiate<Token, done_signature>(
            [this](auto h, std::string i, bool r) { mark_read_impl(std::move(i), r, std::move(h)); }, token,
            std::move(id), read);
    }

    // Moves the item into `folder_path`; with `create`, missing folders on the
    // path are created first. An item already gone completes with permanent.
    template <boost::asio::completion_token_for<done_signature> Token>
    auto async_move(std::string id, std::string folder_path, bool create, Token&& token) {
        return boost::asio::async_initiate<Token, done_signature>(
            [this](auto h, std::string i, std::string p, bool c) {
                move_impl(std::move(i), std::move(p), c, std::move(h));
            },
            token, std::move(id), std::move(folder_path), create);
    }

private:
    template <class Signature>
    using handler = boost::asio::any_completion_handler<Signature>;

    virtual void listen_impl(std::vector<std::string> folders, ring_handler on_ring, handler<listen_signature> h) = 0;
    virtual void sync_impl(std::string folder, std::optional<std::string> sync_state, handler<sync_signature> h) = 0;
    virtual void fetch_impl(std::vector<std::string> ids, message_fields fields, std::string folder,
                            handler<fetch_signature> h) = 0;
    virtual void fetch_mime_impl(std::string id, handler<mime_signature> h) = 0;
    virtual void mark_read_impl(std::string id, bool read, handler<done_signature> h) = 0;
    virtual void move_impl(std::string id, std::string folder_path, bool create, handler<done_signature> h) = 0;

    // ---- mail out (reply, forward, send actions) ----------------------------
public:
    // Sends `mail` from this mailbox and keeps a copy in Sent Items. A
    // recipient the server refuses completes with permanent.
    template <boost::asio::completion_token_for<done_signature> Token>
    auto async_send_mail(outgoing_mail mail, Token&& token) {
        return boost::asio::async_initiate<Token, done_signature>(
            [this](auto h, outgoing_mail m) { send_mail_impl(std::move(m), std::move(h)); }, token, std::move(mail));
    }

    // Whether Sent Items holds a message whose internet header `header` is
    // `value` (how a retry learns that an earlier attempt already sent it).
    template <boost::asio::completion_token_for<found_signature> Token>
    auto async_find_sent(std::string header, std::string value, Token&& token) {
        return boost::asio::async_initiate<Token, found_signature>(
            [this](auto h, std::string n, std::string v) { find_sent_impl(std::move(n), std::move(v), std::move(h)); },
            token, std::move(header), std::move(value));
    }

    // The whole message as base64 RFC 5322 text, checked and measured but not
    // decoded (forward and attach_original pass it on as base64 again).
    template <boost::asio::completion_token_for<original_signature> Token>
    auto async_fetch_original(std::string id, Token&& token) {
        return boost::asio::async_initiate<Token, original_signature>(
            [this](auto h, std::string i) { fetch_original_impl(std::move(i), std::move(h)); }, token, std::move(id));
    }

    // The file attachments of message `id`, in the message's order (attached
    // items and links are left out: they have no bytes to pass on). A message
    // that no longer exists completes with permanent.
    template <boost::asio::completion_token_for<listed_signature> Token>
    auto async_list_attachments(std::string id, Token&& token) {
        return boost::asio::async_initiate<Token, listed_signature>(
            [this](auto h, std::string i) { list_attachments_impl(std::move(i), std::move(h)); }, token, std::move(id));
    }

    // The contents of the attachments with these ids (from async_list_attachments),
    // in the order of `attachment_ids`. An id that no longer names an
    // attachment completes with permanent.
    template <boost::asio::completion_token_for<attachments_signature> Token>
    auto async_fetch_attachments(std::vector<std::string> attachment_ids, Token&& token) {
        return boost::asio::async_initiate<Token, attachments_signature>(
            [this](auto h, std::vector<std::string> ids) { fetch_attachments_impl(std::move(ids), std::move(h)); },
            token, std::move(attachment_ids));
    }

private:
    virtual void send_mail_impl(outgoing_mail mail, handler<done_signature> h) = 0;
    virtual void find_sent_impl(std::string header, std::string value, handler<found_signature> h) = 0;
    virtual void fetch_original_impl(std::string id, handler<original_signature> h) = 0;
    virtual void list_attachments_impl(std::string id, handler<listed_signature> h) = 0;
    virtual void fetch_attachments_impl(std::vector<std::string> attachment_ids, handler<attachments_signature> h) = 0;
};

}  // namespace ewstrigd::source
