#pragma once
// The interactive first sign-in of an oauth-delegated mailbox (what
// `ewstrigd login` runs; no terminal I/O here, the caller shows `prompt`):
//
// - device code (RFC 8628; reference/oauth.md A.3): request a code, hand the
//   user the URL and code, poll with the server's interval (slow_down adds
//   5 s, authorization_pending waits, expired_token / access_denied stop),
//   never poll again after success;
// - authorization code + PKCE on a loopback redirect (RFC 7636, RFC 8252;
//   oauth.md A.2): listen on the redirect URI's port on 127.0.0.1 (or [::1]),
//   hand the user the authorization URL, accept the one redirect whose path
//   matches and whose `state` is ours, redeem the code with the verifier.
//
// Both give up after `timeout` (DESIGN.md: 2 minutes) with a message that
// says so. Errors are plain words naming what to fix (e.g. a redirect URI
// that does not match the app registration); never a code or token.
//
// Run on the http::client's loop; the client must outlive the coroutine.

#include "auth/device_code.hpp"
#include "auth/discovery.hpp"
#include "auth/error.hpp"
#include "auth/oauth_settings.hpp"
#include "auth/token_response.hpp"
#include "http/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace ewstrigd::auth {

struct signed_in {
    token_set tokens;
    wall_clock::time_point sent_at;  // local time the token request was sent (token_policy.hpp)
};

struct sign_in_hooks {
    std::function<void(const std::string&)> prompt;  // what the user must do (URL and code, or URL to open)
    std::function<void(const std::string&)> note;    // progress worth a line (server asked to slow down ...)
};

boost::asio::awaitable<result<signed_in>> device_code_sign_in(http::client& client, oidc_endpoints endpoints,
                                                              oauth_settings settings, std::chrono::seconds timeout,
                                                              sign_in_hooks hooks);

boost::asio::awaitable<result<signed_in>> browser_sign_in(http::client& client, oidc_endpoints endpoints,
                                                          oauth_settings settings, std::chrono::seconds timeout,
                                                          sign_in_hooks hooks);

// The loopback redirect URI split up: host as written, port (0 = none given),
// path ("/" when empty). Error when it is not http://localhost|127.0.0.1|[::1].
struct loopback_uri {
    std::string host;
    unsigned short port = 0;
    std::string path;
};
result<loopback_uri> parse_loopback_uri(std::string_view uri);

}  // namespace ewstrigd::auth
