// `ewstrigd ews-decode FILE [--json]`: what a saved EWS response, or a
// captured GetStreamingEvents body with several envelopes, means.

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

#include "ews/envelope_splitter.hpp"
#include "ews/error_policy.hpp"
#include "ews/notifications.hpp"
#include "ews/subscribe.hpp"
#include "ews/sync.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <ostream>
#include <sstream>

namespace ewstrigd::cli {
namespace {

using nlohmann::json;

void put_if(json& j, const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
}

template <class T>
void put_if(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

json id_json(const ews::object_id& id) { return {{"id", id.id}, {"change_key", id.change_key}}; }

void put_id(json& j, const char* key, const std::optional<ews::object_id>& id) {
    if (id) j[key] = id_json(*id);
}

json status_json(const ews::ews_status& s) {
    json j{{"class", ews::to_string(s.klass)}, {"code", s.code}};
    put_if(j, "message_text", s.message_text);
    if (!s.message_xml.empty()) {
        json values = json::array();
        for (const auto& v : s.message_xml) values.push_back({{"name", v.name}, {"value", v.value}});
        j["message_xml"] = values;
    }
    put_if(j, "back_off_ms", s.back_off_ms());
    const auto d = ews::classify_code(s.code, s.back_off_ms(), s.value("InnerErrorResponseCode"));
    j["next_step"] = ews::to_string(d.step);
    if (d.step == ews::next_step::retry_after) j["retry_after_ms"] = d.delay.count();
    return j;
}

json event_json(const ews::event& e) {
    json j{{"type", ews::to_string(e.type)}};
    put_if(j, "timestamp", e.timestamp);
    put_if(j, "watermark", e.watermark);
    put_id(j, "item_id", e.item_id);
    put_id(j, "folder_id", e.folder_id);
    put_id(j, "parent_folder_id", e.parent_folder_id);
    put_id(j, "old_item_id", e.old_item_id);
    put_id(j, "old_folder_id", e.old_folder_id);
    put_id(j, "old_parent_folder_id", e.old_parent_folder_id);
    put_if(j, "unread_count", e.unread_count);
    return j;
}

json mailbox_json(const ews::mailbox& m) { return m.email_address.empty() ? m.name : m.email_address; }

json item_json(const ews::item& it) {
    json j{{"kind", it.kind}, {"subject", it.subject}};
    put_id(j, "item_id", it.id);
    if (it.from) j["from"] = mailbox_json(*it.from);
    json to = json::array(), cc = json::array(), names = json::array();
    for (const auto& m : it.to) to.push_back(mailbox_json(m));
    for (const auto& m : it.cc) cc.push_back(mailbox_json(m));
    for (const auto& a : it.attachments) names.push_back(a.name);
    j["to"] = to;
    j["cc"] = cc;
    put_if(j, "received", it.date_time_received);
    put_if(j, "importance", it.importance);
    put_if(j, "is_read", it.is_read);
    put_if(j, "has_attachments", it.has_attachments);
    j["attachment_names"] = names;
    put_if(j, "internet_message_id", it.internet_message_id);
    j["mime_content"] = it.mime_content.has_value();
    return j;
}

// Adds each operation's data to the matching response message object: every
// parser yields one entry per response message, in order.
template <class Entry, class Fill>
void merge(const ews::parse_result<std::vector<Entry>>& parsed, json& messages, Fill fill) {
    const auto* entries = std::get_if<std::vector<Entry>>(&parsed);
    if (entries == nullptr) return;
    for (std::size_t i = 0; i < entries->size() && i < messages.size(); ++i) fill((*entries)[i], messages[i]);
}

json envelope_json(const ews::response& r) {
    json j{{"operation", r.operation()}};
    if (r.is_request()) j["request"] = true;
    if (r.fault()) {
        json f = status_json(*r.fault());
        f["fault_code"] = r.fault()->fault_code;
        f["fault_string"] = r.fault()->fault_string;
        j["fault"] = f;
        return j;
    }
    json messages = json::array();
    for (const auto& m : r.messages()) {
        json mj = status_json(m);
        mj["element"] = m.element_name;
        put_if(mj, "descriptive_link_key", m.descriptive_link_key);
        messages.push_back(mj);
    }
    merge(ews::parse_events(r), messages, [](const ews::events_message& m, json& out) {
        json notifications = json::array();
        for (const auto& n : m.notifications) {
            json nj{{"subscription_id", n.subscription_id}, {"events", json::array()}};
            put_if(nj, "previous_watermark", n.previous_watermark);
            put_if(nj, "more_events", n.more_events);
            for (const auto& e : n.events) nj["events"].push_back(event_json(e));
            notifications.push_back(nj);
        }
        out["notifications"] = notifications;
        put_if(out, "connection_status", std::string{ews::to_string(m.connection)});
        if (!m.error_subscription_ids.empty()) out["error_subscription_ids"] = m.error_subscription_ids;
    });
    merge(ews::parse_subscribe(r), messages, [](const ews::subscription& s, json& out) {
        put_if(out, "subscription_id", s.subscription_id);
        put_if(out, "watermark", s.watermark);
    });
    merge(ews::parse_sync_folder_items(r), messages, [](const ews::sync_message& m, json& out) {
        out["sync_state"] = m.sync_state;
        put_if(out, "includes_last_item_in_range", m.includes_last_item_in_range);
        json changes = json::array();
        for (const auto& c : m.changes) {
            json cj{{"kind", ews::to_string(c.kind)}};
            put_id(cj, "item_id", c.item_id);
            if (c.changed_item) cj["item"] = item_json(*c.changed_item);
            put_if(cj, "is_read", c.is_read);
            changes.push_back(cj);
        }
        out["changes"] = changes;
    });
    merge(ews::parse_items(r), messages, [](const ews::items_message& m, json& out) {
        json items = json::array();
        for (const auto& it : m.items) items.push_back(item_json(it));
        out["items"] = items;
    });
    j["response_messages"] = messages;
    return j;
}

// The envelopes of a body: several for a streaming capture. When the
// splitter rejects the text, the whole text is handed to the XML parser,
// whose error says what is wrong and where.
struct split_body {
    std::vector<std::string> documents;
    std::size_t trailing_bytes = 0;  // an unfinished envelope at the end (a cut capture)
};

split_body split(const std::string& text) {
    ews::envelope_splitter splitter{text.size() + 1};
    auto result = splitter.feed(text);
    if (auto* docs = std::get_if<std::vector<std::string>>(&result); docs != nullptr && !docs->empty())
        return {std::move(*docs), splitter.buffered()};
    return {{text}, 0};
}

void print_status_line(const json& m, std::ostream& out) {
    out << "  " << m.value("element", std::string{"Fault"}) << ": " << m["class"].get<std::string>() << ' '
        << m["code"].get<std::string>();
    if (m.contains("back_off_ms")) out << ", back off " << m["back_off_ms"].get<std::uint64_t>() << " ms";
    if (m.contains("connection_status")) out << ", connection " << m["connection_status"].get<std::string>();
    out << " -> " << m["next_step"].get<std::string>() << '\n';
}

void print_text(const json& doc, std::ostream& out) {
    std::size_t n = 0;
    for (const auto& env : doc["envelopes"]) {
        out << "envelope " << ++n << ": ";
        if (env.contains("error")) {
            out << "undecodable: " << env["error"].get<std::string>() << '\n';
            continue;
        }
        const std::string op = env["operation"].get<std::string>();
        if (env.contains("fault")) out << "SOAP fault";
        else if (op.empty()) out << "no EWS response in the SOAP body";
        else out << op << (env.contains("request") ? " request (not a response)" : " response");
        out << '\n';
        if (env.contains("fault")) print_status_line(env["fault"], out);
        for (const auto& m : env.value("response_messages", json::array())) {
            print_status_line(m, out);
            for (const auto& nt : m.value("notifications", json::array())) {
                out << "    subscription " << nt["subscription_id"].get<std::string>() << ':';
                for (const auto& e : nt["events"]) out << ' ' << e["type"].get<std::string>();
                out << '\n';
            }
            if (m.contains("subscription_id")) out << "    subscription id " << m["subscription_id"].get<std::string>() << '\n';
            if (m.contains("changes"))
                out << "    " << m["changes"].size() << " change(s), sync state " << m["sync_state"].get<std::string>() << '\n';
            for (const auto& it : m.value("items", json::array()))
                out << "    " << it["kind"].get<std::string>() << " \"" << it["subject"].get<std::string>() << "\"\n";
        }
    }
    if (doc.contains("trailing_bytes"))
        out << "the capture ends inside an unfinished envelope (" << doc["trailing_bytes"].get<std::size_t>()
            << " bytes)\n";
}

}  // namespace

int ews_decode_command(const ews_decode_args& args, std::ostream& out, std::ostream& err) {
    std::ifstream in{args.file, std::ios::binary};
    std::ostringstream buffer;
    if (!in || !(buffer << in.rdbuf())) {
        err << args.file.string() << ": cannot read the file\n";
        return exit_code::bad_message;
    }
    const split_body body = split(buffer.str());
    json doc{{"file", args.file.string()}, {"envelopes", json::array()}};
    bool all_decoded = true;
    for (const auto& text : body.documents) {
        auto parsed = ews::response::parse(text);
        if (const auto* e = std::get_if<ews::parse_error>(&parsed)) {
            all_decoded = false;
            err << args.file.string() << ": " << e->message << '\n';
            doc["envelopes"].push_back({{"error", e->message}});
            continue;
        }
        doc["envelopes"].push_back(envelope_json(std::get<ews::response>(parsed)));
    }
    if (body.trailing_bytes > 0) doc["trailing_bytes"] = body.trailing_bytes;
    // Server text need not be valid UTF-8; replace rather than throw.
    if (args.json) out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    else print_text(doc, out);
    return all_decoded ? exit_code::ok : exit_code::bad_message;
}

}  // namespace ewstrigd::cli
