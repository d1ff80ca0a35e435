#pragma once
// The HTTP test seam: an abstract asynchronous client (asio
// `cpp20/type_erasure` pattern). Production code uses curl_client; tests may
// substitute a fake. No curl header is included here.
//
// Contract of every implementation:
// - Loop affinity: call async_send/async_stream from the thread running the
//   client's io_context; completions and chunk callbacks run on that loop,
//   never inside libcurl's stack, and never inside async_send itself.
// - The completion runs exactly once with (error_code, response):
//   * success: any HTTP status, including 4xx/5xx (EWS faults are 500s with a
//     body); the caller interprets the status;
//   * `ec == boost::system::errc::timed_out` (http::is_timeout) for connect,
//     total and idle timeouts;
//   * `boost::asio::error::operation_aborted` when the completion handler's
//     cancellation slot is emitted (any cancellation type) or the client is
//     destroyed with the request in flight;
//   * other failures in curl_category() or http::errc.
//   The response carries whatever was received before a failure.
// - Connections are reused between requests of the same client.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ewstrigd::http {

enum class method { get, head, post, put, patch, delete_ };

struct header {
    std::string name;
    std::string value;
};
using header_list = std::vector<header>;

struct timeouts {
    std::chrono::milliseconds connect{std::chrono::seconds(30)};
    std::chrono::milliseconds total{0};  ///< 0 = none (streaming requests)
    /// Idle (low-speed) timeout: fail when fewer than `low_speed_bytes` per
    /// second arrive for `idle` (CURLOPT_LOW_SPEED_TIME/LIMIT; 0 = off).
    /// curl averages the rate over its last ~5 seconds, so after a burst the
    /// timeout fires up to ~5 s later than `idle`: keep `idle` well above the
    /// server's keep-alive interval.
    std::chrono::seconds idle{0};
    long low_speed_bytes = 1;
};

struct tls_options {
    bool verify = true;   ///< peer certificate and host name; off only for tests
    std::string ca_file;  ///< PEM bundle replacing the system CAs; empty = system
};

struct no_auth {};
struct bearer_auth {
    std::string token;
};
struct basic_auth {
    std::string username;
    std::string password;
};
struct ntlm_auth {
    std::string username;  ///< DOMAIN\user or user@domain
    std::string password;
};
using auth = std::variant<no_auth, bearer_auth, basic_auth, ntlm_auth>;

struct request {
    http::method method = method::get;
    std::string url;
    header_list headers;
    std::string body;
    http::timeouts timeouts;
    tls_options tls;
    http::auth auth;
    std::size_t max_body_size = std::size_t{64} << 20;  ///< buffered bodies only
};

struct response {
    unsigned status = 0;  ///< of the final response (after auth round trips)
    header_list headers;  ///< of the final response, in arrival order
    std::string body;     ///< empty for streamed 2xx bodies

    /// First header with this name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const;
    /// Retry-After as a delay from `now` (delta-seconds or HTTP-date; a date
    /// in the past gives 0); nullopt when absent or malformed.
    std::optional<std::chrono::seconds> retry_after(std::chrono::system_clock::time_point now) const;
};

/// Receives a streamed 2xx body piece by piece, in order; returns false to
/// stop the transfer (which then completes with errc::receiver_stopped).
/// Runs on the loop outside libcurl, so it may cancel or start requests; it
/// must not destroy the client. Bodies of non-2xx responses are not streamed
/// but collected into response::body.
using chunk_handler = std::function<bool(std::string_view)>;

using send_signature = void(boost::system::error_code, response);

class client {
public:
    virtual ~client() = default;

    template <boost::asio::completion_token_for<send_signature> Token>
    auto async_send(request req, Token&& token) {
        return boost::asio::async_initiate<Token, send_signature>(
            [this](auto handler, request r) { async_send_impl(std::move(r), {}, std::move(handler)); },
            token, std::move(req));
    }

    /// Like async_send, but a 2xx body goes to `on_chunk` as it arrives.
    template <boost::asio::completion_token_for<send_signature> Token>
    auto async_stream(request req, chunk_handler on_chunk, Token&& token) {
        return boost::asio::async_initiate<Token, send_signature>(
            [this](auto handler, request r, chunk_handler c) {
                async_send_impl(std::move(r), std::move(c), std::move(handler));
            },
            token, std::move(req), std::move(on_chunk));
    }

private:
    /// `on_chunk` empty = buffer the body into response::body.
    virtual void async_send_impl(request req, chunk_handler on_chunk,
                                 boost::asio::any_completion_handler<send_signature> handler) = 0;
};

}  // namespace ewstrigd::http
