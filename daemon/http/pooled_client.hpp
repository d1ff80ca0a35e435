#pragma once
// http::client for buffered requests (SyncFolderItems, GetItem, ...) on Asio
// sockets with kept-alive connections, instead of libcurl (see client.hpp
// for the contract).
//
// Why: at 10,000 mailboxes and 200 mails/s (two POSTs each) libcurl's
// per-request work (handle reset and options, URL parsing, header
// generation and parsing, proxy lookups, its timers) was ~19 % of the
// daemon's CPU in a profile. Here a request on an open connection costs a
// write and a read or two: 0.69 -> 0.58 CPU s per 1,000 mails
// (bench/README.md, "EWS requests outside libcurl").
//
// - Buffered requests (async_send) over http:// and https:// with no,
//   Bearer or Basic credentials, and no proxy in the environment, run here
//   (the rule of stream_client). Everything else goes to `fallback`: streams,
//   NTLM, HEAD, URLs this client cannot parse.
// - Keep-alive: after a complete answer that allows it (HTTP/1.1 without
//   `Connection: close`, HTTP/1.0 with `Connection: keep-alive`; framed by
//   Content-Length or chunks, not by the close; nothing after its end) the
//   connection waits in a pool keyed by scheme, host, port and TLS settings
//   for the next request there: no connect, no handshake. At most
//   `max_per_origin` idle connections per key; closed after `max_idle`
//   (connection_pool.hpp). Idle connections hold no timer and no pending
//   operation: they do not keep the loop running.
// - A request sent on a reused connection that fails before a byte of the
//   answer arrived (the server had closed it while idle: EOF, reset, broken
//   pipe) is sent once more on a new connection, as libcurl does. Never
//   after answer bytes arrived, never when the connection was new.
// - At most `max_per_origin` requests per origin in flight, the others wait
//   in order (origin_turns.hpp); timeouts count from leaving the queue.
// - Timeouts as stream_client: connect (resolve, connect, TLS handshake),
//   total, idle (no byte for `timeouts.idle`), checked once a second.
// - The request on the wire (credentials included) is kept until the first
//   byte of the answer, for the one resend; then dropped.
// - Loop affinity and destruction as curl_client: construct, use and destroy
//   on the loop's thread; destroying completes every request, in flight or
//   waiting, with operation_aborted (posted) and closes idle connections.
//   `fallback` must outlive this client.

#include "http/connection_pool.hpp"
#include "http/deadline_ticker.hpp"
#include "http/origin_turns.hpp"
#include "http/socket_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <unordered_map>

namespace ewstrigd::http {

class pooled_client final : public socket_client {
public:
    static constexpr std::size_t default_max_per_origin = 64;
    /// Below IIS's (and so Exchange's) default connection timeout of 120 s, so
    /// that we, not the server, close a connection nobody needs: a connection
    /// the server closed first costs a failed write or read and a resend.
    static constexpr std::chrono::seconds default_max_idle{60};

    pooled_client(boost::asio::any_io_executor ex, client& fallback,
                  std::size_t max_per_origin = default_max_per_origin,
                  std::chrono::steady_clock::duration max_idle = default_max_idle);
    ~pooled_client() override;
    pooled_client(const pooled_client&) = delete;
    pooled_client& operator=(const pooled_client&) = delete;

    /// Requests of this client started and not completed (waiting ones included).
    std::size_t in_flight() const noexcept { return exchanges_.size(); }
    /// Requests waiting for their origin's turn.
    std::size_t queued() const noexcept { return turns_.queued(); }
    /// Kept-alive connections waiting for a request.
    std::size_t idle_connections() const noexcept { return pool_.size(); }

private:
    class exchange;

    void async_send_impl(request req, chunk_handler on_chunk,
                         boost::asio::any_completion_handler<send_signature> handler) override;
    bool check_deadlines(std::chrono::steady_clock::time_point now);

    connection_pool pool_;
    origin_turns turns_;
    deadline_ticker deadlines_;
    std::unordered_map<const exchange*, std::shared_ptr<exchange>> exchanges_;
};

}  // namespace ewstrigd::http
