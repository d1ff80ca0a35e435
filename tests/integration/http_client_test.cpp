// Request/response behaviour of curl_client against the scripted server.

#include "http_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using http_client = http_fixture;

TEST_F(http_client, get_round_trip_with_headers_and_body) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        EXPECT_EQ(ex.request().method, "GET");
        EXPECT_EQ(ex.request().target, "/items?x=1");
        EXPECT_EQ(ex.request().header("X-Test"), "yes");
        std::vector<std::pair<std::string, std::string>> headers{{"X-Reply", "ok"}};  // GCC 12: no braced lists in co_await
        co_await ex.respond(200, "hello", std::move(headers));
    });
    http::request req;
    req.url = server.url("/items?x=1");
    req.headers = {{"X-Test", "yes"}};
    const auto o = send(req);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_EQ(o.res.header("x-reply").value_or(""), "ok");
    EXPECT_EQ(o.res.body, "hello");
}

TEST_F(http_client, post_round_trip_from_a_coroutine) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        EXPECT_EQ(ex.request().method, "POST");
        EXPECT_EQ(ex.request().header("Content-Type"), "text/xml; charset=utf-8");
        EXPECT_EQ(ex.request().header("Expect"), "");
        co_await ex.respond(200, "echo:" + ex.request().body);
    });
    const std::string body(5000, 'x');  // large enough for curl to consider Expect: 100-continue
    outcome o;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            http::request req;
            req.method = http::method::post;
            req.url = server.url("/EWS/Exchange.asmx");
            req.headers = {{"Content-Type", "text/xml; charset=utf-8"}};
            req.body = body;
            auto [ec, res] = co_await client.async_send(std::move(req), net::as_tuple(net::use_awaitable));
            o.ec = ec;
            o.res = std::move(res);
            o.done = true;
        },
        net::detached);
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.body, "echo:" + body);
}

TEST_F(http_client, service_unavailable_with_retry_after_is_a_response) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        std::vector<std::pair<std::string, std::string>> headers{{"Retry-After", "7"}};
        co_await ex.respond(503, "busy", std::move(headers));
    });
    http::request req;
    req.url = server.url();
    const auto o = send(req);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 503u);
    EXPECT_EQ(o.res.retry_after(std::chrono::system_clock::now()), 7s);
}

TEST_F(http_client, bearer_token_is_sent) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        const bool ok = ex.request().header("Authorization") == "Bearer tok.en";
        co_await ex.respond(ok ? 200 : 401, "");
    });
    http::request req;
    req.url = server.url();
    req.auth = http::bearer_auth{"tok.en"};
    EXPECT_EQ(send(req).res.status, 200u);
}

TEST_F(http_client, basic_credentials_are_sent) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        // base64("CORP\svc:pa:ss")
        const bool ok = ex.request().header("Authorization") == "Basic Q09SUFxzdmM6cGE6c3M=";
        co_await ex.respond(ok ? 200 : 401, "");
    });
    http::request req;
    req.url = server.url();
    req.auth = http::basic_auth{"CORP\\svc", "pa:ss"};
    EXPECT_EQ(send(req).res.status, 200u);
}

TEST_F(http_client, sequential_requests_reuse_one_connection) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "ok"); });
    http::request req;
    req.url = server.url();
    EXPECT_EQ(send(req).res.status, 200u);
    EXPECT_EQ(send(req).res.status, 200u);
    EXPECT_EQ(server.requests(), 2u);
    EXPECT_EQ(server.accepted(), 1u);
}

// Easy handles are reused (curl_client.hpp): nothing of one request may
// reach the next — credentials, headers, method and body above all.
TEST_F(http_client, a_request_carries_nothing_over_from_the_one_before) {
    std::vector<received_request> seen;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        seen.push_back(ex.request());
        co_await ex.respond(200, "ok");
    });
    http::request first;
    first.method = http::method::post;
    first.url = server.url("/first");
    first.headers = {{"X-AnchorMailbox", "a@example.org"}};
    first.body = "<soap/>";
    first.auth = http::basic_auth{"svc", "secret"};
    EXPECT_EQ(send(first).res.status, 200u);
    http::request second;
    second.url = server.url("/second");
    EXPECT_EQ(send(second).res.status, 200u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].header("X-AnchorMailbox"), "a@example.org");
    EXPECT_NE(seen[0].header("Authorization"), "");
    EXPECT_EQ(seen[1].method, "GET");
    EXPECT_EQ(seen[1].header("Authorization"), "");
    EXPECT_EQ(seen[1].header("X-AnchorMailbox"), "");
    EXPECT_EQ(seen[1].body, "");
}

// Streams shrink libcurl's buffers; buffered requests after them, on the
// same client, still get large bodies whole (under ASan: no overrun of a
// buffer sized for another request), and streams after buffered requests
// still get their small buffers.
TEST_F(http_client, buffered_requests_and_streams_take_turns_on_one_client) {
    const std::string large(std::size_t{1} << 20, 'm');
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        if (ex.request().target == "/large") co_return co_await ex.respond(200, large);
        co_await ex.start_chunked();
        co_await ex.write_chunk(std::string(4096, 's'));
        co_await ex.end_chunked();
    });
    for (int round = 0; round < 3; ++round) {
        outcome streamed;
        std::size_t bytes = 0;
        http::request stream_req;
        stream_req.url = server.url("/stream");
        client.async_stream(std::move(stream_req), [&](std::string_view c) { return bytes += c.size(), true; },
                            record(streamed));
        ASSERT_TRUE(run_until(ioc, [&] { return streamed.done; }));
        EXPECT_FALSE(streamed.ec) << streamed.ec.message();
        EXPECT_EQ(bytes, 4096u);
        http::request get;
        get.url = server.url("/large");
        const auto o = send(get);
        EXPECT_FALSE(o.ec) << o.ec.message();
        EXPECT_TRUE(o.res.body == large) << "round " << round << ": " << o.res.body.size() << " bytes";
    }
}

TEST_F(http_client, hundred_concurrent_requests_on_one_thread) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.sleep(5ms);
        co_await ex.respond(200, ex.request().target);
    });
    constexpr std::size_t count = 100;
    std::size_t ok = 0;
    std::size_t done = 0;
    for (std::size_t i = 0; i < count; ++i) {
        http::request req;
        const std::string target = "/r" + std::to_string(i);
        req.url = server.url(target);
        client.async_send(std::move(req), [&, target](boost::system::error_code ec, http::response res) {
            ++done;
            if (!ec && res.status == 200 && res.body == target) ++ok;
        });
    }
    EXPECT_EQ(client.in_flight(), count);
    ASSERT_TRUE(run_until(ioc, [&] { return done == count; }));
    EXPECT_EQ(ok, count);
    EXPECT_EQ(client.in_flight(), 0u);
    EXPECT_EQ(multi.transfers(), 0u);
}

TEST_F(http_client, requests_beyond_the_per_origin_limit_wait_their_turn_on_reused_connections) {
    std::size_t at_server = 0;
    std::size_t most_at_server = 0;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        most_at_server = std::max(most_at_server, ++at_server);
        co_await ex.sleep(5ms);
        --at_server;
        co_await ex.respond(200, ex.request().target);
    });
    http::curl_client limited(multi, 3);
    constexpr std::size_t count = 30;
    std::size_t ok = 0;
    std::size_t done = 0;
    outcome cancelled;
    net::cancellation_signal cancel;
    for (std::size_t i = 0; i < count; ++i) {
        http::request req;
        const std::string target = "/r" + std::to_string(i);
        req.url = server.url(target);
        limited.async_send(std::move(req), [&, target](boost::system::error_code ec, http::response res) {
            ++done;
            if (!ec && res.status == 200 && res.body == target) ++ok;
        });
    }
    http::request waiting;
    waiting.url = server.url("/never");
    limited.async_send(std::move(waiting), net::bind_cancellation_slot(cancel.slot(), record(cancelled)));
    EXPECT_EQ(limited.queued(), count + 1 - 3);
    cancel.emit(net::cancellation_type::terminal);  // while it waits for its turn
    ASSERT_TRUE(run_until(ioc, [&] { return done == count && cancelled.done; }));
    EXPECT_EQ(ok, count);
    EXPECT_EQ(cancelled.ec, net::error::operation_aborted);
    EXPECT_EQ(server.requests(), count);  // the cancelled one never went out
    EXPECT_EQ(most_at_server, 3u);
    EXPECT_EQ(server.accepted(), 3u);  // three connections, each reused
    EXPECT_EQ(limited.in_flight(), 0u);
    EXPECT_EQ(limited.queued(), 0u);
}

TEST_F(http_client, connection_dropped_mid_body_is_an_error) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.write_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        ex.drop();
    });
    http::request req;
    req.url = server.url();
    const auto o = send(req);
    EXPECT_EQ(o.ec, http::make_curl_error_code(CURLE_PARTIAL_FILE)) << o.ec.message();
    EXPECT_FALSE(http::is_timeout(o.ec));
}

TEST_F(http_client, body_limit_is_enforced) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.respond(200, std::string(100, 'b'));
    });
    http::request req;
    req.url = server.url();
    req.max_body_size = 10;
    EXPECT_EQ(send(req).ec, http::errc::body_too_large);
}

TEST_F(http_client, refused_connection_maps_to_connection_refused) {
    std::string url;
    {
        scripted_server closed_again(ioc, [](exchange&) -> net::awaitable<void> { co_return; });
        url = closed_again.url();
    }
    http::request req;
    req.url = url;
    EXPECT_EQ(send(req).ec, boost::system::errc::connection_refused);
}

TEST_F(http_client, host_name_through_the_resolver) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "named"); });
    http::request req;
    req.url = "http://localhost:" + std::to_string(server.port()) + "/";
    const auto o = send(req);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.body, "named");
}

TEST_F(http_client, ipv6_loopback) {
    std::unique_ptr<scripted_server> server;
    try {
        server = std::make_unique<scripted_server>(
            ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "v6"); }, "::1");
    } catch (const boost::system::system_error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    http::request req;
    req.url = server->url();
    const auto o = send(req);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.body, "v6");
}

TEST_F(http_client, destroying_the_client_aborts_in_flight_requests) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    outcome o;
    {
        http::curl_client local(multi);
        http::request req;
        req.url = server.url();
        local.async_send(std::move(req), record(o));
        ASSERT_TRUE(run_until(ioc, [&] { return server.requests() == 1; }));
    }
    ASSERT_TRUE(run_until(ioc, [&] { return o.done && server.closed() == 1; }));
    EXPECT_EQ(o.ec, net::error::operation_aborted);
    EXPECT_EQ(multi.transfers(), 0u);
}

}  // namespace
}  // namespace ewstrigd::test
