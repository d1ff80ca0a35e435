#include "faults.hpp"
#include "ascii.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace ewstrigd::sim {
namespace {

constexpr std::array<std::pair<std::string_view, fault_kind>, 9> names{{
    {"drop-streams", fault_kind::drop_streams},
    {"stall-streams", fault_kind::stall_streams},
    {"http-status", fault_kind::http_status},
    {"server-busy", fault_kind::server_busy},
    {"expire-subscriptions", fault_kind::expire_subscriptions},
    {"invalidate-sync-states", fault_kind::invalidate_sync_states},
    {"delay", fault_kind::delay},
    {"garbage", fault_kind::garbage},
    {"unauthorized", fault_kind::unauthorized},
}};


}  // namespace

std::string_view to_string(fault_kind k) {
    for (const auto& [name, kind] : names) {
        if (kind == k) return name;
    }
    return "";
}

std::variant<fault, std::string> parse_fault(std::string_view text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::string("body is not a JSON object");
    if (!j.contains("kind") || !j["kind"].is_string()) return std::string("\"kind\" (string) is required");
    fault f;
    const auto kind = j["kind"].get<std::string>();
    const auto it = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == kind; });
    if (it == names.end()) return "unknown fault kind \"" + kind + "\"";
    f.kind = it->second;
    try {
        if (j.contains("mailbox") && !j["mailbox"].is_null()) f.mailbox = ascii_lower(j["mailbox"].get<std::string>());
        if (j.contains("operation") && !j["operation"].is_null()) f.operation = j["operation"].get<std::string>();
        if (j.contains("count")) f.count = j["count"].get<std::uint64_t>();
        if (j.contains("status")) f.status = j["status"].get<unsigned>();
        if (j.contains("backoff_ms")) f.backoff_ms = j["backoff_ms"].get<std::uint64_t>();
        if (j.contains("delay_ms")) f.delay_ms = j["delay_ms"].get<std::uint64_t>();
    } catch (const nlohmann::json::exception& e) {
        return std::string("bad field type: ") + e.what();
    }
    if (f.kind == fault_kind::http_status && (f.status < 100 || f.status > 599)) {
        return std::string("\"status\" must be an HTTP status code");
    }
    if (f.count == 0) return std::string("\"count\" must be at least 1");
    return f;
}

template <class Pred>
std::optional<fault> fault_list::take(std::string_view mailbox, Pred pred) {
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (!pred(*it) || (it->mailbox && *it->mailbox != mailbox)) continue;
        auto f = *it;
        if (--it->count == 0) faults_.erase(it);
        return f;
    }
    return std::nullopt;
}

std::optional<fault> fault_list::take_request_fault(std::string_view mailbox, std::string_view operation) {
    return take(mailbox, [&](const fault& f) {
        return !f.is_stream_fault() && !f.is_state_fault() && (!f.operation || *f.operation == operation);
    });
}

std::optional<fault> fault_list::take_stream_fault(std::string_view mailbox) {
    return take(mailbox, [](const fault& f) { return f.is_stream_fault(); });
}

}  // namespace ewstrigd::sim
