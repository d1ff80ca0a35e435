#pragma once
// http::client for long-lived streamed responses (GetStreamingEvents) on Asio
// sockets instead of libcurl (see client.hpp for the contract).
//
// Why: every mailbox with its own stream keeps one open for up to 30 minutes
// of mostly silence, and a libcurl transfer holds ~12 KB while it idles, 90 KB
// over TLS (issue 8). Here an idle stream holds its socket, a parser of a few
// hundred bytes, its response headers and, over TLS, OpenSSL's connection
// state with the record buffers released (tls_session.hpp). Bytes are read
// only once the socket is readable, into one buffer shared by every stream of
// the client, and handed to the chunk handler decoded.
//
// - Streams (async_stream) over http:// and https:// with no, Bearer or Basic
//   credentials run here. Everything else goes to `fallback`: buffered
//   requests (async_send), NTLM (a handshake on the connection, which libcurl
//   does), URLs this client cannot parse, and streams that libcurl would
//   send through a proxy (http_proxy, https_proxy, all_proxy in the
//   environment; libcurl then applies no_proxy).
// - Each stream opens its own connection and closes it when the response
//   ends: streams end after minutes, so there is nothing worth reusing.
// - Timeouts: connect (resolve, connect and TLS handshake), total, and idle:
//   no byte for `timeouts.idle` fails with timed_out (a stricter reading of
//   curl's low-speed limit, which averages over ~5 s). They are checked once
//   a second by one timer for all streams, not a timer each.
// - Loop affinity and destruction as curl_client: construct, use and destroy
//   on the loop's thread; destroying completes every stream with
//   operation_aborted (posted). `fallback` must outlive this client.

#include "http/deadline_ticker.hpp"
#include "http/socket_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

namespace ewstrigd::http {

class stream_client final : public socket_client {
public:
    stream_client(boost::asio::any_io_executor ex, client& fallback);
    ~stream_client() override;
    stream_client(const stream_client&) = delete;
    stream_client& operator=(const stream_client&) = delete;

    /// Streams of this client open now (not those handed to the fallback).
    std::size_t in_flight() const noexcept { return streams_.size(); }

private:
    class stream;

    void async_send_impl(request req, chunk_handler on_chunk,
                         boost::asio::any_completion_handler<send_signature> handler) override;
    bool check_deadlines(std::chrono::steady_clock::time_point now);

    deadline_ticker deadlines_;
    std::unordered_map<const stream*, std::shared_ptr<stream>> streams_;
    std::string decoded_;  // shared as the read buffer is
};

}  // namespace ewstrigd::http
