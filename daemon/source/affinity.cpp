#include "source/affinity.hpp"

#include <algorithm>
#include <cctype>

namespace ewstrigd::source {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> backend_override_cookie(const http::response& r) {
    std::optional<std::string> found;
    for (const auto& h : r.headers) {
        if (!iequals(h.name, "Set-Cookie")) continue;
        // name=value; attributes...
        const std::string_view line = h.value;
        const auto pair = line.substr(0, line.find(';'));
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || !iequals(trim(pair.substr(0, eq)), "X-BackEndOverrideCookie")) continue;
        auto value = trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (value.empty()) continue;
        found = std::string{value};
    }
    return found;
}

std::string_view backend_of_cookie(std::string_view cookie) {
    const auto tilde = cookie.rfind('~');
    return tilde == std::string_view::npos ? cookie : cookie.substr(0, tilde);
}

std::string stream_pool_of(const config::mailbox_config& mb) {
    // Each field length-prefixed, so no two different settings give the same key.
    std::string key;
    for (const std::string_view field : {std::string_view{mb.ews_url}, std::string_view{mb.auth->authority},
                                         std::string_view{mb.auth->tenant_id}, std::string_view{mb.auth->client_id},
                                         std::string_view{mb.tls->verify ? "verify" : "no-verify"},
                                         std::string_view{mb.tls->ca_file}}) {
        key += std::to_string(field.size());
        key += ':';
        key += field;
    }
    return key;
}

bool groups_streams(const config::mailbox_config& mb) {
    return mb.auth->kind == config::auth_kind::oauth_app && mb.auth->impersonation &&
           mb.watch->mode == config::watch_mode::streaming;
}

}  // namespace ewstrigd::source
