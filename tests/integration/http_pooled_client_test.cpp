// pooled_client: buffered requests on kept-alive Asio connections. What a
// user of the client sees: how many connections the server gets, which
// requests are sent again after a server closed a kept connection, the
// per-origin limit, timeouts, limits, TLS reuse, destruction, credentials,
// and which requests it leaves to libcurl.

#include "http/pooled_client.hpp"
#include "http_fixture.hpp"
#include "tls_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;

class pooled_client_test : public http_fixture {
protected:
    outcome send_pooled(http::request req) {
        outcome o;
        pooled.async_send(std::move(req), record(o));
        EXPECT_TRUE(run_until(ioc, [&] { return o.done; }));
        return o;
    }
    outcome get(const std::string& url) {
        http::request req;
        req.url = url;
        return send_pooled(std::move(req));
    }

    http::pooled_client pooled{ioc.get_executor(), client};
};

TEST_F(pooled_client_test, requests_in_a_row_share_one_connection) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.respond(200, ex.request().target);
    });
    for (const char* target : {"/a", "/b", "/c"}) {
        const auto o = get(server.url(target));
        EXPECT_FALSE(o.ec) << o.ec.message();
        EXPECT_EQ(o.res.body, target);
    }
    // Chunked answers keep the connection too.
    scripted_server chunked(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("pie");
        co_await ex.write_chunk("ce");
        co_await ex.end_chunked();
    });
    EXPECT_EQ(get(chunked.url()).res.body, "piece");
    EXPECT_EQ(get(chunked.url()).res.body, "piece");
    EXPECT_EQ(server.requests(), 3u);
    EXPECT_EQ(server.accepted(), 1u);
    EXPECT_EQ(chunked.accepted(), 1u);
    EXPECT_EQ(pooled.idle_connections(), 2u);
    EXPECT_EQ(client.in_flight(), 0u);  // nothing went to libcurl
}

// The server says it closes, but does not: a client that ignored the word
// would send the next request on the same connection.
TEST_F(pooled_client_test, an_answer_that_does_not_allow_reuse_is_followed_by_a_new_connection) {
    const std::vector<std::pair<std::string, std::string>> close = {{"Connection", "close"}};
    scripted_server closing(ioc, [&](exchange& ex) -> net::awaitable<void> {
        co_await ex.respond(200, "bye", close);
    });
    EXPECT_EQ(get(closing.url()).res.body, "bye");
    EXPECT_EQ(get(closing.url()).res.body, "bye");
    EXPECT_EQ(closing.accepted(), 2u);

    const std::string http10 = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    scripted_server old(ioc, [&](exchange& ex) -> net::awaitable<void> { co_await ex.write_raw(http10); });
    EXPECT_EQ(get(old.url()).res.body, "ok");
    EXPECT_EQ(get(old.url()).res.body, "ok");
    EXPECT_EQ(old.accepted(), 2u);
    EXPECT_EQ(pooled.idle_connections(), 0u);
}

TEST_F(pooled_client_test, a_kept_connection_the_server_closed_costs_no_request) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.respond(200, ex.request().target);
        ex.drop();  // after the answer, as a server closing an idle connection
    });
    EXPECT_EQ(get(server.url("/first")).res.body, "/first");
    ASSERT_TRUE(run_until(ioc, [&] { return server.closed() == 1; }));
    const auto o = get(server.url("/second"));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.body, "/second");
    EXPECT_EQ(server.accepted(), 2u);
    EXPECT_EQ(server.requests(), 2u);  // "/second" once, on the new connection
}

// The race libcurl also covers: the server closes the kept connection just
// as the request arrives, without answering it.
TEST_F(pooled_client_test, a_request_unanswered_on_a_reused_connection_is_sent_again_on_a_new_one) {
    std::vector<std::string> seen;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        seen.push_back(ex.request().target);
        if (seen.size() == 2) co_return ex.drop();
        co_await ex.respond(200, ex.request().target);
    });
    EXPECT_EQ(get(server.url("/first")).res.body, "/first");
    const auto o = get(server.url("/second"));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.body, "/second");
    EXPECT_EQ(seen, (std::vector<std::string>{"/first", "/second", "/second"}));
    EXPECT_EQ(server.accepted(), 2u);
}

TEST_F(pooled_client_test, a_reused_connection_lost_after_part_of_the_answer_fails_the_request) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        if (ex.request().target == "/first") co_return co_await ex.respond(200, "ok");
        co_await ex.write_raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        ex.drop();
    });
    EXPECT_FALSE(get(server.url("/first")).ec);
    const auto o = get(server.url("/second"));
    EXPECT_TRUE(o.ec);
    EXPECT_EQ(server.requests(), 2u);  // not sent again
    EXPECT_EQ(server.accepted(), 1u);
}

// A fresh connection that fails is not retried either: the request may have
// reached the server.
TEST_F(pooled_client_test, a_request_unanswered_on_a_new_connection_fails) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_return ex.drop(); });
    EXPECT_TRUE(get(server.url()).ec);
    EXPECT_EQ(server.requests(), 1u);
}

// Closed before the server would (IIS after 120 s), and never by a timer
// that would keep a stopping daemon's loop busy: the next request finds it
// too old.
TEST_F(pooled_client_test, a_connection_idle_for_too_long_is_closed_not_reused) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "ok"); });
    http::pooled_client brief(ioc.get_executor(), client, 64, 200ms);
    const auto send_brief = [&] {
        outcome o;
        http::request req;
        req.url = server.url();
        brief.async_send(std::move(req), record(o));
        EXPECT_TRUE(run_until(ioc, [&] { return o.done; }));
        return o;
    };
    EXPECT_FALSE(send_brief().ec);
    EXPECT_EQ(brief.idle_connections(), 1u);
    net::steady_timer pause(ioc, 300ms);
    bool paused = false;
    pause.async_wait([&](boost::system::error_code) { paused = true; });
    ASSERT_TRUE(run_until(ioc, [&] { return paused; }));
    EXPECT_FALSE(send_brief().ec);
    ASSERT_TRUE(run_until(ioc, [&] { return server.closed() == 1; }));
    EXPECT_EQ(server.accepted(), 2u);
    EXPECT_EQ(server.requests(), 2u);
}

TEST_F(pooled_client_test, the_65th_request_to_an_origin_waits_and_a_waiting_one_can_be_cancelled) {
    loop_event answer(ioc);
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        co_await answer.wait();
        co_await ex.respond(200, ex.request().target);
    });
    constexpr std::size_t limit = http::pooled_client::default_max_per_origin;
    std::vector<outcome> done(limit + 2);
    net::cancellation_signal cancel;
    for (std::size_t i = 0; i < done.size(); ++i) {
        http::request req;
        req.url = server.url("/r" + std::to_string(i));
        if (i == limit) pooled.async_send(std::move(req), net::bind_cancellation_slot(cancel.slot(), record(done[i])));
        else pooled.async_send(std::move(req), record(done[i]));
    }
    ASSERT_TRUE(run_until(ioc, [&] { return server.requests() == limit; }));
    EXPECT_EQ(pooled.queued(), 2u);
    cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until(ioc, [&] { return done[limit].done; }));
    EXPECT_EQ(done[limit].ec, net::error::operation_aborted);
    EXPECT_EQ(server.requests(), limit);
    answer.set();
    ASSERT_TRUE(run_until(ioc, [&] {
        for (const auto& o : done) if (!o.done) return false;
        return true;
    }));
    for (std::size_t i = 0; i < done.size(); ++i) {
        if (i == limit) continue;
        EXPECT_FALSE(done[i].ec) << i << ": " << done[i].ec.message();
        EXPECT_EQ(done[i].res.body, "/r" + std::to_string(i));
    }
    EXPECT_EQ(server.requests(), limit + 1);  // the cancelled one never went out
    EXPECT_EQ(server.accepted(), limit);      // the last one took a kept connection
    EXPECT_EQ(pooled.in_flight(), 0u);
}

TEST_F(pooled_client_test, total_and_idle_timeouts_end_a_request) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        if (ex.request().target == "/trickle") {
            co_await ex.start_chunked();
            co_await ex.write_chunk("a");
        }
        co_await ex.sleep(30s);
    });
    http::request total;
    total.url = server.url("/slow");
    total.timeouts.total = 1s;
    const auto t = send_pooled(total);
    EXPECT_TRUE(http::is_timeout(t.ec)) << t.ec.message();

    http::request idle;
    idle.url = server.url("/trickle");
    idle.timeouts.idle = 1s;
    const auto i = send_pooled(idle);
    EXPECT_TRUE(http::is_timeout(i.ec)) << i.ec.message();
    EXPECT_EQ(pooled.in_flight(), 0u);
}

TEST_F(pooled_client_test, a_body_over_the_limit_is_an_error) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.respond(200, std::string(100, 'x'));
    });
    http::request req;
    req.url = server.url();
    req.max_body_size = 10;
    const auto o = send_pooled(req);
    EXPECT_EQ(o.ec, http::errc::body_too_large) << o.ec.message();
}

TEST_F(pooled_client_test, https_requests_reuse_the_connection_without_a_second_handshake) {
    tls_server server(ioc);
    server.keep_alive(true);
    http::request req;
    req.url = server.url();
    req.tls.verify = false;
    for (int i = 0; i < 3; ++i) {
        const auto o = send_pooled(req);
        EXPECT_FALSE(o.ec) << o.ec.message();
        EXPECT_EQ(o.res.body, "secure");
    }
    EXPECT_EQ(server.requests(), 3u);
    EXPECT_EQ(server.handshakes(), 1u);
    // Other TLS settings do not take a connection made with these.
    req.tls.verify = true;
    EXPECT_TRUE(send_pooled(req).ec);
    EXPECT_EQ(server.requests(), 3u);
}

TEST_F(pooled_client_test, destroying_the_client_aborts_requests_in_flight_and_waiting) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    outcome in_flight, waiting;
    {
        http::pooled_client doomed(ioc.get_executor(), client, 1);
        http::request req;
        req.url = server.url();
        doomed.async_send(req, record(in_flight));
        doomed.async_send(req, record(waiting));
        ASSERT_TRUE(run_until(ioc, [&] { return server.requests() == 1; }));
        EXPECT_EQ(doomed.queued(), 1u);
    }
    EXPECT_FALSE(in_flight.done);  // posted, not run inside the destructor
    ASSERT_TRUE(run_until(ioc, [&] { return in_flight.done && waiting.done && server.closed() == 1; }));
    EXPECT_EQ(in_flight.ec, net::error::operation_aborted);
    EXPECT_EQ(waiting.ec, net::error::operation_aborted);
}

TEST_F(pooled_client_test, bearer_and_basic_credentials_are_sent) {
    std::vector<received_request> seen;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        seen.push_back(ex.request());
        co_await ex.respond(200, "ok");
    });
    http::request req;
    req.method = http::method::post;
    req.url = server.url("/EWS/Exchange.asmx");
    req.body = "<soap/>";
    req.auth = http::bearer_auth{"tok-123"};
    EXPECT_FALSE(send_pooled(req).ec);
    req.auth = http::basic_auth{"user", "p:ss"};
    EXPECT_FALSE(send_pooled(req).ec);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].header("Authorization"), "Bearer tok-123");
    EXPECT_EQ(seen[1].header("Authorization"), "Basic dXNlcjpwOnNz");
    EXPECT_EQ(seen[1].body, "<soap/>");
    EXPECT_EQ(server.accepted(), 1u);
}

TEST_F(pooled_client_test, ntlm_streams_and_head_requests_go_to_the_fallback) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    outcome ntlm, stream, head, own;
    http::request req;
    req.url = server.url();
    req.auth = http::ntlm_auth{"DOMAIN\\user", "secret"};
    pooled.async_send(req, record(ntlm));
    req.auth = http::bearer_auth{"t"};
    pooled.async_stream(req, [](std::string_view) { return true; }, record(stream));
    req.method = http::method::head;
    pooled.async_send(req, record(head));
    req.method = http::method::get;
    pooled.async_send(req, record(own));
    ASSERT_TRUE(run_until(ioc, [&] { return server.requests() == 4; }));
    EXPECT_EQ(client.in_flight(), 3u);  // the fallback's
    EXPECT_EQ(pooled.in_flight(), 1u);
}

// Each test runs in a process of its own: setenv is safe.
TEST_F(pooled_client_test, with_a_proxy_in_the_environment_requests_go_through_libcurl) {
    scripted_server proxy(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "via proxy"); });
    ::setenv("http_proxy", proxy.url().c_str(), 1);
    http::pooled_client proxied(ioc.get_executor(), client);
    ::unsetenv("http_proxy");
    outcome o;
    http::request req;
    req.url = "http://mail.example.invalid/EWS/Exchange.asmx";
    ::setenv("http_proxy", proxy.url().c_str(), 1);  // for libcurl, which reads it per request
    proxied.async_send(std::move(req), record(o));
    const bool done = run_until(ioc, [&] { return o.done; });
    ::unsetenv("http_proxy");
    ASSERT_TRUE(done);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.body, "via proxy");
    EXPECT_EQ(proxy.requests(), 1u);
}

}  // namespace
}  // namespace ewstrigd::test
