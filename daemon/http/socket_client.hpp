#pragma once
// The common ground of the clients that run requests on their own Asio
// connections (stream_client: streams; pooled_client: buffered requests):
// each runs some requests itself and hands the others to a libcurl
// `fallback` (NTLM, proxies, ...; request_wire.hpp says which), and its
// connections share one connection_context.
//
// Loop affinity: one thread; `fallback` must outlive the client.

#include "http/client.hpp"
#include "http/connection.hpp"
#include "http/request_wire.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>

#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ewstrigd::http {

class socket_client : public client {
protected:
    socket_client(boost::asio::any_io_executor ex, client& fallback)
        : ex_(ex), fallback_(fallback), proxies_(env_proxies::from_environment()), shared_(ex) {}
    ~socket_client() override { shared_.resolver.cancel(); }

    /// The request goes to the fallback, as a stream when it has `on_chunk`.
    void hand_on(request req, chunk_handler on_chunk, boost::asio::any_completion_handler<send_signature> handler);

    /// Completes the operations of `ops` whose timeouts passed with timed_out.
    template <typename Op>
    static void time_out(const std::unordered_map<const Op*, std::shared_ptr<Op>>& ops,
                         std::chrono::steady_clock::time_point now) {
        std::vector<std::shared_ptr<Op>> open;  // complete() erases from `ops`
        open.reserve(ops.size());
        for (const auto& [key, op] : ops) open.push_back(op);
        for (const auto& op : open) {
            if (op->overdue(now)) op->complete(boost::asio::error::timed_out);
        }
    }

    boost::asio::any_io_executor ex_;
    client& fallback_;
    env_proxies proxies_;  // read once: the environment does not change under a running daemon
    connection_context shared_;
};

}  // namespace ewstrigd::http
