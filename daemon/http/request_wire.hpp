#pragma once
// What the clients that open their own connections (stream_client,
// pooled_client) share before a byte goes out: which requests they may run
// themselves, and the request as it goes on the wire.

#include "http/client.hpp"
#include "http/url_parts.hpp"

#include <optional>
#include <string>

namespace ewstrigd::http {

/// The proxies libcurl would use from the environment (libcurl-env(3):
/// http_proxy only in lower case, https_proxy/HTTPS_PROXY, all_proxy/ALL_PROXY;
/// libcurl then applies no_proxy, which a request sent by libcurl honours).
struct env_proxies {
    bool http = false;
    bool https = false;

    /// Read once per client: the environment does not change under a running daemon.
    static env_proxies from_environment();
};

/// The URL's parts when a request can go on our own sockets: http:// or
/// https://, no NTLM (a handshake on the connection, which libcurl does) and
/// no proxy for its scheme; nullopt sends it to libcurl.
std::optional<url_parts> direct_url(const request& r, const env_proxies& proxies);

/// The request line, Host, Authorization (Bearer or Basic), the caller's
/// headers, Content-Length and the body, as they go on the wire; nullopt when
/// a header would inject (a CR or LF in it, or a colon in its name). The
/// result holds the credentials: drop it once it is no longer needed.
std::optional<std::string> serialize(const request& r, const url_parts& url);

}  // namespace ewstrigd::http
