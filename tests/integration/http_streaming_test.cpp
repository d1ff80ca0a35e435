// Streaming bodies, timeouts and cancellation (the GetStreamingEvents cases).

#include "http_fixture.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using http_streaming = http_fixture;

TEST_F(http_streaming, chunks_arrive_in_order_before_the_response_completes) {
    constexpr std::size_t pieces = 4;
    const auto piece = [](std::size_t i) { return "piece-" + std::to_string(i) + ";"; };
    std::vector<std::unique_ptr<loop_event>> seen_by_client;
    for (std::size_t i = 0; i < pieces; ++i) seen_by_client.push_back(std::make_unique<loop_event>(ioc));
    std::size_t sent = 0;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        for (std::size_t i = 0; i < pieces; ++i) {
            co_await ex.write_chunk(piece(i));
            ++sent;
            co_await seen_by_client[i]->wait();  // the next piece only after the client saw this one
        }
        co_await ex.end_chunked();
    });

    std::string received;
    std::size_t complete_pieces = 0;
    outcome o;
    http::request req;
    req.url = server.url("/stream");
    client.async_stream(
        std::move(req),
        [&](std::string_view chunk) {
            EXPECT_FALSE(o.done);
            received += chunk;
            while (complete_pieces < pieces && received.size() >= (complete_pieces + 1) * piece(0).size()) {
                EXPECT_EQ(sent, complete_pieces + 1) << "piece " << complete_pieces << " arrived late";
                seen_by_client[complete_pieces++]->set();
            }
            return true;
        },
        record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_EQ(received, piece(0) + piece(1) + piece(2) + piece(3));
    EXPECT_TRUE(o.res.body.empty());
}

// Streams read with a small receive buffer (curl_client.cpp): a notification
// far larger than it, whether sent as one chunk or as many small ones, still
// arrives whole and in order; a buffered request beside the stream (a GetItem
// of a 25 MiB message) keeps the full buffer and gets its body whole.
TEST_F(http_streaming, notifications_larger_than_the_stream_buffer_arrive_whole_and_in_order) {
    const auto text = [](std::size_t size, std::size_t salt) {  // no two neighbouring 1 KiB blocks alike
        std::string s(size, ' ');
        for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
        return s;
    };
    const std::string one_chunk = text(256 * 1024, 1);
    const std::string in_pieces = text(64 * 1024, 2);
    const std::string message = text(std::size_t{25} << 20, 3);
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        if (ex.request().target == "/message") co_return co_await ex.respond(200, message);
        co_await ex.start_chunked();
        co_await ex.write_chunk(one_chunk);
        for (std::size_t at = 0; at < in_pieces.size(); at += 100) co_await ex.write_chunk(in_pieces.substr(at, 100));
        co_await ex.end_chunked();
    });
    std::string received;
    outcome streamed, fetched;
    http::request stream_req;
    stream_req.url = server.url("/stream");
    client.async_stream(
        std::move(stream_req), [&](std::string_view c) { return received += c, true; }, record(streamed));
    http::request fetch_req;
    fetch_req.url = server.url("/message");
    client.async_send(std::move(fetch_req), record(fetched));
    ASSERT_TRUE(run_until(ioc, [&] { return streamed.done && fetched.done; }));
    EXPECT_FALSE(streamed.ec) << streamed.ec.message();
    EXPECT_TRUE(received == one_chunk + in_pieces) << "received " << received.size() << " bytes";
    EXPECT_FALSE(fetched.ec) << fetched.ec.message();
    EXPECT_EQ(fetched.res.status, 200u);
    EXPECT_TRUE(fetched.res.body == message) << "received " << fetched.res.body.size() << " bytes";
}

TEST_F(http_streaming, error_status_body_is_collected_not_streamed) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(500, "fault"); });
    bool streamed = false;
    outcome o;
    http::request req;
    req.url = server.url();
    client.async_stream(std::move(req), [&](std::string_view) { return streamed = true; }, record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 500u);
    EXPECT_EQ(o.res.body, "fault");
    EXPECT_FALSE(streamed);
}

TEST_F(http_streaming, receiver_can_stop_the_stream) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("enough");
        co_await ex.wait_for_close();
    });
    outcome o;
    http::request req;
    req.url = server.url();
    client.async_stream(std::move(req), [](std::string_view) { return false; }, record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done && server.closed() == 1; }));
    EXPECT_EQ(o.ec, http::errc::receiver_stopped);
}

TEST_F(http_streaming, dropped_stream_is_an_error_not_a_hang) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("first");
        ex.drop();
    });
    std::string received;
    outcome o;
    http::request req;
    req.url = server.url();
    client.async_stream(std::move(req), [&](std::string_view c) { return received += c, true; }, record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_TRUE(o.ec);
    EXPECT_FALSE(http::is_timeout(o.ec)) << o.ec.message();
    EXPECT_EQ(received, "first");
}

TEST_F(http_streaming, total_timeout_fires_with_the_timeout_error) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    http::request req;
    req.url = server.url();
    req.timeouts.total = 300ms;
    const auto started = std::chrono::steady_clock::now();
    const auto o = send(req);
    EXPECT_TRUE(http::is_timeout(o.ec)) << o.ec.message();
    EXPECT_EQ(o.ec, http::make_curl_error_code(CURLE_OPERATION_TIMEDOUT));
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
}

TEST_F(http_streaming, idle_timeout_fires_when_the_stream_stalls) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("keep-alive");
        co_await ex.wait_for_close();  // then silence
    });
    std::string received;
    outcome o;
    http::request req;
    req.url = server.url();
    req.timeouts.idle = 1s;
    req.timeouts.low_speed_bytes = 1000;  // curl averages over ~5 s: the first chunk must not count as "fast"
    client.async_stream(std::move(req), [&](std::string_view c) { return received += c, true; }, record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_TRUE(http::is_timeout(o.ec)) << o.ec.message();
    EXPECT_EQ(received, "keep-alive");
}

TEST_F(http_streaming, cancelling_an_in_flight_stream_aborts_and_closes_it) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("first");
        co_await ex.wait_for_close();
    });
    net::cancellation_signal cancel;
    outcome o;
    http::request req;
    req.url = server.url();
    client.async_stream(
        std::move(req),
        [&](std::string_view) {
            cancel.emit(net::cancellation_type::terminal);  // allowed: chunks are delivered outside curl
            return true;
        },
        net::bind_cancellation_slot(cancel.slot(), record(o)));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done && server.closed() == 1; }));
    EXPECT_EQ(o.ec, net::error::operation_aborted);
    EXPECT_EQ(client.in_flight(), 0u);
    EXPECT_EQ(multi.transfers(), 0u);
    EXPECT_EQ(multi.sockets(), 0u);  // the half-read connection was closed, not cached
}

TEST_F(http_streaming, cancelling_before_the_loop_runs) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, ""); });
    net::cancellation_signal cancel;
    outcome o;
    http::request req;
    req.url = server.url();
    client.async_send(std::move(req), net::bind_cancellation_slot(cancel.slot(), record(o)));
    cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_EQ(o.ec, net::error::operation_aborted);
    EXPECT_EQ(multi.transfers(), 0u);
}

}  // namespace
}  // namespace ewstrigd::test
