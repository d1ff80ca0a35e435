#include "service/health_report.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace ewstrigd::service {

bool is_healthy_state(std::string_view state) noexcept { return state == "connected" || state == "idle"; }

health_verdict health_json(const std::vector<mailbox_health>& rows) {
    nlohmann::json failing = nlohmann::json::array();
    for (const auto& r : rows) {
        if (is_healthy_state(r.state)) continue;
        failing.push_back({{"mailbox", r.id}, {"state", r.state}, {"last_error", r.last_error}});
    }
    health_verdict v;
    v.healthy = failing.empty();
    nlohmann::json body = {{"status", v.healthy ? "ok" : "failing"}, {"mailboxes", rows.size()}};
    if (!v.healthy) body["failing"] = std::move(failing);
    // replace: mail-derived error text may hold invalid UTF-8; never throw here.
    v.json = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
    return v;
}

std::string status_json(const std::vector<mailbox_health>& rows, std::string_view version) {
    nlohmann::json list = nlohmann::json::array();
    bool healthy = true;
    for (const auto& r : rows) {
        healthy = healthy && is_healthy_state(r.state);
        list.push_back({{"id", r.id},
                        {"state", r.state},
                        {"last_event", r.last_event ? nlohmann::json(rfc3339_utc(*r.last_event)) : nlohmann::json()},
                        {"last_error", r.last_error},
                        {"outbox_pending", r.outbox_pending}});
    }
    const nlohmann::json body = {{"version", version}, {"healthy", healthy}, {"mailboxes", std::move(list)}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

std::string connected_summary(const std::vector<mailbox_health>& rows) {
    std::size_t connected = 0;
    for (const auto& r : rows) connected += r.state == "connected" ? 1u : 0u;
    return std::to_string(connected) + "/" + std::to_string(rows.size()) + " mailboxes connected";
}

void count_states(metrics::family<metrics::gauge>& mailboxes, const std::vector<mailbox_health>& rows) {
    mailboxes.clear();
    // The common states always appear, so "0 connected" is visible rather than absent.
    for (const char* s : {"connecting", "connected", "backing_off", "failed"}) mailboxes.with({s}).set(0);
    for (const auto& r : rows) mailboxes.with({r.state}).inc();
}

std::string rfc3339_utc(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace ewstrigd::service
