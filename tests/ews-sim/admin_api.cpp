#include "admin_api.hpp"

#include "base64.hpp"
#include "delivery.hpp"
#include "time_format.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ewstrigd::sim {
namespace {

using nlohmann::json;

admin_reply error(unsigned status, std::string_view message) {
    return {status, json{{"error", message}}.dump()};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// "/admin/a/b" -> {"admin", "a", "b"}, percent-decoded, query dropped.
std::vector<std::string> segments(std::string_view target) {
    target = target.substr(0, target.find('?'));
    std::vector<std::string> out;
    while (!target.empty()) {
        if (target.front() == '/') {
            target.remove_prefix(1);
            continue;
        }
        const auto slash = target.find('/');
        out.push_back(percent_decode(target.substr(0, slash)));
        target = slash == std::string_view::npos ? std::string_view{} : target.substr(slash);
    }
    return out;
}

json addresses(const std::vector<mail_address>& list) {
    auto out = json::array();
    for (const auto& a : list) out.push_back(a.email);
    return out;
}

// The fields of `m` a test checks: recipients, headers (first value of each name), body, attachment names,
// and the attachments themselves (so a test can compare bytes).
json message_fields(const message& m) {
    json headers = json::object();
    for (const auto& [name, value] : m.headers) {
        if (!headers.contains(name)) headers[name] = value;
    }
    auto attachment_names = json::array();
    auto attachment_contents = json::array();
    for (const auto& a : m.attachments) {
        attachment_names.push_back(a.name);
        attachment_contents.push_back(
            {{"name", a.name}, {"content_type", a.content_type}, {"content_base64", base64_encode(a.content)}});
    }
    return {{"subject", m.subject},       {"from", m.from.email},        {"to", addresses(m.to)},
            {"cc", addresses(m.cc)},      {"bcc", addresses(m.bcc)},     {"headers", headers},
            {"body", m.body},             {"body_type", m.body_is_html ? "HTML" : "Text"},
            {"message_id", m.internet_message_id}, {"attachments", attachment_names},
            {"attachment_contents", attachment_contents}};
}

// GET: the backend server the mailbox lives on; POST {"backend": NAME}: moves
// it there, and its subscriptions are gone, as when Exchange moves a mailbox.
admin_reply mailbox_backend(store& st, stream_control& streams, std::string_view method, std::string_view address,
                            std::string_view body) {
    if (method == "GET") return {200, json{{"backend", st.backends().backend_of(address)}}.dump()};
    if (method != "POST") return error(405, "use GET or POST");
    const auto request = json::parse(body, nullptr, false);
    if (!request.is_object() || !request.contains("backend") || !request["backend"].is_string() ||
        request["backend"].get<std::string>().empty())
        return error(400, "want {\"backend\": \"NAME\"}");
    st.backends().move(address, request["backend"].get<std::string>());
    const auto dropped = st.expire_subscriptions(address);
    streams.events_queued();  // open streams notice and send their error frame
    return {200, json{{"backend", st.backends().backend_of(address)}, {"subscriptions_dropped", dropped}}.dump()};
}

}  // namespace

admin_reply admin_api::handle(std::string_view method, std::string_view target, std::string_view content_type,
                              std::string_view body, time_point now) {
    const auto seg = segments(target);
    if (seg.size() == 6 && seg[0] == "admin" && seg[1] == "mailboxes" && seg[3] == "folders" && seg[5] == "messages") {
        if (method == "POST") return deliver(seg[2], seg[4], content_type, body, now);
        if (method == "GET") return list(seg[2], seg[4]);
        return error(405, "use GET or POST");
    }
    if (seg.size() == 6 && seg[0] == "admin" && seg[1] == "mailboxes" && seg[3] == "folders" && seg[5] == "notify") {
        if (method == "POST") return notify(seg[2], seg[4], body, now);
        return error(405, "use POST");
    }
    if (seg.size() == 4 && seg[0] == "admin" && seg[1] == "mailboxes" && seg[3] == "sent") {
        if (method == "GET") return sent(seg[2]);
        return error(405, "use GET");
    }
    if (seg.size() == 4 && seg[0] == "admin" && seg[1] == "mailboxes" && seg[3] == "backend") {
        return mailbox_backend(store_, streams_, method, seg[2], body);
    }
    if (seg.size() == 2 && seg[0] == "admin" && seg[1] == "faults") {
        if (method == "POST") return add_fault(body);
        if (method == "DELETE") {
            faults_.clear();
            return {200, json{{"cleared", true}}.dump()};
        }
        return error(405, "use POST or DELETE");
    }
    if (seg.size() == 2 && seg[0] == "admin" && seg[1] == "stats") {
        if (method == "GET") return stats_reply();
        return error(405, "use GET");
    }
    return error(404, "no such admin route");
}

admin_reply admin_api::deliver(std::string_view address, std::string_view folder_name, std::string_view content_type,
                               std::string_view body, time_point now) {
    if (address.find('@') == std::string_view::npos) return error(400, "the mailbox must be an SMTP address");
    const bool raw = content_type.starts_with("message/rfc822");
    auto parsed = raw ? message_from_rfc822(body) : message_from_json(body);
    if (auto* err = std::get_if<std::string>(&parsed)) return error(400, *err);
    auto& mb = store_.open_mailbox(address);
    const auto folder_id = store_.open_folder(mb, folder_name).id;
    const auto& item = store_.deliver(mb, folder_id, std::move(std::get<message>(parsed)), now);
    streams_.events_queued();
    return {201, json{{"item_id", item.id}}.dump()};
}

admin_reply admin_api::list(std::string_view address, std::string_view folder_name) {
    auto* mb = store_.find_mailbox(address);
    const auto* f = mb ? mb->find_folder_by_name(folder_name) : nullptr;
    if (!f) return error(404, "no such mailbox or folder");
    std::vector<const stored_item*> items;
    for (const auto& [id, item] : mb->items) {
        if (item.folder_id == f->id) items.push_back(&item);
    }
    std::stable_sort(items.begin(), items.end(), [](const auto* a, const auto* b) { return a->received < b->received; });
    auto out = json::array();
    for (const auto* item : items) {
        auto entry = message_fields(item->msg);
        entry.update({{"item_id", item->id}, {"is_read", item->is_read}, {"received", xs_datetime(item->received)}});
        out.push_back(std::move(entry));
    }
    return {200, out.dump()};
}

// Notifications without mail, for benchmarks: a client that fetches the item finds it (the folder's newest),
// one that syncs finds nothing new. An empty folder has no item to name, and an invented id would make
// fetching clients fail, so that is refused.
admin_reply admin_api::notify(std::string_view address, std::string_view folder_name, std::string_view body,
                              time_point now) {
    constexpr unsigned max_count = 10000;
    unsigned count = 1;
    if (!body.empty()) {
        const auto request = json::parse(body, nullptr, false);
        if (!request.is_object()) return error(400, "want {\"count\": N} or no body");
        if (request.contains("count")) {
            const auto& c = request["count"];
            if (!c.is_number_unsigned() || c.get<std::uint64_t>() < 1 || c.get<std::uint64_t>() > max_count)
                return error(400, "count must be a whole number from 1 to " + std::to_string(max_count));
            count = c.get<unsigned>();
        }
    }
    auto* mb = store_.find_mailbox(address);
    const auto* f = mb ? mb->find_folder_by_name(folder_name) : nullptr;
    if (!f) return error(404, "no such mailbox or folder");
    const auto* item = store_.newest_item(*mb, f->id);
    if (!item) return error(409, "the folder is empty: a notification names an item, deliver one first");
    const auto reached = store_.notify_new_mail(*mb, *item, count, now);
    streams_.events_queued();
    return {200, json{{"item_id", item->id}, {"events", count}, {"subscriptions", reached}}.dump()};
}

admin_reply admin_api::sent(std::string_view address) {
    const auto* mb = store_.find_mailbox(address);
    if (!mb) return error(404, "no such mailbox");
    auto out = json::array();
    for (const auto& s : mb->sent) {
        auto entry = message_fields(s.msg);
        entry.update({{"sent", xs_datetime(s.sent)}, {"delivered_to", s.delivered_to}, {"external", s.external}});
        out.push_back(std::move(entry));
    }
    return {200, out.dump()};
}

admin_reply admin_api::add_fault(std::string_view body) {
    auto parsed = parse_fault(body);
    if (auto* err = std::get_if<std::string>(&parsed)) return error(400, *err);
    auto f = std::get<fault>(parsed);
    std::uint64_t applied = 0;
    switch (f.kind) {
    case fault_kind::expire_subscriptions:
        applied = store_.expire_subscriptions(f.mailbox ? std::optional<std::string_view>(*f.mailbox) : std::nullopt);
        streams_.events_queued();  // open streams notice and send their error frame
        break;
    case fault_kind::invalidate_sync_states:
        store_.invalidate_sync_states(f.mailbox ? std::optional<std::string_view>(*f.mailbox) : std::nullopt);
        applied = 1;
        break;
    case fault_kind::drop_streams:
    case fault_kind::stall_streams:
        applied = streams_.apply_to_open_streams(f);
        if (applied < f.count) {
            f.count -= applied;
            faults_.add(f);
        }
        break;
    default: faults_.add(f); break;
    }
    stats_.faults_injected += applied;
    return {201, json{{"kind", to_string(f.kind)}, {"applied_now", applied}}.dump()};
}

admin_reply admin_api::stats_reply() {
    json ops = json::object();
    for (const auto& [op, n] : stats_.requests_by_operation) ops[op] = n;
    return {200, json{{"requests_by_operation", ops},
                      {"open_streaming_connections", streams_.open_streams()},
                      {"streams_opened", stats_.streams_opened},
                      {"subscriptions", store_.subscription_count()},
                      {"backends", store_.backends().count()},
                      {"mailboxes", store_.mailboxes().size()},
                      {"unauthorized", stats_.unauthorized},
                      {"faults_injected", stats_.faults_injected},
                      {"throttled", stats_.throttled},
                      {"pending_faults", faults_.pending().size()}}
                     .dump()};
}

}  // namespace ewstrigd::sim
