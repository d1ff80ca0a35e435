#include "auth/discovery.hpp"

#include "auth/json_fields.hpp"

#include <array>

namespace ewstrigd::auth {
namespace {

std::string_view trim(std::string_view s, char c) {
    while (!s.empty() && s.front() == c) s.remove_prefix(1);
    while (!s.empty() && s.back() == c) s.remove_suffix(1);
    return s;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const char c = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
        if (c != prefix[i]) return false;
    }
    return true;
}

}  // namespace

result<std::string> discovery_url(std::string_view authority, std::string_view tenant) {
    authority = trim(authority, ' ');
    while (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
    tenant = trim(tenant, '/');
    if (authority.empty()) return fail("the authority is empty");
    if (tenant.empty()) return fail("tenant_id is empty");
    if (tenant.find_first_of("/?#% \t\r\n") != std::string_view::npos)
        return fail("tenant_id must be a tenant GUID, a domain name, 'organizations' or 'common'");
    return std::string(authority) + "/" + std::string(tenant) + "/v2.0/.well-known/openid-configuration";
}

bool is_safe_endpoint(std::string_view url) {
    if (starts_with_icase(url, "https://")) return url.size() > 8;
    if (!starts_with_icase(url, "http://")) return false;
    std::string_view host = url.substr(7);
    host = host.substr(0, host.find_first_of("/?#"));
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    if (host.starts_with("[::1]")) return host.size() == 5 || host[5] == ':';
    host = host.substr(0, host.find(':'));
    // 127.0.0.0/8 as a literal only: "127.example.com" is a public name.
    const bool ipv4_loopback = host.starts_with("127.") &&
                               host.find_first_not_of("0123456789.") == std::string_view::npos;
    return host == "localhost" || ipv4_loopback;
}

result<oidc_endpoints> parse_discovery(std::string_view body) {
    auto doc = detail::json_fields::parse(body, "discovery document");
    if (!doc) return doc.error();
    oidc_endpoints e;
    e.issuer = doc->required_string("issuer");
    e.authorization_endpoint = doc->required_string("authorization_endpoint");
    e.token_endpoint = doc->required_string("token_endpoint");
    e.device_authorization_endpoint = doc->optional_string("device_authorization_endpoint");
    e.jwks_uri = doc->required_string("jwks_uri");
    if (doc->problem()) return *doc->problem();
    const std::array<std::pair<std::string_view, const std::string*>, 4> urls{{
        {"authorization_endpoint", &e.authorization_endpoint},
        {"token_endpoint", &e.token_endpoint},
        {"device_authorization_endpoint", e.device_authorization_endpoint ? &*e.device_authorization_endpoint : nullptr},
        {"jwks_uri", &e.jwks_uri},
    }};
    for (const auto& [name, url] : urls) {
        if (url && !is_safe_endpoint(*url))
            return fail("discovery document: field '" + std::string(name) +
                         "' is not an https URL (plain http is allowed for loopback test servers only)");
    }
    return e;
}

}  // namespace ewstrigd::auth
