#include "http/request_wire.hpp"

#include "util/base64.hpp"

#include <cstdlib>
#include <string_view>
#include <variant>

namespace ewstrigd::http {

namespace {

constexpr std::string_view method_name(method m) {
    switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::patch: return "PATCH";
    case method::delete_: return "DELETE";
    }
    return "GET";
}

// A CR or LF would end the header early and let the rest pose as headers of
// its own (header injection); curl refuses neither, so check here.
bool safe_header_text(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

std::optional<std::string> authorization(const auth& a) {
    if (const auto* bearer = std::get_if<bearer_auth>(&a)) return "Bearer " + bearer->token;
    if (const auto* basic = std::get_if<basic_auth>(&a))
        return "Basic " + util::base64_encode(basic->username + ":" + basic->password);
    return std::nullopt;
}

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

}  // namespace

env_proxies env_proxies::from_environment() {
    const bool all = env_set("all_proxy") || env_set("ALL_PROXY");
    return {all || env_set("http_proxy"), all || env_set("https_proxy") || env_set("HTTPS_PROXY")};
}

std::optional<url_parts> direct_url(const request& r, const env_proxies& proxies) {
    if (std::holds_alternative<ntlm_auth>(r.auth)) return std::nullopt;
    auto url = split_url(r.url);
    if (!url || (url->tls ? proxies.https : proxies.http)) return std::nullopt;
    return url;
}

std::optional<std::string> serialize(const request& r, const url_parts& url) {
    std::string out;
    out.reserve(256 + r.body.size());
    out.append(method_name(r.method)).append(" ").append(url.target).append(" HTTP/1.1\r\nHost: ");
    out.append(url.authority).append("\r\n");
    if (auto credentials = authorization(r.auth)) {
        if (!safe_header_text(*credentials)) return std::nullopt;
        out.append("Authorization: ").append(*credentials).append("\r\n");
    }
    for (const auto& h : r.headers) {
        if (h.name.empty() || !safe_header_text(h.name) || !safe_header_text(h.value) ||
            h.name.find(':') != std::string::npos)
            return std::nullopt;
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    const bool has_body = !r.body.empty() || r.method == method::post || r.method == method::put ||
                          r.method == method::patch;
    if (has_body) out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    out.append("\r\n").append(r.body);
    return out;
}

}  // namespace ewstrigd::http
