#pragma once
// Who is calling: HTTP Basic against the --user list; Bearer JWTs verified
// against a real issuer (--jwks-url/--issuer/--audience, jwt_verifier.hpp);
// or, in --insecure-any-token mode, any Authorization header at all. Pure
// but for the verifier's rare JWKS re-fetch.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::sim {

class jwt_verifier;

// --jwks-url/--issuer/--audience: all three or none.
struct jwt_options {
    std::string jwks_url;
    std::string issuer;
    std::string audience;
    bool enabled() const { return !jwks_url.empty(); }
};

struct auth_config {
    std::map<std::string, std::string, std::less<>> users;  // name -> password
    bool any_token = false;
    jwt_options jwt;
};

// Why the request gets 401. `bearer_error` is the error_description of a
// Bearer token that was presented and rejected (RFC 6750 §3), else empty.
struct auth_denied {
    std::string bearer_error;
};

// The caller's name on success: the Basic user name; for a verified JWT its
// upn / preferred_username / email / sub claim (jwt_principal); "" for a token
// accepted by any_token. `jwt` is null unless cfg.jwt is enabled.
std::variant<std::string, auth_denied> authenticate(const auth_config& cfg, jwt_verifier* jwt,
                                                    std::string_view authorization,
                                                    std::chrono::system_clock::time_point now);

}  // namespace ewstrigd::sim
