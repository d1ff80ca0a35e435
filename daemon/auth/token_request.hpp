#pragma once
// Bodies (application/x-www-form-urlencoded) of the requests to the token and
// device authorization endpoints, one function per grant (RFC 6749 §4.1.3,
// §4.4.2, §6; RFC 7636 §4.5; RFC 7523 §2.2; RFC 8628 §3.1, §3.4; Entra's
// parameters: reference/oauth.md A.2-A.5). Every value is percent-encoded.
// Bodies carry secrets, so they are returned as `secret` (never printable).

#include "auth/secret.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::auth {

// DESIGN.md, "Data flow" step 2.
inline constexpr std::string_view delegated_scope =
    "https://outlook.office365.com/EWS.AccessAsUser.All offline_access";
inline constexpr std::string_view app_scope = "https://outlook.office365.com/.default";

inline constexpr std::string_view jwt_bearer_assertion_type =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
inline constexpr std::string_view device_code_grant_type = "urn:ietf:params:oauth:grant-type:device_code";

// How the client proves who it is: a public client (no credential), a
// client secret, or a signed client assertion (client_assertion.hpp).
struct public_client {};
struct client_secret {
    secret value;
};
struct client_assertion {
    secret jwt;
};
using client_credential = std::variant<public_client, client_secret, client_assertion>;

secret client_credentials_body(std::string_view client_id, std::string_view scope, const client_credential& cred);
secret refresh_token_body(std::string_view client_id, const secret& refresh_token, std::string_view scope,
                          const client_credential& cred);
secret authorization_code_body(std::string_view client_id, const secret& code, std::string_view redirect_uri,
                               std::string_view code_verifier, const client_credential& cred);
secret device_authorization_body(std::string_view client_id, std::string_view scope);
secret device_token_body(std::string_view client_id, const secret& device_code);

}  // namespace ewstrigd::auth
