#include "scripted_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <list>

namespace ewstrigd::test {

namespace http = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

// Surfaces a throwing script as an exception out of io_context::run().
void rethrow(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

}  // namespace

loop_event::loop_event(net::io_context& ioc) : timer_(ioc, net::steady_timer::time_point::max()) {}

void loop_event::set() {
    set_ = true;
    timer_.cancel();
}

net::awaitable<void> loop_event::wait() {
    if (!set_) co_await timer_.async_wait(use_tuple);
}

std::string received_request::header(std::string_view name) const {
    const auto same = [name](const auto& h) {
        return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        });
    };
    const auto it = std::find_if(headers.begin(), headers.end(), same);
    return it == headers.end() ? std::string() : it->second;
}

exchange::exchange(tcp::socket& socket, received_request request)
    : socket_(socket), request_(std::move(request)) {}

net::awaitable<void> exchange::respond(unsigned status, std::string body,
                                       std::vector<std::pair<std::string, std::string>> headers) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    for (auto& [name, value] : headers) res.set(name, value);
    res.body() = std::move(body);
    res.prepare_payload();
    co_await http::async_write(socket_, res, use_tuple);
}

net::awaitable<void> exchange::start_chunked(unsigned status) {
    co_await write_raw("HTTP/1.1 " + std::to_string(status) + " X\r\nTransfer-Encoding: chunked\r\n\r\n");
}

net::awaitable<void> exchange::write_chunk(std::string_view data) {
    std::array<char, 20> size{};
    const int n = std::snprintf(size.data(), size.size(), "%zx\r\n", data.size());
    co_await write_raw(std::string(size.data(), static_cast<std::size_t>(n)) + std::string(data) + "\r\n");
}

net::awaitable<void> exchange::end_chunked() {
    co_await write_raw("0\r\n\r\n");
}

net::awaitable<void> exchange::write_raw(std::string bytes) {
    co_await net::async_write(socket_, net::buffer(bytes), use_tuple);
}

net::awaitable<void> exchange::sleep(std::chrono::steady_clock::duration d) {
    net::steady_timer timer(socket_.get_executor(), d);
    co_await timer.async_wait(use_tuple);
}

net::awaitable<void> exchange::wait_for_close() {
    std::array<char, 512> sink{};
    for (;;) {
        auto [ec, n] = co_await socket_.async_read_some(net::buffer(sink), use_tuple);
        if (ec) break;
    }
    // Asio's epoll reactor treats a 0-byte read as exhausted: another read
    // would wait for an edge that never comes. The connection ends here.
    dropped_ = true;
}

struct scripted_server::state {
    state(net::io_context& ioc, script s) : acceptor(ioc), run(std::move(s)) {}

    tcp::acceptor acceptor;
    script run;
    std::list<std::weak_ptr<tcp::socket>> connections;
    std::size_t accepted = 0;
    std::size_t closed = 0;
    std::size_t requests = 0;
    bool stopped = false;
};

namespace {

received_request to_received(const http::request<http::string_body>& req) {
    received_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& field : req) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = req.body();
    return r;
}

net::awaitable<void> serve(std::shared_ptr<scripted_server::state> st, std::shared_ptr<tcp::socket> socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(*socket, buffer, req, use_tuple);
        if (ec || st->stopped) break;
        ++st->requests;
        exchange ex(*socket, to_received(req));
        co_await st->run(ex);
        if (ex.dropped() || st->stopped || !req.keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
    ++st->closed;
}

net::awaitable<void> accept_loop(std::shared_ptr<scripted_server::state> st) {
    for (;;) {
        auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
        if (ec || st->stopped) co_return;
        ++st->accepted;
        auto shared = std::make_shared<tcp::socket>(std::move(socket));
        st->connections.remove_if([](const auto& w) { return w.expired(); });
        st->connections.push_back(shared);
        net::co_spawn(st->acceptor.get_executor(), serve(st, std::move(shared)), rethrow);
    }
}

}  // namespace

scripted_server::scripted_server(net::io_context& ioc, script s, const std::string& address)
    : state_(std::make_shared<state>(ioc, std::move(s))), host_(address) {
    const tcp::endpoint endpoint(net::ip::make_address(address), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    port_ = state_->acceptor.local_endpoint().port();
    net::co_spawn(ioc, accept_loop(state_), rethrow);
}

scripted_server::~scripted_server() { stop(); }

std::string scripted_server::url(std::string_view target) const {
    const bool v6 = host_.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + std::string(target);
}

std::size_t scripted_server::accepted() const noexcept { return state_->accepted; }
std::size_t scripted_server::closed() const noexcept { return state_->closed; }
std::size_t scripted_server::requests() const noexcept { return state_->requests; }

void scripted_server::stop() {
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto& weak : state_->connections) {
        if (auto socket = weak.lock()) socket->close(ignored);
    }
}

}  // namespace ewstrigd::test
