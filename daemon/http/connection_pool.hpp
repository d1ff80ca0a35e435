#pragma once
// Idle kept-alive connections of pooled_client, by destination: scheme,
// host, port and the TLS settings the connection was verified with (verify
// flag and CA file, as tls_contexts keys its contexts). A request takes the
// connection used last (the one least likely closed by the server yet).
//
// Bounded per destination, and closed after `max_idle` without a request:
// a server closes idle connections too (IIS/Exchange after 120 s), and a
// connection it closed costs a retry; closing ours first avoids most of them.
// The pool keeps no timer (a daemon stopping must see its loop run out of
// work): the owner calls expire() while it has requests anyway, and take()
// never hands out a connection idle for too long (libcurl's
// CURLOPT_MAXAGE_CONN does the same).
//
// Loop affinity: one thread. Destroying the pool closes its connections.

#include "http/client.hpp"
#include "http/connection.hpp"
#include "http/url_parts.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ewstrigd::http {

class connection_pool {
public:
    using clock = std::chrono::steady_clock;

    connection_pool(std::size_t max_per_key, clock::duration max_idle) noexcept
        : max_per_key_(max_per_key == 0 ? 1 : max_per_key), max_idle_(max_idle) {}
    ~connection_pool();
    connection_pool(const connection_pool&) = delete;
    connection_pool& operator=(const connection_pool&) = delete;

    /// The key of connections to `url` made with `tls`.
    static std::string key(const url_parts& url, const tls_options& tls);

    /// An idle connection for `key` not idle for `max_idle` yet, or nullptr.
    std::shared_ptr<connection> take(const std::string& key, clock::time_point now);
    /// Keeps `c` for the next request to `key`; closes the oldest idle one of
    /// that key when it already holds the most it may.
    void put(const std::string& key, std::shared_ptr<connection> c, clock::time_point now);
    /// Closes the connections idle for `max_idle` or longer.
    void expire(clock::time_point now);
    std::size_t size() const noexcept { return size_; }

private:
    struct idle {
        std::shared_ptr<connection> conn;
        clock::time_point since;
    };

    std::size_t max_per_key_;
    clock::duration max_idle_;
    std::unordered_map<std::string, std::vector<idle>> idle_;  // oldest first
    std::size_t size_ = 0;
};

}  // namespace ewstrigd::http
