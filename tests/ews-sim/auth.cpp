#include "auth.hpp"

#include "base64.hpp"

namespace ewstrigd::sim {

std::optional<std::string> authenticate(const auth_config& cfg, std::string_view authorization) {
    std::optional<std::string> basic_user;
    std::optional<std::string> basic_password;
    if (authorization.size() > 6 && (authorization.starts_with("Basic ") || authorization.starts_with("basic "))) {
        if (const auto decoded = base64_decode(authorization.substr(6))) {
            const auto colon = decoded->find(':');
            if (colon != std::string::npos) {
                basic_user = decoded->substr(0, colon);
                basic_password = decoded->substr(colon + 1);
            }
        }
    }
    if (cfg.any_token) {
        if (authorization.empty()) return std::nullopt;
        return basic_user.value_or(std::string{});
    }
    if (!basic_user) return std::nullopt;
    const auto it = cfg.users.find(*basic_user);
    if (it == cfg.users.end() || it->second != *basic_password) return std::nullopt;
    return basic_user;
}

}  // namespace ewstrigd::sim
