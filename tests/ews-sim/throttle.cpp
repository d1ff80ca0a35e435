#include "throttle.hpp"

#include "op_handlers.hpp"
#include "soap_writer.hpp"

namespace ewstrigd::sim {

std::optional<std::chrono::milliseconds> request_budget::charge(std::string_view mailbox, clock::time_point now) {
    if (opts_.request_budget == 0) return std::nullopt;
    auto it = windows_.find(mailbox);
    if (it == windows_.end()) it = windows_.emplace(std::string(mailbox), window{now, 0}).first;
    auto& w = it->second;
    if (now - w.start >= opts_.window) w = window{now, 0};  // a fixed window: the budget refills at once
    if (w.used < opts_.request_budget) {
        ++w.used;
        return std::nullopt;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(w.start + opts_.window - now);
    return std::max(left, std::chrono::milliseconds(1));
}

bool stream_limit_reached(const throttle_options& o, std::size_t open_streams) {
    return o.max_streams != 0 && open_streams >= o.max_streams;
}

soap_reply server_busy_reply(std::uint64_t backoff_ms) {
    return {500, soap_fault("ErrorServerBusy", "The server cannot service this request right now. Try again later.",
                            {{"BackOffMilliseconds", std::to_string(backoff_ms)}})};
}

soap_reply exceeded_connection_count_reply() {
    return ok_reply("GetStreamingEvents",
                    response_message("GetStreamingEvents",
                                     {"ErrorExceededConnectionCount",
                                      "You have exceeded the available concurrent connections for your account.  "
                                      "Try again once your other requests have completed."},
                                     ""));
}

}  // namespace ewstrigd::sim
