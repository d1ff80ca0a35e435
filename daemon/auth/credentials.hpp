#pragma once
// What every EWS request asks before it is sent: the credentials to put on
// it. One provider per mailbox: static ones for basic/ntlm, token-backed ones
// for the OAuth kinds (single flight, refreshed ahead of expiry).
//
// Contract of every implementation:
// - async_credentials completes exactly once on the caller's loop, never
//   inside the call itself, with either credentials (failure empty) or a
//   failure saying why none can be had (no credentials then).
// - invalidate() is called after the server rejected credentials (HTTP 401):
//   the next async_credentials must not hand out the same token again (an
//   OAuth provider refreshes; a static provider cannot, and fails with
//   `configuration` after a rejected password so the mailbox stops retrying
//   in a tight loop).
// - No token, password or secret ever appears in a failure's text.

#include "auth/token_failure.hpp"
#include "http/client.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ewstrigd::auth {

struct credential_failure {
    failure_kind kind = failure_kind::transient;  // interaction_required = needs `ewstrigd login`
    std::optional<std::chrono::milliseconds> retry_after;
    std::string explanation;  // plain words for logs, health and `connect`
};

using credentials_signature = void(std::optional<credential_failure>, http::auth);

class credential_provider {
public:
    virtual ~credential_provider() = default;

    template <boost::asio::completion_token_for<credentials_signature> Token>
    auto async_credentials(Token&& token) {
        return boost::asio::async_initiate<Token, credentials_signature>(
            [this](auto handler) { async_credentials_impl(std::move(handler)); }, token);
    }

    virtual void invalidate() = 0;

private:
    virtual void async_credentials_impl(boost::asio::any_completion_handler<credentials_signature> handler) = 0;
};

}  // namespace ewstrigd::auth
