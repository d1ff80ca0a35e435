#pragma once
// One client connection on an Asio socket, plain or TLS (tls_session), for
// the clients that open their own connections (stream_client for streams,
// pooled_client for buffered requests, which keeps connections alive).
//
// - Loop affinity: construct, use and destroy on the loop's thread. Held by
//   shared_ptr: a pending wait keeps the connection alive; close() ends it.
// - One operation at a time: async_open, then async_write and async_read in
//   turn (HTTP/1.1 without pipelining). Handlers may run inside the call that
//   starts the operation (the socket was ready); callers guard with their own
//   state, as they also must against a handler that runs after close()
//   (close() drops the pending handlers: they never run afterwards).
// - Errors are Asio's or tls_session's; the peer's orderly close is
//   asio::error::eof. Timeouts are the caller's: it closes the connection.

#include "http/client.hpp"
#include "http/tls_session.hpp"
#include "http/url_parts.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ewstrigd::http {

/// What the connections of one client share: OpenSSL contexts, the
/// resolver, and one read buffer (reads happen only in completion handlers,
/// which never nest). Outlives the client's connections' operations.
struct connection_context {
    explicit connection_context(boost::asio::any_io_executor ex) : resolver(std::move(ex)) {}

    tls_contexts tls;
    boost::asio::ip::tcp::resolver resolver;
    std::array<char, 16 * 1024> read_buffer{};
};

class connection final : public std::enable_shared_from_this<connection> {
public:
    using done_handler = std::function<void(boost::system::error_code)>;
    /// Gets each piece read (or the error that ended reading, with no bytes);
    /// returns false to stop reading. The bytes live until it returns.
    using bytes_handler = std::function<bool(boost::system::error_code, std::string_view)>;

    explicit connection(boost::asio::any_io_executor ex) : socket_(std::move(ex)) {}
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Resolves `url.host` (unless it is an address), connects, and does the
    /// TLS handshake for https, with the resolver and contexts of `shared`.
    void async_open(const url_parts& url, const tls_options& tls, connection_context& shared, done_handler done);
    /// Writes all of `data`, which the caller keeps unchanged until `done` runs.
    void async_write(std::string_view data, done_handler done);
    /// Waits until the socket is readable, then reads into the shared buffer and hands
    /// the bytes on until `on_bytes` returns false or reading fails. Reads a
    /// few times in a row at most, then lets other handlers run (posted).
    void async_read(connection_context& shared, bytes_handler on_bytes);
    /// Closes the socket and drops the pending handler; idempotent.
    void close() noexcept;
    bool is_open() const noexcept { return socket_.is_open(); }

private:
    using resume = void (connection::*)(boost::system::error_code);

    template <typename Endpoints>
    void connect(const Endpoints& endpoints);
    void connected();
    void handshake(boost::system::error_code ec);
    void write_more(boost::system::error_code ec);
    void read_more(boost::system::error_code ec);
    void finish_step(boost::system::error_code ec);
    void wait(tls_session::want want, resume then);

    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<tls_session> tls_;
    struct opening {
        std::string host;  // for SNI and the certificate check
        tls_options tls;
        tls_contexts* contexts;
    };
    std::unique_ptr<opening> opening_;  // https only, until the handshake starts
    done_handler step_;        // the pending open or write
    bytes_handler on_bytes_;   // the pending read
    std::string_view unsent_;
    std::span<char> buffer_;
};

}  // namespace ewstrigd::http
