#include "service/health_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <spdlog/spdlog.h>

#include <set>
#include <stdexcept>
#include <string_view>

namespace ewstrigd::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct health_server::state {
    state(net::io_context& ioc, metrics::registry& r, health_source s, health_options o)
        : registry(r), source(std::move(s)), options(std::move(o)), acceptor(ioc) {}

    metrics::registry& registry;
    health_source source;
    health_options options;
    tcp::acceptor acceptor;
    std::set<std::shared_ptr<beast::tcp_stream>> connections;
    bool stopped = false;
};

namespace {

using response = http::response<http::string_body>;

response make_response(http::status status, std::string content_type, std::string body, unsigned version) {
    response res{status, version};
    res.set(http::field::content_type, std::move(content_type));
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response answer(health_server::state& st, const http::request<http::string_body>& req) {
    const unsigned v = req.version();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = make_response(http::status::method_not_allowed, "text/plain", "method not allowed\n", v);
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));  // Prometheus may add parameters
    try {
        if (target == "/metrics") {
            return make_response(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", st.registry.expose(), v);
        }
        if (target == "/healthz") {
            auto verdict = health_json(st.source());
            return make_response(verdict.healthy ? http::status::ok : http::status::service_unavailable,
                                 "application/json", std::move(verdict.json), v);
        }
        if (target == "/status.json") {
            return make_response(http::status::ok, "application/json", status_json(st.source(), st.options.version), v);
        }
    } catch (const std::exception& e) {
        spdlog::error("service: {} failed: {}", target, e.what());
        return make_response(http::status::internal_server_error, "text/plain", "internal error\n", v);
    }
    return make_response(http::status::not_found, "text/plain", "not found; try /metrics, /healthz, /status.json\n", v);
}

// Why a read failed -> the status to answer with, or nullopt to just close.
std::optional<http::status> read_failure_status(const boost::system::error_code& ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor) {
        return std::nullopt;
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        return http::status::request_header_fields_too_large;
    }
    if (ec == http::error::body_limit) return http::status::payload_too_large;
    return http::status::bad_request;
}

net::awaitable<void> session(std::shared_ptr<health_server::state> st, tcp::socket socket) {
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    st->connections.insert(stream);
    const std::size_t limit = st->options.max_request_bytes;
    beast::flat_buffer buffer(limit);
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limit));
        parser.body_limit(limit);
        stream->expires_after(st->options.idle_timeout);
        auto [ec, n] = co_await http::async_read(*stream, buffer, parser, use_tuple);
        if (st->stopped) break;
        if (ec) {
            if (const auto status = read_failure_status(ec)) {
                auto res = make_response(*status, "text/plain", std::string(obsolete_reason(*status)) + '\n', 11);
                res.keep_alive(false);
                co_await http::async_write(*stream, res, use_tuple);
            }
            break;
        }
        const auto& req = parser.get();
        auto res = answer(*st, req);
        res.keep_alive(req.keep_alive());
        boost::system::error_code wec;
        if (req.method() == http::verb::head) {
            http::response_serializer<http::string_body> sr{res};
            std::tie(wec, n) = co_await http::async_write_header(*stream, sr, use_tuple);
        } else {
            std::tie(wec, n) = co_await http::async_write(*stream, res, use_tuple);
        }
        if (wec || !res.keep_alive() || st->stopped) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
    st->connections.erase(stream);
}

net::awaitable<void> accept_loop(std::shared_ptr<health_server::state> st) {
    auto ex = co_await net::this_coro::executor;
    for (;;) {
        auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
        if (st->stopped || ec == net::error::operation_aborted) co_return;
        if (ec) {
            // E.g. out of file descriptors: pause instead of spinning on the error.
            spdlog::warn("service: metrics listener accept failed: {}", ec.message());
            net::steady_timer pause(ex, std::chrono::milliseconds(200));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        if (st->connections.size() >= st->options.max_connections) continue;  // socket closes here
        net::co_spawn(ex, session(st, std::move(socket)), net::detached);
    }
}

}  // namespace

health_server::health_server(net::io_context& ioc, metrics::registry& registry, health_source source,
                             health_options options)
    : state_(std::make_shared<state>(ioc, registry, std::move(source), std::move(options))) {}

health_server::~health_server() { stop(); }

void health_server::start() {
    const auto& ep = state_->options.endpoint;
    const std::string where = "metrics.listen " + ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!ep.address().is_loopback() && !state_->options.allow_non_loopback) {
        throw std::runtime_error(where + ": not a loopback address; /metrics and /healthz have no authentication, "
                                         "so they listen on 127.0.0.1 or ::1 only (put a reverse proxy in front)");
    }
    auto& acc = state_->acceptor;
    boost::system::error_code ec;
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        acc.close();
        throw std::runtime_error(where + ": " + ec.message());
    }
    net::co_spawn(acc.get_executor(), accept_loop(state_), net::detached);
}

tcp::endpoint health_server::local_endpoint() const {
    boost::system::error_code ec;
    return state_->acceptor.local_endpoint(ec);
}

void health_server::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& c : state_->connections) c->socket().close(ignored);
}

std::size_t health_server::connections() const noexcept { return state_->connections.size(); }

}  // namespace ewstrigd::service
