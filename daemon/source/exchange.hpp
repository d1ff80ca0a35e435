#pragma once
// One EWS exchange of a mailbox: credentials from the provider, the SOAP
// request POSTed with the context's headers, a 401 answered by invalidate()
// and exactly one retry with fresh credentials, and the answer parsed.
// Shared by every operation of ews_source; the operation decides what the
// parsed answer means (classify_reply below covers the common case).
//
// Coroutines on the caller's loop; `channel` must outlive them. Cancellation
// of the awaiting coroutine (terminal) cancels the HTTP request in flight and
// yields failure {transient, "cancelled"}. Log lines carry mailbox=, op= and
// the code; never a credential (failure texts of providers never hold one).

#include "auth/credentials.hpp"
#include "ews/error_policy.hpp"
#include "ews/requests.hpp"
#include "ews/response.hpp"
#include "http/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::source {

// Where a mailbox's requests go and how that server is checked: the same for
// every mailbox of a server, so they share one copy (10,000 mailboxes:
// issue 8; source/interned.hpp).
struct endpoint {
    std::string url;
    http::tls_options tls;

    bool operator==(const endpoint& o) const {
        return url == o.url && tls.verify == o.tls.verify && tls.ca_file == o.tls.ca_file;
    }
    friend std::size_t hash_value(const endpoint& e) { return std::hash<std::string>{}(e.url); }
};

struct channel_settings {
    std::string mailbox_id;                  // for log lines
    std::shared_ptr<const endpoint> server;  // none: requests to an empty URL (they fail)
    ews::request_context context;
    std::chrono::milliseconds request_timeout{std::chrono::minutes{2}};  // total, ordinary requests
};

struct exchange_reply {
    // Set when there is no EWS answer to interpret: no credentials, network
    // failure, cancellation, or 401 even after fresh credentials.
    std::optional<ews::decision> failure;
    http::response http;
    std::optional<ews::response> body;  // when the body parsed as a SOAP envelope
    boost::system::error_code ec;       // of the HTTP exchange (streams end with one)
};

// The decision for `r` as a whole (ews::classify of status, Retry-After and body).
ews::decision classify_reply(const exchange_reply& r);

// The problem with `r` when it is not a usable 200 answer to `operation`
// (no credentials, network, HTTP status, SOAP fault, another operation).
// Response messages of class Error are left to the caller, which knows
// which per-item codes are harmless.
std::optional<ews::decision> reply_problem(const exchange_reply& r, std::string_view operation);

// The first Error message of `r` (already known to be a usable answer) as
// `decide` judges it, or proceed.
ews::decision first_error(const ews::response& r, ews::decision (*decide)(const ews::ews_status&));

// The "source" logger every part of the source logs to.
std::shared_ptr<spdlog::logger> logger();

// The decision the cancellation of an operation completes with.
ews::decision cancelled_decision();

// Whether the awaiting coroutine was cancelled.
boost::asio::awaitable<bool> is_cancelled();

// The decision when no credentials can be had (the provider's failure).
ews::decision credential_decision(const auth::credential_failure& f);

// Parses the buffered body of `r.http` (a stream's non-2xx answer too) into
// `r.body` when it is a SOAP envelope.
void parse_reply_body(exchange_reply& r);

class channel {
public:
    // `streams` carries the requests with `on_chunk` (GetStreamingEvents);
    // null: `client` carries them too.
    channel(http::client& client, auth::credential_provider& credentials, channel_settings settings,
            http::client* streams = nullptr);

    const channel_settings& settings() const { return settings_; }

    // The X-BackEndOverrideCookie later Subscribe and GetStreamingEvents
    // requests carry (grouped streams, stream_hub.hpp); nullopt = none.
    void set_backend_override_cookie(std::optional<std::string> cookie) {
        settings_.context.backend_override_cookie = std::move(cookie);
    }

    // Sends `body` as operation `op`. With `on_chunk`, a 2xx body is
    // streamed to it with `timeouts` (see http::timeouts) instead of
    // buffered, and `body` of the reply stays empty. Logs nothing: the
    // operation logs its outcome once (log_failure).
    boost::asio::awaitable<exchange_reply> exchange(ews::operation op, std::string body,
                                                    http::chunk_handler on_chunk = {},
                                                    std::optional<http::timeouts> timeouts = std::nullopt);

    // Logs a failed outcome of operation `what` (warn; error for permanent;
    // nothing for proceed and cancellation).
    void log_failure(std::string_view what, const ews::decision& d) const;

    // The parts of exchange() for operations that are not coroutines
    // (own_stream.hpp): where credentials come from, the client carrying
    // streams, the request for `body` with `auth`, and what an answer means
    // for the credentials.
    auth::credential_provider& credentials() { return credentials_; }
    http::client& streams() { return streams_; }
    // `timeouts` unset: the settings' request_timeout, total.
    http::request request_for(ews::operation op, std::string body, http::auth auth,
                              std::optional<http::timeouts> timeouts) const;
    // After the answer of attempt `attempt` (0, 1) arrived in `reply`: a 401
    // invalidates the credentials; true when the request should be sent once
    // more with fresh ones (the first 401); a second 401 sets reply.failure.
    bool retry_with_fresh_credentials(exchange_reply& reply, int attempt);

private:
    http::client& client_;
    http::client& streams_;
    auth::credential_provider& credentials_;
    channel_settings settings_;
};

}  // namespace ewstrigd::source
