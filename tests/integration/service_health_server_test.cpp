// /metrics, /healthz and /status.json served on the test's io_context, read
// with the project's HTTP client (and raw sockets for malformed requests).
#include "service/health_server.hpp"

#include "http_fixture.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
namespace svc = ewstrigd::service;

namespace {

class service_health_server : public ewstrigd::test::http_fixture {
protected:
    void start(svc::health_options o = {}) {
        o.endpoint = tcp::endpoint(net::ip::make_address("127.0.0.1"), 0);
        if (o.version.empty()) o.version = "9.9.9";
        server_ = std::make_unique<svc::health_server>(ioc, registry_, [this] { return source(); }, o);
        server_->start();
        base_ = "http://127.0.0.1:" + std::to_string(server_->local_endpoint().port());
    }
    std::vector<svc::mailbox_health> source() {
        if (throw_) throw std::runtime_error("boom");
        return rows_;
    }
    ewstrigd::test::outcome get(const std::string& path, ewstrigd::http::method m = ewstrigd::http::method::get) {
        ewstrigd::http::request req;
        req.method = m;
        req.url = base_ + path;
        req.timeouts.total = 20s;
        return send(std::move(req));
    }
    // Sends raw bytes on a fresh connection; returns everything up to the server's close.
    std::string raw(std::string bytes) {
        tcp::socket s(ioc);
        s.connect(server_->local_endpoint());
        std::string in;
        bool done = false;
        net::async_write(s, net::buffer(bytes), [](boost::system::error_code, std::size_t) {});
        net::async_read(s, net::dynamic_buffer(in), [&](boost::system::error_code, std::size_t) { done = true; });
        EXPECT_TRUE(ewstrigd::test::run_until(ioc, [&] { return done; }, 30s));
        return in;
    }

    svc::metrics::registry registry_;
    std::vector<svc::mailbox_health> rows_{{"invoices", "connected", std::nullopt, "", 1},
                                           {"archive", "idle", std::nullopt, "", 0}};
    bool throw_ = false;
    std::unique_ptr<svc::health_server> server_;
    std::string base_;
};

}  // namespace

TEST_F(service_health_server, metrics_in_prometheus_text_format) {
    registry_.add_counter("ewstrigd_syncs_total", "Syncs.", {"outcome"}).with({"ok"}).inc(4);
    start();
    const auto o = get("/metrics");
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_EQ(o.res.header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(o.res.body.find("# TYPE ewstrigd_syncs_total counter\newstrigd_syncs_total{outcome=\"ok\"} 4\n"),
              std::string::npos)
        << o.res.body;
    EXPECT_EQ(get("/metrics?name[]=x").res.status, 200u);  // scrape parameters are ignored
}

TEST_F(service_health_server, healthz_is_200_when_connected_or_idle_and_503_naming_the_failing) {
    start();
    auto o = get("/healthz");
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_EQ(nlohmann::json::parse(o.res.body)["status"], "ok");
    rows_.push_back({"support", "failed", std::nullopt, "ErrorAccessDenied: app not on the EWS allow list", 0});
    o = get("/healthz");
    EXPECT_EQ(o.res.status, 503u);
    EXPECT_EQ(o.res.header("Content-Type").value_or(""), "application/json");
    const auto j = nlohmann::json::parse(o.res.body);
    ASSERT_EQ(j["failing"].size(), 1u);
    EXPECT_EQ(j["failing"][0]["mailbox"], "support");
    EXPECT_EQ(j["failing"][0]["last_error"], "ErrorAccessDenied: app not on the EWS allow list");
}

TEST_F(service_health_server, status_json_has_every_mailbox) {
    start();
    const auto o = get("/status.json");
    ASSERT_EQ(o.res.status, 200u);
    const auto j = nlohmann::json::parse(o.res.body);
    EXPECT_EQ(j["version"], "9.9.9");
    ASSERT_EQ(j["mailboxes"].size(), 2u);
    EXPECT_EQ(j["mailboxes"][0]["id"], "invoices");
    EXPECT_EQ(j["mailboxes"][0]["outbox_pending"], 1);
}

TEST_F(service_health_server, unknown_paths_methods_and_head) {
    start();
    EXPECT_EQ(get("/nope").res.status, 404u);
    EXPECT_EQ(get("/metrics", ewstrigd::http::method::post).res.status, 405u);
    const auto head = get("/healthz", ewstrigd::http::method::head);
    EXPECT_EQ(head.res.status, 200u);
    EXPECT_TRUE(head.res.body.empty());
    // The connection stays usable after HEAD.
    EXPECT_EQ(get("/healthz").res.status, 200u);
}

TEST_F(service_health_server, a_throwing_source_gives_500_and_the_server_lives_on) {
    start();
    throw_ = true;
    EXPECT_EQ(get("/healthz").res.status, 500u);
    throw_ = false;
    EXPECT_EQ(get("/healthz").res.status, 200u);
}

TEST_F(service_health_server, malformed_and_oversized_requests_are_refused) {
    start();
    EXPECT_TRUE(raw("NONSENSE\r\n\r\n").starts_with("HTTP/1.1 400")) << raw("NONSENSE\r\n\r\n");
    const std::string big = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n";
    EXPECT_TRUE(raw(big).starts_with("HTTP/1.1 431"));
    const std::string body = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(100, 'b');
    EXPECT_TRUE(raw(body).starts_with("HTTP/1.1 413"));
    // Still serving.
    EXPECT_EQ(get("/healthz").res.status, 200u);
}

TEST_F(service_health_server, idle_connections_are_closed) {
    svc::health_options o;
    o.idle_timeout = 200ms;
    start(o);
    EXPECT_EQ(raw(""), "");  // returns only because the server closed the silent connection
    EXPECT_TRUE(ewstrigd::test::run_until(ioc, [&] { return server_->connections() == 0; }, 10s));
}

TEST_F(service_health_server, many_concurrent_clients) {
    start();
    std::vector<ewstrigd::test::outcome> outs(40);
    // Separate clients: separate connections, all open at once.
    std::vector<std::unique_ptr<ewstrigd::http::curl_client>> clients;
    for (auto& o : outs) {
        clients.push_back(std::make_unique<ewstrigd::http::curl_client>(multi));
        ewstrigd::http::request req;
        req.url = base_ + "/status.json";
        req.timeouts.total = 30s;
        clients.back()->async_send(std::move(req), record(o));
    }
    ASSERT_TRUE(ewstrigd::test::run_until(ioc, [&] {
        return std::all_of(outs.begin(), outs.end(), [](const auto& o) { return o.done; });
    }));
    for (const auto& o : outs) EXPECT_EQ(o.res.status, 200u) << o.ec.message();
}

TEST_F(service_health_server, connections_beyond_the_cap_are_closed_at_once) {
    svc::health_options o;
    o.max_connections = 2;
    start(o);
    tcp::socket a(ioc), b(ioc);
    a.connect(server_->local_endpoint());
    b.connect(server_->local_endpoint());
    ASSERT_TRUE(ewstrigd::test::run_until(ioc, [&] { return server_->connections() == 2; }, 10s));
    EXPECT_EQ(raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "");
    a.close();
    b.close();
    ASSERT_TRUE(ewstrigd::test::run_until(ioc, [&] { return server_->connections() == 0; }, 10s));
    EXPECT_EQ(get("/healthz").res.status, 200u);
}

TEST_F(service_health_server, stop_closes_every_connection_and_the_loop_drains) {
    start();
    tcp::socket a(ioc);
    a.connect(server_->local_endpoint());
    ASSERT_TRUE(ewstrigd::test::run_until(ioc, [&] { return server_->connections() == 1; }, 10s));
    std::string in;
    bool closed = false;
    net::async_read(a, net::dynamic_buffer(in), [&](boost::system::error_code, std::size_t) { closed = true; });
    server_->stop();
    ASSERT_TRUE(ewstrigd::test::run_until(ioc, [&] { return closed && server_->connections() == 0; }, 10s));
    server_.reset();
}

TEST_F(service_health_server, a_non_loopback_address_is_refused_unless_allowed) {
    svc::health_options o;
    o.endpoint = tcp::endpoint(net::ip::make_address("0.0.0.0"), 0);
    svc::health_server s(ioc, registry_, [] { return std::vector<svc::mailbox_health>{}; }, o);
    try {
        s.start();
        FAIL() << "started on 0.0.0.0";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("metrics.listen 0.0.0.0:0: not a loopback address"), std::string::npos)
            << e.what();
    }
    o.allow_non_loopback = true;
    svc::health_server allowed(ioc, registry_, [] { return std::vector<svc::mailbox_health>{}; }, o);
    EXPECT_NO_THROW(allowed.start());
}

TEST_F(service_health_server, a_busy_port_is_a_clear_startup_error) {
    start();
    svc::health_options o;
    o.endpoint = server_->local_endpoint();
    svc::health_server second(ioc, registry_, [] { return std::vector<svc::mailbox_health>{}; }, o);
    try {
        second.start();
        FAIL() << "bound twice";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("metrics.listen 127.0.0.1:"), std::string::npos) << e.what();
    }
}
