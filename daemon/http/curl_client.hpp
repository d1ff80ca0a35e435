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

#include "http/client.hpp"
#include "http/curl_multi.hpp"

#include <cstddef>
#include <memory>
#include <unordered_map>

namespace ewstrigd::http {

class curl_client final : public client {
public:
    explicit curl_client(curl_multi& multi) noexcept : multi_(multi) {}
    ~curl_client() override;
    curl_client(const curl_client&) = delete;
    curl_client& operator=(const curl_client&) = delete;

    /// Requests started and not yet completed.
    std::size_t in_flight() const noexcept { return transfers_.size(); }

private:
    class transfer;

    void async_send_impl(request req, chunk_handler on_chunk,
                         boost::asio::any_completion_handler<send_signature> handler) override;

    curl_multi& multi_;
    std::unordered_map<const transfer*, std::shared_ptr<transfer>> transfers_;
};

}  // namespace ewstrigd::http
