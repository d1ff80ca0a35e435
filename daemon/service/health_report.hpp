#pragma once
// What /healthz and /status.json say about the mailboxes (pure: values in,
// JSON text out). The daemon provides the rows; see health_server.hpp.

#include "service/metrics.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::service {

struct mailbox_health {
    std::string id;
    /// watch::to_string(connection_state) ("connecting", "connected",
    /// "backing_off", "failed", "stopped") or "idle" for a mailbox that is
    /// deliberately not watched right now.
    std::string state;
    std::optional<std::chrono::system_clock::time_point> last_event;  // last item that enqueued actions
    std::string last_error;                                          // "" = none; never holds secrets
    std::uint64_t outbox_pending = 0;
};

/// Healthy states: "connected" and "idle". Everything else (including
/// "connecting" right after start) makes /healthz answer 503.
bool is_healthy_state(std::string_view state) noexcept;

struct health_verdict {
    bool healthy = true;
    std::string json;  // {"status":"ok","mailboxes":N} or {"status":"failing",...,"failing":[...]}
};
health_verdict health_json(const std::vector<mailbox_health>& rows);

/// {"version":V,"healthy":B,"mailboxes":[{"id","state","last_event"(RFC 3339 UTC or null),
///  "last_error","outbox_pending"}]} — read by `ewstrigd status`.
std::string status_json(const std::vector<mailbox_health>& rows, std::string_view version);

/// systemd's STATUS= text: "N/M mailboxes connected" (N = rows in "connected").
std::string connected_summary(const std::vector<mailbox_health>& rows);

/// Rebuilds ewstrigd_mailboxes{state} from the rows (for registry::on_collect).
void count_states(metrics::family<metrics::gauge>& mailboxes, const std::vector<mailbox_health>& rows);

/// 2026-11-28T15:04:05Z
std::string rfc3339_utc(std::chrono::system_clock::time_point t);

}  // namespace ewstrigd::service
