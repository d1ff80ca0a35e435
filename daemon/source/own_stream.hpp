#pragma once
// A mailbox's own GetStreamingEvents exchange (not grouped, stream_hub.hpp)
// as one small callback-driven operation instead of a chain of coroutines.
// Why: an idle mailbox waits up to 30 minutes in it, and the suspended
// coroutine frames of that wait were about 6 KB per mailbox (issue 8,
// docs/ews-source.md "Own streams without coroutines"); this object is
// about 0.45 KB.
//
// Steps, as channel::exchange takes them: credentials from the channel's
// provider, the request (channel::request_for, streaming_request_body) on
// the channel's stream client, frames read as they arrive, a 401 answered by
// invalidate() and exactly one retry with fresh credentials. Each frame's
// news goes to listener.on_news; the outcome (stream_outcome) to
// listener.on_end and then to the completion handler.
//
// Cancellation: any type emitted on the handler's associated slot cancels
// the credential fetch (when the provider supports it) or the stream, and
// the operation completes with cancelled_decision().
//
// Loop affinity: start and complete on the channel's loop; the handler runs
// exactly once, never inside async_own_stream. `via`, `listener` and the
// text `subscription_id` views outlive the operation.

#include "source/exchange.hpp"
#include "source/mail_source.hpp"
#include "source/stream_hub.hpp"

#include <boost/asio/any_completion_handler.hpp>

#include <chrono>
#include <string_view>

namespace ewstrigd::source {

struct own_stream_limits {
    std::chrono::minutes connection_timeout{29};  // GetStreamingEvents ConnectionTimeout
    std::chrono::seconds idle{120};               // dead after this long without bytes
};

void async_own_stream(channel& via, stream_listener& listener, std::string_view subscription_id,
                      own_stream_limits limits, boost::asio::any_completion_handler<listen_signature> handler);

}  // namespace ewstrigd::source
