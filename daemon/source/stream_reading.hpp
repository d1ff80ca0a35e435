#pragma once
// Reading one GetStreamingEvents response as it arrives, shared by a
// mailbox's own stream (ews_source) and a group's (stream_hub): frames split
// out of the chunked body (ews-protocol.md §2.3), and the decision the
// exchange ends with.

#include "ews/envelope_splitter.hpp"
#include "ews/error_policy.hpp"
#include "ews/response.hpp"
#include "source/exchange.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::source {

struct stream_reading {
    ews::envelope_splitter splitter;
    bool closed = false;                   // a frame said ConnectionStatus Closed
    std::optional<ews::decision> failure;  // why reading stopped early
};

// Handed one complete frame; sets st.failure or st.closed and returns false
// to stop reading.
using frame_reader = std::function<bool(const ews::response& frame, stream_reading& st)>;

// Feeds `bytes` to the splitter and each complete frame to `on_frame`; false
// once reading should stop (framing or XML trouble sets st.failure).
bool read_stream_chunk(stream_reading& st, std::string_view bytes, const frame_reader& on_frame);

// The decision an exchange ends with: proceed when it ended normally (Closed,
// or a hang-up between frames: listen again), else what went wrong.
ews::decision stream_outcome(const exchange_reply& reply, const stream_reading& st, std::chrono::seconds idle);

// The GetStreamingEvents request for `subscription_ids` with ConnectionTimeout
// `connection_timeout`, and the timeouts its exchange runs with (dead after
// `idle` without bytes). Shared by stream_events and own_stream.
std::string streaming_request_body(const ews::request_context& ctx, std::vector<std::string> subscription_ids,
                                   std::chrono::minutes connection_timeout);
http::timeouts streaming_timeouts(std::chrono::seconds idle);

// One GetStreamingEvents exchange through `via` for `subscription_ids`
// (ConnectionTimeout `connection_timeout`, dead after `idle` without bytes),
// each frame handed to `on_frame`; the decision it ends with (stream_outcome).
boost::asio::awaitable<ews::decision> stream_events(channel& via, std::vector<std::string> subscription_ids,
                                                     std::chrono::minutes connection_timeout,
                                                     std::chrono::seconds idle, const frame_reader& on_frame);

// The decision for an Error response message.
ews::decision message_decision(const ews::ews_status& s);

}  // namespace ewstrigd::source
