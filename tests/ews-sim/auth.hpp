#pragma once
// Who is calling: HTTP Basic against the --user list, or any Authorization
// header at all in --insecure-any-token mode. Pure. (JWT verification of
// issue 3, --jwks-url/--issuer/--audience, is not implemented.)
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::sim {

struct auth_config {
    std::map<std::string, std::string, std::less<>> users;  // name -> password
    bool any_token = false;
};

// The user name (empty for a non-Basic token accepted by any_token), or
// nullopt when the request must get 401.
std::optional<std::string> authenticate(const auth_config& cfg, std::string_view authorization);

}  // namespace ewstrigd::sim
