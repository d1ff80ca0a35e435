#pragma once
// OpenID Connect discovery (OIDC Discovery 1.0 §4; Entra: reference/oauth.md
// A.1): the document's URL for an authority + tenant, and the endpoints in it.
// Sovereign clouds and local test servers differ only in the authority.

#include "auth/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::auth {

inline constexpr std::string_view default_authority = "https://login.microsoftonline.com";

// {authority}/{tenant}/v2.0/.well-known/openid-configuration; trailing
// slashes on the authority and slashes around the tenant are dropped. An
// empty or unsafe (contains '/', '?', '#', '%', whitespace) tenant is an error.
result<std::string> discovery_url(std::string_view authority, std::string_view tenant);

struct oidc_endpoints {
    std::string issuer;
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::optional<std::string> device_authorization_endpoint;  // absent when the server has no device flow
    std::string jwks_uri;
};

// The discovery document -> its endpoints. Errors: not a JSON object, a
// required field missing or not a string, or an endpoint that is not https
// (plain http is accepted for loopback hosts only: local test servers), so
// secrets and tokens never travel in clear text.
result<oidc_endpoints> parse_discovery(std::string_view body);

// True for https URLs, and for http URLs on localhost / 127.x.y.z / [::1].
bool is_safe_endpoint(std::string_view url);

}  // namespace ewstrigd::auth
