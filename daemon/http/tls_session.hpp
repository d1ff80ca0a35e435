#pragma once
// TLS for the socket clients (connection.hpp): OpenSSL driven over a
// non-blocking socket the caller waits on. Unlike asio::ssl::stream (two
// 17 KiB record buffers per stream, always), the session asks OpenSSL to
// release its record buffers whenever they are empty
// (SSL_MODE_RELEASE_BUFFERS): a stream idle between notifications, or a
// kept-alive connection between requests, holds only OpenSSL's connection
// state (issue 8).
//
// Writes go through send(MSG_NOSIGNAL): a peer that hangs up mid-write is an
// error, never a SIGPIPE.

#include "http/client.hpp"

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

struct ssl_ctx_st;
struct ssl_st;

namespace ewstrigd::http {

/// One OpenSSL context per distinct tls_options (verify, CA file), shared by
/// every session made with those options. A context is made anew when its CA
/// file (or OpenSSL's default CA file) has been replaced or rewritten since:
/// an admin who swaps the CA bundle and reloads expects new streams to trust
/// the new one, as libcurl's requests do, without a restart. Sessions keep
/// the context they were made with (OpenSSL counts references).
class tls_contexts {
public:
    tls_contexts() = default;
    ~tls_contexts();
    tls_contexts(const tls_contexts&) = delete;
    tls_contexts& operator=(const tls_contexts&) = delete;

    /// nullptr with `ec` set when the CA file cannot be loaded.
    ssl_ctx_st* get(const tls_options& options, boost::system::error_code& ec);

    /// What tells one version of a file from the next; all zero when absent.
    struct file_identity {
        unsigned long long device = 0, inode = 0, size = 0;
        long long modified_ns = 0, changed_ns = 0;
        bool operator==(const file_identity&) const = default;
    };

private:
    struct cached {
        ssl_ctx_st* context = nullptr;
        file_identity ca;  // of the CA file the context was loaded from
    };
    std::map<std::pair<bool, std::string>, cached> contexts_;
};

class tls_session {
public:
    /// What the last call needs before it can go on.
    enum class want { nothing, readable, writable };

    /// Client session on connected socket `fd` for `host` (SNI and the
    /// certificate's name or IP address when the context verifies).
    tls_session(ssl_ctx_st* ctx, int fd, const std::string& host, boost::system::error_code& ec);
    ~tls_session();
    tls_session(const tls_session&) = delete;
    tls_session& operator=(const tls_session&) = delete;

    want handshake(boost::system::error_code& ec);
    /// `written` bytes of `data` went out.
    want write(std::string_view data, std::size_t& written, boost::system::error_code& ec);
    /// `got` bytes were read into `buffer`; want::nothing with got == 0 and
    /// no error is the peer's orderly close.
    want read(char* buffer, std::size_t size, std::size_t& got, boost::system::error_code& ec);

private:
    want result(int rc, boost::system::error_code& ec);

    ssl_st* ssl_ = nullptr;
};

}  // namespace ewstrigd::http
