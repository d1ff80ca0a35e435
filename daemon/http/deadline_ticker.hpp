#pragma once
// One timer for all the deadlines of a client (stream_client, pooled_client):
// once a second while there is something to check, `tick(now)` runs and
// says whether to go on. Cheaper than a timer per request, and precise
// enough for timeouts counted in seconds.
//
// Loop affinity: construct, use and destroy on the loop's thread. After the
// destructor no tick runs, even one whose wait had already ended.

#include "http/client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace ewstrigd::http {

class deadline_ticker {
public:
    /// `tick` returns true while there is more to watch.
    deadline_ticker(boost::asio::any_io_executor ex, std::function<bool(std::chrono::steady_clock::time_point)> tick)
        : timer_(std::move(ex)), tick_(std::move(tick)) {}
    ~deadline_ticker() { timer_.cancel(); }
    deadline_ticker(const deadline_ticker&) = delete;
    deadline_ticker& operator=(const deadline_ticker&) = delete;

    /// Starts ticking unless it already does.
    void start();

private:
    boost::asio::steady_timer timer_;
    std::function<bool(std::chrono::steady_clock::time_point)> tick_;
    bool running_ = false;
    std::shared_ptr<const int> lifetime_ = std::make_shared<const int>(0);
};

/// The timeouts of one request as points in time (client.hpp): connect
/// (resolve, connect, TLS handshake), total, and idle: no byte for
/// `timeouts.idle` while the answer is awaited.
class request_deadlines {
public:
    using time_point = std::chrono::steady_clock::time_point;
    enum class phase { connecting, sending, receiving };

    /// The request starts now (it has left any queue): total counts from here.
    void start(const timeouts& t, time_point now);
    /// A (new) connection is being opened: connect counts from here.
    void connecting(time_point now);
    void sending() noexcept { phase_ = phase::sending; }
    /// Waiting for the answer, or bytes of it arrived.
    void receiving(time_point now) noexcept { phase_ = phase::receiving, last_bytes_ = now; }
    bool passed(time_point now) const noexcept;

private:
    timeouts timeouts_;
    std::optional<time_point> connect_;
    std::optional<time_point> total_;
    time_point last_bytes_{};
    phase phase_ = phase::connecting;
};

}  // namespace ewstrigd::http
