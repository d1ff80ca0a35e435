#include "backends.hpp"

#include "ascii.hpp"

#include <cstdint>

namespace ewstrigd::sim {
namespace {

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::string backend_map::backend_of(std::string_view address) const {
    const auto key = ascii_lower(address);
    if (auto it = moved_.find(key); it != moved_.end()) return it->second;
    return "mbx" + std::to_string(fnv1a(key) % count_) + ".sim.example";
}

void backend_map::move(std::string_view address, std::string backend) { moved_[ascii_lower(address)] = std::move(backend); }

std::string affinity_set_cookie(std::string_view backend, std::string_view address) {
    return "X-BackEndOverrideCookie=" + std::string(backend) + "~" +
           std::to_string(fnv1a(ascii_lower(address)) % 4000000000ull) + "; path=/; secure; HttpOnly";
}

std::optional<std::string> cookie_backend(std::string_view cookie_header) {
    // name=value pairs separated by ';'
    while (!cookie_header.empty()) {
        const auto semi = cookie_header.find(';');
        const auto pair = trim(cookie_header.substr(0, semi));
        cookie_header = semi == std::string_view::npos ? std::string_view{} : cookie_header.substr(semi + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != "X-BackEndOverrideCookie") continue;
        const auto value = trim(pair.substr(eq + 1));
        const auto tilde = value.rfind('~');
        const auto backend = tilde == std::string_view::npos ? value : value.substr(0, tilde);
        if (!backend.empty()) return std::string(backend);
    }
    return std::nullopt;
}

}  // namespace ewstrigd::sim
