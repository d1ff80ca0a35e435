#pragma once
// Faults injected through POST /admin/faults (issue 3): parsed from JSON,
// kept until `count` matching requests consumed them or DELETE clears them.
// Pure; the HTTP layer asks which fault applies to each request.
//
// Request faults (consumed per EWS request to a matching mailbox):
// http-status, server-busy, delay, garbage, unauthorized; "operation" limits
// one to requests of that EWS operation (e.g. CreateItem, to test send retries).
// Stream faults (drop-streams, stall-streams) hit open GetStreamingEvents
// connections at once, and any remaining count hits the next ones opened.
// State faults (expire-subscriptions, invalidate-sync-states) act once on
// POST and are not kept.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ewstrigd::sim {

enum class fault_kind {
    drop_streams,
    stall_streams,
    http_status,
    server_busy,
    expire_subscriptions,
    invalidate_sync_states,
    delay,
    garbage,
    unauthorized,
};

std::string_view to_string(fault_kind k);  // the JSON name, e.g. "drop-streams"

struct fault {
    fault_kind kind = fault_kind::server_busy;
    std::optional<std::string> mailbox;  // lower-case; nullopt = every mailbox
    std::optional<std::string> operation;  // request faults: only this EWS operation ("CreateItem"); nullopt = any
    std::uint64_t count = 1;
    unsigned status = 503;               // http-status
    std::uint64_t backoff_ms = 30000;    // server-busy
    std::uint64_t delay_ms = 1000;       // delay

    bool is_stream_fault() const { return kind == fault_kind::drop_streams || kind == fault_kind::stall_streams; }
    bool is_state_fault() const {
        return kind == fault_kind::expire_subscriptions || kind == fault_kind::invalidate_sync_states;
    }
};

// The fault a JSON body describes, or what is wrong with it.
std::variant<fault, std::string> parse_fault(std::string_view json);

class fault_list {
public:
    void add(fault f) { faults_.push_back(std::move(f)); }
    void clear() { faults_.clear(); }
    const std::vector<fault>& pending() const { return faults_; }

    // The first request fault matching `mailbox` and `operation`, with one use consumed.
    std::optional<fault> take_request_fault(std::string_view mailbox, std::string_view operation = {});
    // The first stream fault matching `mailbox`, with one use consumed.
    std::optional<fault> take_stream_fault(std::string_view mailbox);

private:
    template <class Pred>
    std::optional<fault> take(std::string_view mailbox, Pred pred);
    std::vector<fault> faults_;
};

}  // namespace ewstrigd::sim
