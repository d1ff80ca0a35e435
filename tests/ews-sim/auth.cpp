#include "auth.hpp"

#include "base64.hpp"
#include "jwt_verifier.hpp"

#include <optional>

namespace ewstrigd::sim {
namespace {

// The credentials after an auth scheme ("Basic x", "bearer x": schemes are case-insensitive).
std::optional<std::string_view> credentials(std::string_view authorization, std::string_view scheme) {
    if (authorization.size() <= scheme.size() + 1 || authorization[scheme.size()] != ' ') return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = authorization[i];
        const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != scheme[i]) return std::nullopt;
    }
    return authorization.substr(scheme.size() + 1);
}

}  // namespace

std::variant<std::string, auth_denied> authenticate(const auth_config& cfg, jwt_verifier* jwt,
                                                    std::string_view authorization,
                                                    std::chrono::system_clock::time_point now) {
    std::optional<std::string> basic_user;
    std::optional<std::string> basic_password;
    if (const auto basic = credentials(authorization, "basic")) {
        if (const auto decoded = base64_decode(*basic)) {
            const auto colon = decoded->find(':');
            if (colon != std::string::npos) {
                basic_user = decoded->substr(0, colon);
                basic_password = decoded->substr(colon + 1);
            }
        }
    }
    if (cfg.any_token) {
        if (authorization.empty()) return auth_denied{};
        return basic_user.value_or(std::string{});
    }
    if (const auto bearer = credentials(authorization, "bearer"); bearer && jwt) {
        auto verdict = jwt->verify(*bearer, now);
        if (auto* rejected = std::get_if<jwt_rejection>(&verdict)) return auth_denied{std::move(rejected->description)};
        return std::move(std::get<jwt_principal>(verdict).name);
    }
    if (!basic_user) return auth_denied{};
    const auto it = cfg.users.find(*basic_user);
    if (it == cfg.users.end() || it->second != *basic_password) return auth_denied{};
    return std::move(*basic_user);
}

}  // namespace ewstrigd::sim
