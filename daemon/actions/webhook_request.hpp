#pragma once
// The pure halves of the webhook action: the request it sends and what an
// answer means (docs/actions.md, "webhook").

#include "actions/job.hpp"
#include "http/client.hpp"

#include <boost/system/error_code.hpp>

#include <chrono>

namespace ewstrigd::actions {

// Method and URL from the config, the event document (event_json) as body,
// Content-Type, the configured headers expanded, Idempotency-Key
// "<event_id>/<trigger>/<action_index>", X-Ewstrigd-Event and, with a
// signing secret, X-Ewstrigd-Signature "sha256=<hex HMAC-SHA256 of the body>".
// CR, LF and NUL in expanded header values become spaces (mail text must not
// add headers). `timeout` bounds the whole exchange.
http::request build_webhook_request(const config::webhook_action& hook, const job& j,
                                    std::chrono::milliseconds timeout);

// scheme://host[:port] of `url`, without user info, path or query (which
// may carry a token): what the log shows of a webhook's target.
std::string loggable_origin(std::string_view url);

// 2xx done; 408, 429 and 5xx retry (Retry-After honoured); other answers
// dead. Transport failures: a malformed URL or an unsupported scheme is
// dead, everything else (refused, reset, DNS, TLS, timeout) retries.
outcome classify_webhook_answer(const boost::system::error_code& ec, const http::response& res,
                                std::chrono::system_clock::time_point now);

}  // namespace ewstrigd::actions
