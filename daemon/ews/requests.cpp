#include "ews/requests.hpp"

#include "ews/xml.hpp"
#include "ews/xml_writer.hpp"

#include <algorithm>

namespace ewstrigd::ews {
namespace {

void write_folders(writer& w, std::string_view qname, const std::vector<folder_ref>& folders) {
    w.open(qname);
    for (const auto& f : folders) write_folder(w, f);
    w.close(qname);
}

void write_item_id(writer& w, const item_id& id) {
    if (id.change_key) w.tag("t:ItemId", {{"Id", id.id}, {"ChangeKey", *id.change_key}}, true);
    else w.tag("t:ItemId", {{"Id", id.id}}, true);
}

void write_item_ids(writer& w, const std::vector<item_id>& items) {
    w.open("m:ItemIds");
    for (const auto& id : items) write_item_id(w, id);
    w.close("m:ItemIds");
}

// ItemShape / FolderShape: IdOnly plus exactly the properties asked for.
void write_shape(writer& w, std::string_view qname, const std::vector<std::string>& properties,
                 bool include_mime_content = false) {
    w.open(qname).text("t:BaseShape", "IdOnly");
    if (include_mime_content) w.text("t:IncludeMimeContent", "true");
    if (!properties.empty()) {
        w.open("t:AdditionalProperties");
        for (const auto& p : properties) w.tag("t:FieldURI", {{"FieldURI", p}}, true);
        w.close("t:AdditionalProperties");
    }
    w.close(qname);
}

void write_event_types(writer& w, const std::vector<event_type>& events) {
    w.open("t:EventTypes");
    for (const auto e : events) {
        if (e != event_type::status) w.text("t:EventType", to_string(e));
    }
    w.close("t:EventTypes");
}

// The part of Subscribe shared by the streaming and pull forms.
void open_subscription(writer& w, std::string_view qname, const std::vector<folder_ref>& folders,
                       const std::vector<event_type>& events, bool all_folders) {
    w.open("m:Subscribe");
    if (all_folders) w.tag(qname, {{"SubscribeToAllFolders", "true"}}, false);
    else w.open(qname);
    if (!all_folders) write_folders(w, "t:FolderIds", folders);
    write_event_types(w, events);
}

std::string number(int value, int low, int high) { return std::to_string(std::clamp(value, low, high)); }

std::string envelope(const request_context& ctx, std::string_view body) {
    writer w;
    w.tag("soap:Envelope", {{"xmlns:soap", ns::soap}, {"xmlns:m", ns::messages}, {"xmlns:t", ns::types}}, false)
        .open("soap:Header")
        .tag("t:RequestServerVersion", {{"Version", ctx.server_version}}, true);
    if (ctx.impersonate) {
        w.open("t:ExchangeImpersonation").open("t:ConnectingSID")
            .text("t:PrimarySmtpAddress", *ctx.impersonate)
            .close("t:ConnectingSID").close("t:ExchangeImpersonation");
    }
    w.close("soap:Header").open("soap:Body");
    std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)";
    out += w.take();
    out += body;
    out += "</soap:Body></soap:Envelope>";
    return out;
}

}  // namespace

std::string soap_envelope(const request_context& ctx, std::string_view body) { return envelope(ctx, body); }

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        // Character references keep tab/LF/CR intact through attribute-value normalisation.
        case '\t': out += "&#9;"; break;
        case '\n': out += "&#10;"; break;
        case '\r': out += "&#13;"; break;
        default:
            if (static_cast<unsigned char>(c) >= 0x20) out += c;
        }
    }
    return out;
}

std::string soap_request(const request_context& ctx, const subscribe_streaming& r) {
    writer w;
    open_subscription(w, "m:StreamingSubscriptionRequest", r.folders, r.events, r.all_folders);
    w.close("m:StreamingSubscriptionRequest").close("m:Subscribe");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const subscribe_pull& r) {
    writer w;
    open_subscription(w, "m:PullSubscriptionRequest", r.folders, r.events, r.all_folders);
    if (r.watermark) w.text("t:Watermark", *r.watermark);
    w.text("t:Timeout", number(r.timeout_minutes, 1, 1440));
    w.close("m:PullSubscriptionRequest").close("m:Subscribe");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const get_streaming_events& r) {
    writer w;
    w.open("m:GetStreamingEvents").open("m:SubscriptionIds");
    for (const auto& id : r.subscription_ids) w.text("t:SubscriptionId", id);
    w.close("m:SubscriptionIds")
        .text("m:ConnectionTimeout", number(r.connection_timeout_minutes, 1, 30))
        .close("m:GetStreamingEvents");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const get_events& r) {
    writer w;
    w.open("m:GetEvents")
        .text("m:SubscriptionId", r.subscription_id)
        .text("m:Watermark", r.watermark)
        .close("m:GetEvents");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const unsubscribe& r) {
    writer w;
    w.open("m:Unsubscribe").text("m:SubscriptionId", r.subscription_id).close("m:Unsubscribe");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const sync_folder_items& r) {
    writer w;
    w.open("m:SyncFolderItems");
    write_shape(w, "m:ItemShape", r.properties);
    w.open("m:SyncFolderId");
    write_folder(w, r.folder);
    w.close("m:SyncFolderId");
    if (r.sync_state) w.text("m:SyncState", *r.sync_state);
    w.text("m:MaxChangesReturned", number(r.max_changes, 1, 512)).close("m:SyncFolderItems");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const get_item& r) {
    writer w;
    w.open("m:GetItem");
    write_shape(w, "m:ItemShape", r.properties, r.include_mime_content);
    write_item_ids(w, r.items);
    w.close("m:GetItem");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const get_folder& r) {
    writer w;
    w.open("m:GetFolder");
    write_shape(w, "m:FolderShape", r.properties);
    write_folders(w, "m:FolderIds", r.folders);
    w.close("m:GetFolder");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const find_item& r) {
    writer w;
    w.tag("m:FindItem", {{"Traversal", "Shallow"}}, false);
    write_shape(w, "m:ItemShape", r.properties);
    const auto max_entries = std::to_string(std::max(r.max_entries, 1));
    const auto offset = std::to_string(std::max(r.offset, 0));
    w.tag("m:IndexedPageItemView", {{"MaxEntriesReturned", max_entries}, {"Offset", offset}, {"BasePoint", "Beginning"}},
          true);
    if (r.restriction) {
        w.open("m:Restriction").open("t:IsEqualTo");
        write_header_uri(w, r.restriction->name);
        w.open("t:FieldURIOrConstant").tag("t:Constant", {{"Value", r.restriction->value}}, true)
            .close("t:FieldURIOrConstant").close("t:IsEqualTo").close("m:Restriction");
    }
    write_folders(w, "m:ParentFolderIds", {r.folder});
    w.close("m:FindItem");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const find_folder& r) {
    writer w;
    w.tag("m:FindFolder", {{"Traversal", "Shallow"}}, false);
    write_shape(w, "m:FolderShape", r.properties);
    const auto max_entries = std::to_string(std::max(r.max_entries, 1));
    const auto offset = std::to_string(std::max(r.offset, 0));
    w.tag("m:IndexedPageFolderView",
          {{"MaxEntriesReturned", max_entries}, {"Offset", offset}, {"BasePoint", "Beginning"}}, true);
    write_folders(w, "m:ParentFolderIds", {r.parent});
    w.close("m:FindFolder");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const create_folder& r) {
    writer w;
    w.open("m:CreateFolder").open("m:ParentFolderId");
    write_folder(w, r.parent);
    w.close("m:ParentFolderId").open("m:Folders").open("t:Folder")
        .text("t:FolderClass", "IPF.Note")
        .text("t:DisplayName", r.display_name)
        .close("t:Folder").close("m:Folders").close("m:CreateFolder");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const move_item& r) {
    writer w;
    w.open("m:MoveItem").open("m:ToFolderId");
    write_folder(w, r.to);
    w.close("m:ToFolderId");
    write_item_ids(w, r.items);
    if (r.return_new_item_ids) w.text("m:ReturnNewItemIds", "true");
    w.close("m:MoveItem");
    return envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const mark_read& r) {
    writer w;
    // AlwaysOverwrite: the change key we hold may be stale (a notification or
    // another client touched the item); setting IsRead must win regardless.
    w.tag("m:UpdateItem", {{"MessageDisposition", "SaveOnly"}, {"ConflictResolution", "AlwaysOverwrite"}}, false)
        .open("m:ItemChanges");
    for (const auto& id : r.items) {
        w.open("t:ItemChange");
        write_item_id(w, id);
        w.open("t:Updates").open("t:SetItemField")
            .tag("t:FieldURI", {{"FieldURI", "message:IsRead"}}, true)
            .open("t:Message").text("t:IsRead", r.is_read ? "true" : "false").close("t:Message")
            .close("t:SetItemField").close("t:Updates")
            .close("t:ItemChange");
    }
    w.close("m:ItemChanges").close("m:UpdateItem");
    return envelope(ctx, w.take());
}

namespace {
// Header values come from configuration; a CR or LF in one would start a new header.
std::string header_value(std::string_view v) {
    std::string out;
    for (const char c : v) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    }
    return out;
}
}  // namespace

std::vector<http_header> http_headers(const request_context& ctx, operation op) {
    std::vector<http_header> out{{"Content-Type", "text/xml; charset=utf-8"}};
    if (const auto& anchor = ctx.anchor_mailbox ? ctx.anchor_mailbox : ctx.impersonate)
        out.emplace_back("X-AnchorMailbox", header_value(*anchor));
    const bool streaming_setup = op == operation::subscribe || op == operation::get_streaming_events;
    if (ctx.server_affinity && (streaming_setup || op == operation::get_events))
        out.emplace_back("X-PreferServerAffinity", "true");
    if (ctx.backend_override_cookie && streaming_setup)
        out.emplace_back("Cookie", "X-BackEndOverrideCookie=" + header_value(*ctx.backend_override_cookie));
    return out;
}

}  // namespace ewstrigd::ews
