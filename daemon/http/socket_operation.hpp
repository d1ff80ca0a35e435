#pragma once
// What every request of the socket clients carries (a stream of
// stream_client, an exchange of pooled_client): its completion handler, the
// response it builds, its deadlines and its connection, and the one way it
// ends (client.hpp: exactly once, posted).

#include "http/client.hpp"
#include "http/connection.hpp"
#include "http/deadline_ticker.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>

namespace ewstrigd::http {

class socket_operation {
public:
    bool done() const noexcept { return done_; }
    /// Its timeouts passed (checked once a second by the client).
    bool overdue(std::chrono::steady_clock::time_point now) const noexcept { return !done_ && deadlines_.passed(now); }

protected:
    explicit socket_operation(boost::asio::any_completion_handler<send_signature> handler)
        : handler_(std::move(handler)) {}
    ~socket_operation() = default;
    socket_operation(const socket_operation&) = delete;
    socket_operation& operator=(const socket_operation&) = delete;

    /// False when it had ended already. Else: ends it, closes the connection
    /// (unless it was handed on), detaches the cancellation slot and posts
    /// the completion with the response as it is.
    bool finish(const boost::asio::any_io_executor& ex, boost::system::error_code ec);

    boost::asio::any_completion_handler<send_signature> handler_;
    response res_;
    request_deadlines deadlines_;
    std::shared_ptr<connection> conn_;
    bool done_ = false;
};

}  // namespace ewstrigd::http
