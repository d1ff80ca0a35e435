#pragma once
// An in-process HTTP/1.1 server for integration tests, scripted per test.
//
// - Runs on the SAME io_context (and thread) as the client under test, as
//   C++20 coroutines; listens on 127.0.0.1:0 (or [::1]:0), never a fixed port.
// - Requests are parsed by Boost.Beast; for each one the test's `script`
//   coroutine answers through `exchange` (plain, delayed, chunked in pieces,
//   dropped mid-body, never answering). Connections stay open (keep-alive)
//   unless the script drops them.
// - Waits in scripts are bounded by the test's run_until deadline and by
//   stop(), which closes the acceptor and every connection.
// - Scripts must not throw; use EXPECT_* (not ASSERT_*) inside them.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::test {

namespace net = boost::asio;

/// A one-shot flag a coroutine can wait for (set() before wait() is fine).
class loop_event {
public:
    explicit loop_event(net::io_context& ioc);
    void set();
    bool is_set() const noexcept { return set_; }
    net::awaitable<void> wait();

private:
    net::steady_timer timer_;
    bool set_ = false;
};

struct received_request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// Value of the first header with this name (case-insensitive), or "".
    std::string header(std::string_view name) const;
};

/// One request on one connection, as seen by the script.
class exchange {
public:
    exchange(net::ip::tcp::socket& socket, received_request request);

    const received_request& request() const noexcept { return request_; }

    net::awaitable<void> respond(unsigned status, std::string body,
                                 std::vector<std::pair<std::string, std::string>> headers = {});
    net::awaitable<void> start_chunked(unsigned status = 200);
    net::awaitable<void> write_chunk(std::string_view data);
    net::awaitable<void> end_chunked();
    /// Bytes exactly as given (a truncated body, a broken head, ...).
    net::awaitable<void> write_raw(std::string bytes);
    net::awaitable<void> sleep(std::chrono::steady_clock::duration d);
    /// Returns when the client closes the connection (or the server stops);
    /// the connection then ends after the script.
    net::awaitable<void> wait_for_close();
    /// Close the connection once the script returns.
    void drop() noexcept { dropped_ = true; }
    bool dropped() const noexcept { return dropped_; }

private:
    net::ip::tcp::socket& socket_;
    received_request request_;
    bool dropped_ = false;
};

using script = std::function<net::awaitable<void>(exchange&)>;

class scripted_server {
public:
    /// `address` is "127.0.0.1" or "::1"; the port is chosen by the kernel.
    scripted_server(net::io_context& ioc, script s, const std::string& address = "127.0.0.1");
    ~scripted_server();
    scripted_server(const scripted_server&) = delete;
    scripted_server& operator=(const scripted_server&) = delete;

    unsigned short port() const noexcept { return port_; }
    /// http://127.0.0.1:PORT + target (brackets for IPv6).
    std::string url(std::string_view target = "/") const;
    std::size_t accepted() const noexcept;
    std::size_t closed() const noexcept;  ///< connections that have ended
    std::size_t requests() const noexcept;
    void stop();

    struct state;

private:
    std::shared_ptr<state> state_;
    std::string host_;
    unsigned short port_ = 0;
};

}  // namespace ewstrigd::test
