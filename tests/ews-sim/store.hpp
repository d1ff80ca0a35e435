#pragma once
// The simulator's state: mailboxes, folders, items, subscriptions with their
// queued events, and sync states. Pure: no I/O, no clock (callers pass `now`),
// no XML. Single-threaded; references returned stay valid until the object
// they point to is removed (items by move, subscriptions by unsubscribe or
// expiry); mailboxes and folders are never removed.
//
// Ids (items, folders, subscriptions, watermarks, sync states) are opaque
// base64 strings like Exchange's; only this store decodes them.
#include "backends.hpp"
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ewstrigd::sim {

using time_point = std::chrono::system_clock::time_point;

struct mail_address {
    std::string name;   // display name, may be empty
    std::string email;
};

struct attachment {
    std::string id;  // AttachmentId, minted by the store
    std::string name;
    std::string content_type;
    std::string content;  // decoded bytes (empty for raw deliveries, whose bytes stay in the MIME)
    std::uint64_t size = 0;
    bool is_inline = false;
};

// A message as delivered through the admin API.
struct message {
    std::string subject;
    mail_address from;
    std::vector<mail_address> to;
    std::vector<mail_address> cc;
    std::vector<mail_address> bcc;  // only on the sender's own copies (CreateItem); never in delivered MIME
    std::string body;  // text/plain, or HTML when body_is_html
    bool body_is_html = false;  // CreateItem with Body BodyType="HTML"
    bool is_draft = false;      // saved by CreateItem SaveOnly, never sent
    std::string importance = "Normal";  // Low | Normal | High
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<attachment> attachments;
    std::string internet_message_id;    // minted when empty
    std::optional<std::string> raw_mime;  // RFC 5322 text when delivered raw
};

// One message a mailbox sent through CreateItem (outgoing_mail.hpp), kept
// for the admin API whatever the MessageDisposition.
struct sent_mail {
    message msg;  // as submitted, with Bcc and the minted Message-ID
    time_point sent;
    std::vector<std::string> delivered_to;  // simulator mailboxes that got it in their Inbox
    std::vector<std::string> external;      // recipients outside the simulator: recorded only
};

struct stored_item {
    std::string id;
    std::string folder_id;
    message msg;
    bool is_read = false;
    time_point received;
    std::uint64_t change_number = 1;  // ChangeKey source: bumped on every change
    std::uint64_t created_seq = 0;    // mailbox sequence when it entered its folder
    std::uint64_t content_seq = 0;    // last change other than the read flag
    std::uint64_t changed_seq = 0;    // last change of any kind

    std::string change_key() const;
};

struct folder {
    std::string id;
    std::string distinguished;  // "inbox", "root", ...; empty for user folders
    std::string display_name;
    std::string parent_id;      // empty for root
    std::string folder_class;   // "IPF.Note"; empty for root
    std::vector<std::pair<std::uint64_t, std::string>> removed;  // (sequence, item id): Delete changes for sync
};

enum class event_kind { new_mail, created, modified, moved, deleted, status };
// The element name: "NewMailEvent", "CreatedEvent", ...
std::string_view to_string(event_kind k);

struct event {
    event_kind kind = event_kind::status;
    std::string watermark;
    time_point timestamp;
    std::string item_id;  // item events
    std::string item_change_key;
    std::string folder_id;  // folder events
    std::string parent_folder_id;
    std::string old_item_id;  // moved
    std::string old_parent_folder_id;
    std::optional<std::uint64_t> unread_count;  // modified folder
};

enum class subscription_kind { streaming, pull };

struct subscription {
    std::string id;
    std::string mailbox;
    subscription_kind kind = subscription_kind::streaming;
    bool all_folders = false;
    std::vector<std::string> folder_ids;
    std::vector<std::string> event_types;  // element names; empty = all
    std::deque<event> pending;
    std::string last_watermark;                 // pull: PreviousWatermark of the next GetEvents
    std::chrono::minutes timeout{30};           // pull: idle lifetime
    time_point last_used;
};

struct mailbox {
    std::string address;
    std::vector<folder> folders;
    std::map<std::string, stored_item, std::less<>> items;  // by item id
    std::uint64_t seq = 0;           // change sequence behind sync states
    std::uint64_t event_number = 0;  // watermark source
    std::deque<event> log;           // recent events, for pull resumes from a watermark
    std::uint64_t sync_epoch = 0;    // bumped to invalidate every sync state
    std::deque<sent_mail> sent;      // recent outgoing mail, oldest first (bounded)
    std::uint64_t sent_total = 0;    // Message-ID source for outgoing mail

    const folder* find_folder(std::string_view folder_id) const;
    // Distinguished id ("inbox") or display name, case-insensitively.
    const folder* find_folder_by_name(std::string_view name) const;
    std::uint64_t unread_count(std::string_view folder_id) const;
};

// An EWS ResponseCode for a failed store operation, e.g. "ErrorItemNotFound".
struct store_error {
    std::string code;
    std::string text;
};

template <class T>
using store_result = std::variant<T, store_error>;

enum class change_kind { create, update, remove, read_flag_change };

struct sync_change {
    change_kind kind = change_kind::create;
    std::string item_id;  // for every kind
    const stored_item* item = nullptr;  // create/update/read flag: the item now
};

struct sync_page {
    std::string sync_state;
    bool includes_last_item_in_range = true;
    std::vector<sync_change> changes;
};

struct subscribe_request {
    subscription_kind kind = subscription_kind::streaming;
    bool all_folders = false;
    std::vector<std::string> folder_ids;   // resolved folder ids
    std::vector<std::string> event_types;  // element names
    std::optional<std::string> watermark;  // pull: resume after this one
    std::chrono::minutes timeout{30};
};

class store {
public:
    // The mailbox of `address` (case-insensitive), created with the standard
    // folders on first use.
    mailbox& open_mailbox(std::string_view address);
    mailbox* find_mailbox(std::string_view address);
    const std::map<std::string, mailbox, std::less<>>& mailboxes() const { return mailboxes_; }
    // Which backend server each mailbox lives on (backends.hpp).
    backend_map& backends() { return backends_; }

    // A folder by distinguished id or display name, created under
    // msgfolderroot when absent (admin deliveries to new folders).
    const folder& open_folder(mailbox& mb, std::string_view name);
    // A mail folder named `display_name` below `parent_id` (CreateFolder).
    // Errors: ErrorParentFolderNotFound, ErrorFolderExists (a sibling has the
    // name, compared case-insensitively as Exchange does).
    store_result<const folder*> create_folder(mailbox& mb, std::string_view parent_id, std::string_view display_name);

    // Stores `m` in `folder_id`, fires Created/NewMail/Modified events, returns the item.
    // An own_copy (the sender's Sent Items copy, a draft) is read and fires no NewMailEvent, as in Exchange.
    enum class arrival { received, own_copy };
    const stored_item& deliver(mailbox& mb, std::string_view folder_id, message m, time_point now,
                               arrival how = arrival::received);

    const stored_item* find_item(const mailbox& mb, std::string_view item_id) const;
    // The item that entered `folder_id` last; nullptr when the folder is empty.
    const stored_item* newest_item(const mailbox& mb, std::string_view folder_id) const;
    // Queues `count` NewMailEvents about `item` (ChangeKey as it is now) for every subscription watching its
    // folder, exactly as a delivery queues its NewMailEvent, but stores and changes nothing else: a ring
    // without new mail (admin notify, for measuring the cost of a notification). Returns how many
    // subscriptions got them.
    std::size_t notify_new_mail(mailbox& mb, const stored_item& item, unsigned count, time_point now);
    store_result<const stored_item*> set_read(mailbox& mb, std::string_view item_id, bool is_read, time_point now);
    // CreateAttachment: adds `more` (ids minted here) to the item, which gets a new ChangeKey.
    store_result<const stored_item*> add_attachments(mailbox& mb, std::string_view item_id,
                                                     std::vector<attachment> more, time_point now);
    // UpdateItem of an InternetHeaders property: replaces header `name` (case-insensitive) with `value`,
    // or removes it when `value` is nullopt; the item gets a new ChangeKey.
    store_result<const stored_item*> set_header(mailbox& mb, std::string_view item_id, std::string_view name,
                                                std::optional<std::string> value, time_point now);
    // Removes the item (SendItem sends a draft away) and returns its message.
    store_result<message> remove(mailbox& mb, std::string_view item_id, time_point now);
    // Moves the item (it gets a new id, as in Exchange) and returns the moved item.
    store_result<const stored_item*> move(mailbox& mb, std::string_view item_id, std::string_view to_folder_id,
                                          time_point now);

    // Errors: ErrorInvalidWatermark; ErrorExceededSubscriptionCount when the
    // mailbox already has the most subscriptions set_subscription_limit allows.
    store_result<subscription*> subscribe(mailbox& mb, subscribe_request req, time_point now);
    // Exchange's EWSMaxSubscriptions throttling: at most `max` live
    // subscriptions per mailbox; 0 (the default) = unlimited. Unlike Exchange,
    // streaming subscriptions here never expire by themselves.
    void set_subscription_limit(unsigned max) { subscription_limit_ = max; }
    // nullptr when unknown or (pull) idle past its timeout, which removes it.
    subscription* find_subscription(std::string_view id, time_point now);
    bool unsubscribe(std::string_view id);
    // Removes every subscription (of `address` only, when given); returns how many.
    std::size_t expire_subscriptions(std::optional<std::string_view> address);
    std::size_t subscription_count() const { return subscriptions_.size(); }
    // Ids of the subscriptions that got events or were removed since the last call, maybe repeated: the open
    // streams to wake (waking every stream on every change costs O(subscriptions) per request).
    std::vector<std::string> take_changed_subscriptions() { return std::exchange(changed_subscriptions_, {}); }
    // Up to `max` queued events of `s`, oldest first.
    std::vector<event> take_events(subscription& s, std::size_t max);
    // The watermark of the newest event in `mb` (for StatusEvent).
    std::string current_watermark(const mailbox& mb) const;

    // Changes in `folder_id` after `sync_state` (empty = from the start), at
    // most `max_changes`. Errors: ErrorInvalidSyncStateData.
    store_result<sync_page> sync_items(const mailbox& mb, std::string_view folder_id, std::string_view sync_state,
                                       std::size_t max_changes) const;
    // Makes every existing sync state (of `address` only, when given) invalid.
    void invalidate_sync_states(std::optional<std::string_view> address);

    // Send-as (CreateItem with t:From): any mailbox may send as `address` (--send-as).
    void allow_send_as(std::string_view address);
    // True when `mb` may send with From `address`: its own address or an allowed one.
    bool may_send_as(const mailbox& mb, std::string_view address) const;

private:
    // Queues `e` for every subscription that wants it; returns how many.
    std::size_t emit(mailbox& mb, event e);
    std::string mint(std::string_view kind, std::string_view scope);

    std::map<std::string, mailbox, std::less<>> mailboxes_;
    std::map<std::string, subscription, std::less<>> subscriptions_;
    std::vector<std::string> changed_subscriptions_;
    std::uint64_t next_id_ = 1;
    unsigned subscription_limit_ = 0;
    std::vector<std::string> send_as_;  // lower-case
    backend_map backends_;
};

}  // namespace ewstrigd::sim
