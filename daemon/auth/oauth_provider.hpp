#pragma once
// The token service of one OAuth mailbox: a credential_provider (see
// credentials.hpp for the contract) that hands out Bearer tokens.
//
// - oauth-delegated: refresh-token grant with the refresh token from the
//   token_store (written by `ewstrigd login`). A rotated refresh token is
//   saved (atomically) BEFORE the new access token is handed out; the
//   access token is cached in the store too, so a restart needs no refresh.
//   Before each refresh the store is re-read: a newer sign-in (`login` run
//   while the daemon runs) is adopted.
// - oauth-app: client credentials with a client secret or a certificate
//   (client assertion); nothing is stored.
// - Endpoints come from OIDC discovery through the shared endpoint_cache.
// - Refresh ahead of expiry (token_policy, jittered per mailbox): a caller
//   after refresh_at still gets the current token at once and starts a
//   background refresh; a caller without a usable token waits for it.
//   Single flight: one token request at a time, all waiters answered by it.
// - Transient failures (network, timeouts, 429, 5xx, garbage): back off
//   (util::backoff, Retry-After honoured); meanwhile the old token is used
//   while usable, otherwise callers fail at once with `retry_after` set.
// - invalid_grant / interaction_required and friends: this mailbox fails with
//   failure_kind::interaction_required ("run `ewstrigd login ID`") without
//   further token requests until the store holds a newer sign-in.
// - invalidate() (EWS said 401): the cached token is dropped; the next caller
//   triggers one refresh.
//
// Loop affinity: construct, use and destroy on the thread running the
// http::client's loop; the client, the endpoint_cache and the store outlive
// the provider. Destroying it answers waiting callers with a transient
// failure ("shutting down") and abandons an in-flight request.

#include "auth/credentials.hpp"
#include "auth/endpoint_cache.hpp"
#include "auth/oauth_settings.hpp"
#include "auth/token_policy.hpp"
#include "auth/token_store.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace ewstrigd::auth {

// Token requests of many providers added up (the daemon's /metrics reads
// them; plain counters, so auth/ knows nothing of how they are exported).
struct refresh_counts {
    std::uint64_t succeeded = 0;  // a token was granted
    std::uint64_t failed = 0;     // the attempt failed: no answer, an error answer, no usable endpoints
};

struct provider_options {
    refresh_policy policy;
    refresh_counts* totals = nullptr;  // also counted here when set; must outlive the provider
    std::chrono::milliseconds backoff_initial{std::chrono::seconds{1}};
    std::chrono::milliseconds backoff_cap{std::chrono::minutes{5}};
};

// Counters for health output, metrics and tests.
struct provider_stats {
    unsigned token_requests = 0;  // requests sent to the token endpoint
    unsigned refreshed = 0;       // successful ones
    unsigned failures = 0;
    bool needs_login = false;     // interaction required: waiting for `ewstrigd login`
    std::optional<credential_failure> last_failure;
    std::optional<wall_clock::time_point> expires_at;  // of the token handed out now
};

class oauth_provider final : public credential_provider {
public:
    // `store` is used by oauth-delegated only (may be null for oauth-app).
    oauth_provider(boost::asio::any_io_executor ex, http::client& client, endpoint_cache& endpoints,
                   const token_store* store, oauth_settings settings, provider_options options = {});
    ~oauth_provider() override;
    oauth_provider(const oauth_provider&) = delete;
    oauth_provider& operator=(const oauth_provider&) = delete;

    void invalidate() override;
    provider_stats stats() const;

    class state;

private:
    void async_credentials_impl(boost::asio::any_completion_handler<credentials_signature> handler) override;

    std::shared_ptr<state> state_;
};

}  // namespace ewstrigd::auth
