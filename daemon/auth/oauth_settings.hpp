#pragma once
// What an OAuth mailbox needs to get tokens, taken from its configuration:
// who the client is, where the authority is, which scope, which credential.
// Shared by the daemon's token service (oauth_provider) and `ewstrigd login`.

#include "auth/error.hpp"
#include "auth/token_request.hpp"
#include "auth/token_response.hpp"
#include "auth/token_store.hpp"
#include "config/model.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace ewstrigd::auth {

struct oauth_settings {
    std::string mailbox_id;
    std::string address;
    bool app_only = false;           // oauth-app (client credentials) vs oauth-delegated
    std::string authority;
    std::string tenant_id;
    std::string client_id;
    std::string scope;               // space-separated; the kind's default when not configured
    std::string redirect_uri;        // delegated: empty = device code sign-in
    std::optional<std::string> discovery_url;  // overrides {authority}/{tenant}/v2.0/.well-known/...
    secret client_secret;            // oauth-app with a secret
    std::filesystem::path certificate;  // oauth-app with a certificate (absolute)
    std::filesystem::path private_key;
    std::chrono::milliseconds request_timeout{std::chrono::seconds{30}};  // a hanging token endpoint is cut off
};

// From a loaded mailbox; relative certificate paths resolve against
// `base_dir` (the main configuration file's directory). Error: the mailbox
// does not use an OAuth kind.
result<oauth_settings> settings_from_config(const config::mailbox_config& mb, const std::filesystem::path& base_dir);

// The discovery document's URL for these settings.
result<std::string> discovery_url_of(const oauth_settings& s);

// The client's credential for a token request to `token_endpoint`: none
// (public client), the secret, or a fresh client assertion signed with the
// certificate's key (files read now, so a renewed certificate is picked up).
result<client_credential> client_credential_for(const oauth_settings& s, std::string_view token_endpoint);

// What the store keeps after a sign-in or refresh. `sent_at`: local time the
// token request was sent (token_policy.hpp); `refresh_token`: the one to keep
// (the new one if the server rotated it).
stored_tokens to_stored(const oauth_settings& s, const token_set& t, const secret& refresh_token,
                        wall_clock::time_point sent_at);

// Whether a stored sign-in belongs to these settings (same authority, tenant
// and client); if not, why, in plain words.
std::optional<std::string> mismatch(const oauth_settings& s, const stored_tokens& t);

}  // namespace ewstrigd::auth
