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
//                       file's directory); in the daemon, one provider per
//                       app identity shared by all its mailboxes
//                       (make_shared_mailbox_credentials)
//
// Loop affinity: call on the thread running `client`'s loop; the providers
// follow their own contracts (answers posted to `ex`).

#include "auth/credentials.hpp"
#include "auth/endpoint_cache.hpp"
#include "auth/oauth_provider.hpp"
#include "auth/oauth_settings.hpp"
#include "auth/secret.hpp"
#include "auth/token_store.hpp"
#include "config/model.hpp"
#include "http/client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace ewstrigd::cli {

// Who an app-only token is for: authority, tenant, client, credential
// (secret value or certificate and key paths), scope and token endpoint
// settings. Mailboxes with equal identities get the same token (the mailbox
// is picked by impersonation and X-AnchorMailbox, not by the token). Held as
// a secret: it contains the client secret.
auth::secret app_identity_of(const auth::oauth_settings& s);

struct secret_value_less {
    bool operator()(const auth::secret& a, const auth::secret& b) const { return a.reveal() < b.reveal(); }
};

// What the OAuth mailboxes of one process share: one OIDC discovery cache
// (a tenant's document is fetched once), the token store of state_dir and
// the app-only providers by identity (weak: a provider no mailbox uses any
// more is freed). Must outlive every provider made with it (declare it
// before them).
struct oauth_services {
    oauth_services(boost::asio::any_io_executor ex, http::client& client, const std::string& state_dir)
        : endpoints(std::move(ex), client), tokens(state_dir) {}
    auth::endpoint_cache endpoints;
    auth::token_store tokens;
    std::map<auth::secret, std::weak_ptr<auth::oauth_provider>, secret_value_less> app_providers;
    std::size_t app_providers_sweep_at = 16;  // drop freed entries when the map reaches this size
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

// As make_mailbox_credentials, for the daemon: an oauth-app mailbox gets a
// handle on the provider of its app identity, made by the first mailbox of
// that identity (its id names the provider in failures; `options` of the
// first mailbox apply). A 401 on one mailbox refreshes the shared token once:
// the handle invalidates it only if it still is the token this mailbox was
// refused with. Other kinds get their own provider.
std::unique_ptr<auth::credential_provider> make_shared_mailbox_credentials(boost::asio::any_io_executor ex,
                                                                           const config::config& cfg,
                                                                           const config::mailbox_config& mb,
                                                                           http::client& client,
                                                                           oauth_services& services,
                                                                           auth::provider_options options = {});

}  // namespace ewstrigd::cli
