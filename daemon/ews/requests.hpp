#pragma once
// SOAP request builders for the EWS operations ewstrigd uses, and the HTTP
// headers to send with them. Pure: plain structs in, request text out.
//
// Every builder returns one complete SOAP 1.1 envelope (UTF-8, with an XML
// declaration, prefixes soap:/m:/t:) whose body follows Microsoft's
// messages.xsd/types.xsd element order; tests/ews_schema validates each
// against those schemas. The header carries t:RequestServerVersion and, when
// `impersonate` is set, t:ExchangeImpersonation/t:ConnectingSID/
// t:PrimarySmtpAddress. Every value (addresses, ids, change keys, sync
// states, watermarks, FieldURIs) is XML-escaped; characters XML 1.0 cannot
// carry (C0 controls other than tab, LF, CR) are dropped — no EWS id,
// address or sync state contains them.
//
// Numeric limits of the schema are enforced by clamping, never by failing:
// Subscribe Timeout 1..1440 minutes, ConnectionTimeout 1..30 minutes,
// MaxChangesReturned 1..512, MaxEntriesReturned >= 1, Offset >= 0.
// Empty id lists produce documents the server rejects (the schema requires
// at least one); callers don't send requests about nothing.
//
// Sources: shared/reference/ews-protocol.md §0-1 and the captured requests
// of ews-javascript-api and exchangelib in shared/reference/ews/requests-*;
// FindFolder/CreateFolder follow messages.xsd FindFolderType/CreateFolderType.

#include "ews/notifications.hpp"  // event_type

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ewstrigd::ews {

enum class operation {
    subscribe, get_streaming_events, get_events, unsubscribe, sync_folder_items,
    get_item, get_folder, find_item, move_item, update_item, find_folder, create_folder,
    create_item,  // ews/create_item.hpp (mail out)
    get_attachment,  // ews/get_attachment.hpp (mail out)
};

// Per-mailbox (or per affinity group) settings shared by every request.
struct request_context {
    std::string server_version = "Exchange2013_SP1";  // an ExchangeVersionType value
    std::optional<std::string> impersonate;           // SMTP address to impersonate (app-only auth)
    // X-AnchorMailbox; defaults to `impersonate`. Set it for Exchange Online
    // delegated access too, and to the group's anchor for grouped subscriptions.
    std::optional<std::string> anchor_mailbox;
    // X-PreferServerAffinity: true on Subscribe/GetStreamingEvents/GetEvents
    // (grouped subscriptions, ews-protocol.md §0).
    bool server_affinity = false;
    // Value of the X-BackEndOverrideCookie from the anchor's Subscribe
    // response; sent as a Cookie on Subscribe and GetStreamingEvents.
    std::optional<std::string> backend_override_cookie;
};

struct distinguished_folder {
    std::string id;                      // e.g. "inbox", "msgfolderroot"
    std::optional<std::string> mailbox;  // another mailbox's SMTP address
};
struct folder_id {
    std::string id;
    std::optional<std::string> change_key;
};
using folder_ref = std::variant<distinguished_folder, folder_id>;

struct item_id {
    std::string id;
    std::optional<std::string> change_key;
};

// event_type::status is not subscribable (the server sends StatusEvent on
// its own) and is left out of t:EventTypes.
struct subscribe_streaming {
    std::vector<folder_ref> folders;  // ignored when all_folders
    std::vector<event_type> events;
    bool all_folders = false;         // SubscribeToAllFolders="true"
};

struct subscribe_pull {
    std::vector<folder_ref> folders;
    std::vector<event_type> events;
    std::optional<std::string> watermark;  // resume from here
    int timeout_minutes = 30;
    bool all_folders = false;
};

struct get_streaming_events {
    std::vector<std::string> subscription_ids;  // 1..200
    int connection_timeout_minutes = 30;
};

struct get_events {
    std::string subscription_id;
    std::string watermark;
};

struct unsubscribe {
    std::string subscription_id;
};

struct sync_folder_items {
    folder_ref folder;
    std::vector<std::string> properties;    // FieldURIs beyond IdOnly, e.g. "message:IsRead"
    std::optional<std::string> sync_state;  // absent on the very first sync
    int max_changes = 512;
};

struct get_item {
    std::vector<item_id> items;
    std::vector<std::string> properties;  // FieldURIs; only these are fetched
    bool include_mime_content = false;    // t:MimeContent (base64 RFC 822)
};

struct get_folder {
    std::vector<folder_ref> folders;
    std::vector<std::string> properties;  // FieldURIs beyond IdOnly, e.g. "folder:DisplayName"
};

// IsEqualTo on an internet header (a t:ExtendedFieldURI with
// DistinguishedPropertySetId="InternetHeaders"): items whose header `name`
// is `value`.
struct header_equals {
    std::string name;
    std::string value;
};

struct find_item {
    folder_ref folder;
    std::vector<std::string> properties;
    int max_entries = 100;
    int offset = 0;
    std::optional<header_equals> restriction{};  // none: every item
};

// FindFolder with Traversal="Shallow": the folders directly below `parent`,
// one page of an IndexedPageFolderView. No restriction: callers compare
// display names themselves (case-insensitively, as Outlook does).
struct find_folder {
    folder_ref parent;
    std::vector<std::string> properties;  // FieldURIs beyond IdOnly, e.g. "folder:DisplayName"
    int max_entries = 100;
    int offset = 0;
};

// CreateFolder of one mail folder (t:Folder with DisplayName and FolderClass IPF.Note) below `parent`.
struct create_folder {
    folder_ref parent;
    std::string display_name;
};

struct move_item {
    std::vector<item_id> items;
    folder_ref to;
    bool return_new_item_ids = true;  // Exchange 2010 SP1+
};

// UpdateItem setting message:IsRead (ConflictResolution AlwaysOverwrite,
// MessageDisposition SaveOnly).
struct mark_read {
    std::vector<item_id> items;
    bool is_read = true;
};

std::string soap_request(const request_context& ctx, const subscribe_streaming& r);
std::string soap_request(const request_context& ctx, const subscribe_pull& r);
std::string soap_request(const request_context& ctx, const get_streaming_events& r);
std::string soap_request(const request_context& ctx, const get_events& r);
std::string soap_request(const request_context& ctx, const unsubscribe& r);
std::string soap_request(const request_context& ctx, const sync_folder_items& r);
std::string soap_request(const request_context& ctx, const get_item& r);
std::string soap_request(const request_context& ctx, const get_folder& r);
std::string soap_request(const request_context& ctx, const find_item& r);
std::string soap_request(const request_context& ctx, const find_folder& r);
std::string soap_request(const request_context& ctx, const create_folder& r);
std::string soap_request(const request_context& ctx, const move_item& r);
std::string soap_request(const request_context& ctx, const mark_read& r);

// The SOAP envelope (header per `ctx`) around `body`, which must be one
// complete, escaped m:* request element: for the builders of ews/ in other
// files (create_item, get_attachment).
std::string soap_envelope(const request_context& ctx, std::string_view body);

using http_header = std::pair<std::string, std::string>;

// Headers for a request of `op` (Authorization excluded: auth/ adds it).
// Always Content-Type: text/xml; charset=utf-8. No SOAPAction: EWS dispatches
// on the body element and neither captured client sends one. X-AnchorMailbox
// when known; X-PreferServerAffinity and the back-end cookie as described
// in request_context.
std::vector<http_header> http_headers(const request_context& ctx, operation op);

// `text` with & < > " ' replaced by entity references (for element text
// and attribute values alike) and non-XML characters dropped.
std::string xml_escape(std::string_view text);

}  // namespace ewstrigd::ews
