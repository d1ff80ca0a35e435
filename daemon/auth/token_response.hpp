#pragma once
// A token endpoint answer (RFC 6749 §5.1/§5.2; Entra's shape in
// reference/oauth.md A.2, A.5, A.6) -> the tokens, or a classified failure.
//
// Total: any body (non-JSON, wrong types, negative or enormous numbers,
// 1 MiB of garbage) gives a value, never an exception. A 2xx answer that is
// not a usable token response is failure_kind::malformed_response naming the
// field that is wrong. Tokens are `secret`s: printing a token_set, a
// failure or describe() never shows them.

#include "auth/secret.hpp"
#include "auth/token_failure.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

namespace ewstrigd::auth {

// Bounds for expires_in and friends: a token that lives longer than a year is
// a broken server, and the bound keeps time arithmetic far from overflow.
inline constexpr std::chrono::seconds max_token_lifetime{366LL * 24 * 3600};

struct token_set {
    secret access_token;                   // printable ASCII only (it goes into an HTTP header)
    std::string token_type;                // "Bearer" (checked case-insensitively)
    std::chrono::seconds expires_in{0};    // >= 1
    std::optional<std::chrono::seconds> ext_expires_in;  // Entra: how long it works during an outage
    std::optional<std::chrono::seconds> refresh_in;      // server's refresh hint (MSAL `refreshOn`, oauth.md A.9)
    std::optional<secret> refresh_token;   // present: it REPLACES the stored one (rotation, oauth.md A.4)
    std::string scope;                     // granted scopes; empty when the server did not say
};                                         // id_token is ignored

std::ostream& operator<<(std::ostream& os, const token_set& t);  // tokens as <redacted>

using token_result = boost::system::result<token_set, token_failure>;

token_result parse_token_response(const http_reply& reply);

}  // namespace ewstrigd::auth
