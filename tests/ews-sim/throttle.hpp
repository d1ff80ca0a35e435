#pragma once
// Exchange-like throttling for ews-sim, off unless options turn it on (issue 3):
// - a per-mailbox cap on open GetStreamingEvents connections, Exchange's
//   HangingConnectionLimit (10 Online, 3 on-premises 2013), answered with
//   ErrorExceededConnectionCount as Exchange does (ews-protocol.md §3.2/§3.3);
// - a per-mailbox cap on live subscriptions (EWSMaxSubscriptions), kept by
//   the store (store::set_subscription_limit), answered with
//   ErrorExceededSubscriptionCount;
// - a per-mailbox budget of EWS requests per fixed window, answered with an
//   ErrorServerBusy SOAP fault whose BackOffMilliseconds is the time left in
//   the window (Exchange's own back-off hints are minutes; §3.1).
// Pure: the HTTP layer passes the clock and the open-stream count.
#include "operations.hpp"
#include "options.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::sim {

class request_budget {
public:
    using clock = std::chrono::steady_clock;

    explicit request_budget(throttle_options o) : opts_(o) {}

    // Charges one request of `mailbox` at `now`; the back-off to answer when
    // the window's budget is spent (the request is then not charged).
    std::optional<std::chrono::milliseconds> charge(std::string_view mailbox, clock::time_point now);

private:
    struct window {
        clock::time_point start;
        unsigned used = 0;
    };
    throttle_options opts_;
    std::map<std::string, window, std::less<>> windows_;
};

// True when a mailbox that already has `open_streams` may not open another.
bool stream_limit_reached(const throttle_options& o, std::size_t open_streams);

// The ErrorServerBusy SOAP fault (HTTP 500) with BackOffMilliseconds, shaped
// like soapfault-errorserverbusy-backoffmilliseconds.xml.
soap_reply server_busy_reply(std::uint64_t backoff_ms);

// GetStreamingEvents refused for too many open connections (HTTP 200, one Error message).
soap_reply exceeded_connection_count_reply();

}  // namespace ewstrigd::sim
