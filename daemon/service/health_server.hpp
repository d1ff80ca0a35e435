#pragma once
// GET /metrics, /healthz and /status.json over HTTP/1.1 (Beast), on the
// daemon's io_context.
//
// - Loop affinity: construct, start, stop and destroy on the loop's thread;
//   `source` and the registry are called on the loop, once per request.
// - The registry and `source` must outlive the server. Connections still open
//   after stop()/destruction end on their own (they keep the state they need
//   alive) without calling `source` or the registry again.
// - Loopback only unless options.allow_non_loopback: the endpoints name
//   mailboxes and their last errors, and have no authentication. Put a
//   reverse proxy or a node-local agent in front for remote scraping.
// - Limits: a request head above max_request_bytes gets 431 and a body
//   above it 413; a malformed request 400; other methods than GET/HEAD 405;
//   unknown paths 404; a connection idle for idle_timeout is closed; beyond
//   max_connections new connections are closed at once. Exceptions from
//   `source` give 500. Nothing a client sends ends the server.

#include "service/health_report.hpp"
#include "service/metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::service {

struct health_options {
    boost::asio::ip::tcp::endpoint endpoint;  // from parse_listen_address(cfg.metrics.listen)
    bool allow_non_loopback = false;
    std::size_t max_request_bytes = 8 * 1024;
    std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(15);
    std::size_t max_connections = 256;
    std::string version;  // shown in /status.json
};

/// The mailbox table, one row per mailbox this instance watches.
using health_source = std::function<std::vector<mailbox_health>()>;

class health_server {
public:
    health_server(boost::asio::io_context& ioc, metrics::registry& registry, health_source source,
                  health_options options);
    ~health_server();
    health_server(const health_server&) = delete;
    health_server& operator=(const health_server&) = delete;

    /// Binds and starts accepting. Startup error -> std::runtime_error whose
    /// message names the address ("metrics.listen 10.0.0.1:9464: ...").
    void start();
    /// The bound endpoint (the real port when options.endpoint had port 0).
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    /// Closes the listener and every connection; run() can then return.
    void stop();
    /// Open client connections.
    std::size_t connections() const noexcept;

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace ewstrigd::service
