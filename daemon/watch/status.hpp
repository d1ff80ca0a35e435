#pragma once
// Per-mailbox health as the watch loop sees it, for logs, `status` and the
// health endpoint. Plain data, copied out of the watcher. Counts are in
// watch_totals (totals.hpp), summed over mailboxes.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::watch {

enum class connection_state {
    connecting,   // started, nothing answered yet
    connected,    // the last exchange with the server succeeded
    backing_off,  // waiting before a retry (throttled, network, credentials)
    failed,       // will not work without a change (permission, config, login); retried slowly
    stopped,
};
std::string_view to_string(connection_state s);

struct mailbox_status {
    std::string mailbox;
    connection_state state = connection_state::connecting;
    std::string last_error;  // "CODE: reason" of the last failure; kept after recovery
    std::optional<std::chrono::system_clock::time_point> last_error_time;
    std::optional<std::chrono::system_clock::time_point> last_ring;   // last doorbell
    std::optional<std::chrono::system_clock::time_point> last_sync;   // last completed sync of any folder
    std::optional<std::chrono::system_clock::time_point> last_event;  // last item that enqueued actions
};

}  // namespace ewstrigd::watch
