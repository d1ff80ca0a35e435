#pragma once
// The one place that turns a mailbox's `auth:` section into the
// credential_provider its EWS requests ask (auth/credentials.hpp), for
// `run` and `connect` alike:
//   basic, ntlm      -> auth::static_credentials (user name and password)
//   oauth-delegated  -> auth::oauth_provider with the refresh token that
//                       `ewstrigd login` stored under STATE_DIR/tokens; a
//                       mailbox nobody signed in for fails with
//                       failure_kind::interaction_required ("run `ewstrigd
//                       login ID`") when asked, never at construction
//   oauth-app        -> auth::oauth_provider, client secret or certificate
//                       (relative paths resolve against the main config
//                       file's directory)
//
// Loop affinity: call on the thread running `client`'s loop; the providers
// follow their own contracts (answers posted to `ex`).

#include "auth/credentials.hpp"
#include "auth/endpoint_cache.hpp"
#include "auth/oauth_provider.hpp"
#include "auth/token_store.hpp"
#include "config/model.hpp"
#include "http/client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

namespace ewstrigd::cli {

// What the OAuth mailboxes of one process share: one OIDC discovery cache
// (a tenant's document is fetched once) and the token store of state_dir.
// Must outlive every provider made with it (declare it before them).
struct oauth_services {
    oauth_services(boost::asio::any_io_executor ex, http::client& client, const std::string& state_dir)
        : endpoints(std::move(ex), client), tokens(state_dir) {}
    auth::endpoint_cache endpoints;
    auth::token_store tokens;
};

// The provider for `mb` (a mailbox of `cfg`). `endpoints` and `tokens` must
// outlive it (oauth_services bundles them). Throws std::logic_error only for
// an auth kind this function does not know (a broken invariant).
std::unique_ptr<auth::credential_provider> make_mailbox_credentials(boost::asio::any_io_executor ex,
                                                                    const config::config& cfg,
                                                                    const config::mailbox_config& mb,
                                                                    http::client& client,
                                                                    auth::endpoint_cache& endpoints,
                                                                    const auth::token_store& tokens,
                                                                    auth::provider_options options = {});

}  // namespace ewstrigd::cli
