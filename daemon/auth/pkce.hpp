#pragma once
// Authorization code + PKCE with a loopback redirect (RFC 7636, RFC 8252;
// Entra: reference/oauth.md A.2): the verifier and its S256 challenge, the
// browser URL, and the redirect's query. Pure but for the random source the
// caller passes (encoding.hpp: openssl_random() in production).

#include "auth/encoding.hpp"
#include "auth/error.hpp"
#include "auth/secret.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::auth {

// A code_verifier of `length` characters (43..128, RFC 7636 §4.1) drawn from
// the base64url alphabet (a subset of the unreserved set, so no bias).
// Errors: length out of range, random source failed.
result<std::string> make_code_verifier(const random_source& random, std::size_t length = 64);

// BASE64URL(SHA256(ASCII(verifier))), no padding (RFC 7636 §4.2).
std::string code_challenge_s256(std::string_view verifier);

struct authorization_request {
    std::string authorization_endpoint;  // from discovery, e.g. https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize
    std::string client_id;
    std::string redirect_uri;            // exactly as registered (oauth.md A.2 redirect URI rules)
    std::string scope;                   // space-separated
    std::string state;                   // random, checked on return
    std::string code_challenge;          // code_challenge_s256(verifier)
    std::optional<std::string> prompt;   // login | none | consent | select_account
    std::optional<std::string> login_hint;
};

// The URL to open in the browser: response_type=code, response_mode=query,
// code_challenge_method=S256, every value percent-encoded. An endpoint that
// already has a query gets the parameters appended with '&'.
std::string authorization_url(const authorization_request& r);

// The request target the browser sent to the loopback listener
// ("/callback?code=...&state=...") -> the authorization code. Errors, in
// plain words: a state that does not match `expected_state` (possible
// forgery: nothing else is trusted then), error=... from the server (with its
// error_description), no code.
result<secret> parse_redirect(std::string_view target, std::string_view expected_state);

}  // namespace ewstrigd::auth
