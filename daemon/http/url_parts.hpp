#pragma once
// The parts of an http:// or https:// URL a client that opens its own
// connections needs (stream_client, pooled_client): where to connect, what
// to ask for, and the Host header. Userinfo in the URL is refused: credentials travel in
// request::auth, never in a URL that may be logged.

#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::http {

struct url_parts {
    bool tls = false;
    std::string host;    ///< name or address, without IPv6 brackets
    std::string port;    ///< numeric; the scheme's default when absent
    std::string target;  ///< path and query, "/" when empty; no fragment
    std::string authority;  ///< the Host header: host, bracketed for IPv6, ":port" when not the default
};

/// nullopt for anything but a well-formed absolute http(s) URL.
std::optional<url_parts> split_url(std::string_view url);

}  // namespace ewstrigd::http
