#pragma once
// http::client implemented on curl_multi (see client.hpp for the contract).
//
// - Loop affinity: construct, use and destroy on the thread running the
//   curl_multi's io_context; the curl_multi must outlive this client.
// - Destroying the client completes every in-flight request with
//   operation_aborted (posted; the handlers run later on the loop).
// - Streamed chunks are handed over from a posted handler; while a chunk is
//   undelivered the transfer is paused (CURL_WRITEFUNC_PAUSE), so at most one
//   libcurl write buffer per request is held in memory.
// - At most `max_per_origin` buffered (non-streamed) requests per origin
//   (scheme://host:port) are in flight; more wait in a queue, in order, and
//   their timeouts start when they leave it. Streamed requests (long-lived,
//   one per stream) are not counted. Without the limit, thousands of
//   mailboxes starting together open one connection per request in flight,
//   and every connection beyond the multi's idle cache is closed again after
//   one request (tens of thousands of sockets in TIME_WAIT at 10,000
//   mailboxes); with it, the requests take turns on reused connections.
// - Easy handles of buffered requests are reused (curl_easy_reset) up to
//   `spare_handles` kept. Streams, which shrink libcurl's buffers, get fresh
//   ones: how a reset handle resizes the buffer it was given has changed
//   between libcurl versions, and streams are rare enough not to need it.
//   For a buffered request a fresh handle costs libcurl's ~5.5 KB handle and
//   its 16 KiB receive buffer, allocated and freed again for every
//   SyncFolderItems and GetItem (a tenth of the CPU libcurl spent per mail;
//   bench/README.md).

#include "http/client.hpp"
#include "http/curl_multi.hpp"
#include "http/origin_turns.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ewstrigd::http {

class curl_client final : public client {
public:
    static constexpr std::size_t default_max_per_origin = 64;

    explicit curl_client(curl_multi& multi, std::size_t max_per_origin = default_max_per_origin) noexcept
        : multi_(multi), turns_(max_per_origin) {}
    ~curl_client() override;
    curl_client(const curl_client&) = delete;
    curl_client& operator=(const curl_client&) = delete;

    /// Requests started and not yet completed (queued ones included).
    std::size_t in_flight() const noexcept { return transfers_.size(); }
    /// Requests waiting for their origin's turn.
    std::size_t queued() const noexcept { return turns_.queued(); }

private:
    class transfer;

    void async_send_impl(request req, chunk_handler on_chunk,
                         boost::asio::any_completion_handler<send_signature> handler) override;
    CURL* take_easy();
    void recycle(CURL* easy);

    static constexpr std::size_t spare_handles = 16;

    curl_multi& multi_;
    std::unordered_map<const transfer*, std::shared_ptr<transfer>> transfers_;
    origin_turns turns_;
    std::vector<CURL*> spare_;  // reset handles for the next requests
};

}  // namespace ewstrigd::http
