#include "http/url_parts.hpp"

#include <algorithm>
#include <cctype>

namespace ewstrigd::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

bool valid_port(std::string_view p) {
    if (p.empty() || p.size() > 5) return false;
    unsigned value = 0;
    for (const char c : p) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value > 0 && value <= 65535;
}

// Bytes that would let a URL break out of the request line.
bool has_control_or_space(std::string_view s) {
    return std::ranges::any_of(s, [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

}  // namespace

std::optional<url_parts> split_url(std::string_view url) {
    if (has_control_or_space(url)) return std::nullopt;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    url_parts parts;
    const auto scheme = url.substr(0, scheme_end);
    if (iequals(scheme, "https")) parts.tls = true;
    else if (!iequals(scheme, "http")) return std::nullopt;
    url.remove_prefix(scheme_end + 3);

    const auto authority_end = url.find_first_of("/?#");
    const auto authority = url.substr(0, authority_end);
    auto rest = authority_end == std::string_view::npos ? std::string_view{} : url.substr(authority_end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view host;
    std::string_view port;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    const std::string_view default_port = parts.tls ? "443" : "80";
    if (port.empty()) port = default_port;
    if (!valid_port(port)) return std::nullopt;

    parts.host = std::string(host);
    parts.port = std::string(port);
    const bool ipv6 = host.find(':') != std::string_view::npos;
    parts.authority = ipv6 ? "[" + parts.host + "]" : parts.host;
    if (port != default_port) parts.authority += ":" + parts.port;
    rest = rest.substr(0, rest.find('#'));
    parts.target = rest.empty() || rest.front() != '/' ? "/" + std::string(rest) : std::string(rest);
    return parts;
}

}  // namespace ewstrigd::http
