// Streaming bodies, timeouts and cancellation (the GetStreamingEvents cases),
// for both clients that stream: curl_client and stream_client (which the
// daemon uses for GetStreamingEvents).

#include "http/stream_client.hpp"
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

template <typename Client>
class http_streaming : public http_fixture {
protected:
    http::client& streams() {
        if constexpr (std::is_same_v<Client, http::stream_client>) return own;
        else return client;
    }
    std::size_t streams_in_flight() const {
        if constexpr (std::is_same_v<Client, http::stream_client>) return own.in_flight();
        else return client.in_flight();
    }

    http::stream_client own{this->ioc.get_executor(), client};  // hands buffered requests to `client`
};

struct client_names {
    template <typename T>
    static std::string GetName(int) {
        return std::is_same_v<T, http::stream_client> ? "stream_client" : "curl_client";
    }
};
using streaming_clients = ::testing::Types<http::curl_client, http::stream_client>;
TYPED_TEST_SUITE(http_streaming, streaming_clients, client_names);

TYPED_TEST(http_streaming, chunks_arrive_in_order_before_the_response_completes) {
    constexpr std::size_t pieces = 4;
    const auto piece = [](std::size_t i) { return "piece-" + std::to_string(i) + ";"; };
    std::vector<std::unique_ptr<loop_event>> seen_by_client;
    for (std::size_t i = 0; i < pieces; ++i) seen_by_client.push_back(std::make_unique<loop_event>(this->ioc));
    scripted_server server(this->ioc, [&](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        for (std::size_t i = 0; i < pieces; ++i) {
            co_await ex.write_chunk(piece(i));
            // The next piece only after the client saw this one: a client that
            // held pieces back until the response ended would stall here.
            co_await seen_by_client[i]->wait();
        }
        co_await ex.end_chunked();
    });

    std::string received;
    std::size_t complete_pieces = 0;
    outcome o;
    http::request req;
    req.url = server.url("/stream");
    this->streams().async_stream(
        std::move(req),
        [&](std::string_view chunk) {
            EXPECT_FALSE(o.done);
            received += chunk;
            while (complete_pieces < pieces && received.size() >= (complete_pieces + 1) * piece(0).size()) {
                seen_by_client[complete_pieces++]->set();
            }
            return true;
        },
        this->record(o));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done; }));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_EQ(received, piece(0) + piece(1) + piece(2) + piece(3));
    EXPECT_TRUE(o.res.body.empty());
}

// Streams read with a small receive buffer (curl_client.cpp; stream_client
// reads through one 16 KiB buffer shared by its streams): a notification
// far larger than it, whether sent as one chunk or as many small ones, still
// arrives whole and in order; a buffered request beside the stream (a GetItem
// of a 25 MiB message) keeps the full buffer and gets its body whole.
TYPED_TEST(http_streaming, notifications_larger_than_the_stream_buffer_arrive_whole_and_in_order) {
    const auto text = [](std::size_t size, std::size_t salt) {  // no two neighbouring 1 KiB blocks alike
        std::string s(size, ' ');
        for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
        return s;
    };
    const std::string one_chunk = text(256 * 1024, 1);
    const std::string in_pieces = text(64 * 1024, 2);
    const std::string message = text(std::size_t{25} << 20, 3);
    scripted_server server(this->ioc, [&](exchange& ex) -> net::awaitable<void> {
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
    this->streams().async_stream(
        std::move(stream_req), [&](std::string_view c) { return received += c, true; }, this->record(streamed));
    http::request fetch_req;
    fetch_req.url = server.url("/message");
    this->streams().async_send(std::move(fetch_req), this->record(fetched));
    ASSERT_TRUE(run_until(this->ioc, [&] { return streamed.done && fetched.done; }));
    EXPECT_FALSE(streamed.ec) << streamed.ec.message();
    EXPECT_TRUE(received == one_chunk + in_pieces) << "received " << received.size() << " bytes";
    EXPECT_FALSE(fetched.ec) << fetched.ec.message();
    EXPECT_EQ(fetched.res.status, 200u);
    EXPECT_TRUE(fetched.res.body == message) << "received " << fetched.res.body.size() << " bytes";
}

TYPED_TEST(http_streaming, error_status_body_is_collected_not_streamed) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(500, "fault"); });
    bool streamed = false;
    outcome o;
    http::request req;
    req.url = server.url();
    this->streams().async_stream(std::move(req), [&](std::string_view) { return streamed = true; }, this->record(o));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done; }));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 500u);
    EXPECT_EQ(o.res.body, "fault");
    EXPECT_FALSE(streamed);
}

TYPED_TEST(http_streaming, receiver_can_stop_the_stream) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("enough");
        co_await ex.wait_for_close();
    });
    outcome o;
    http::request req;
    req.url = server.url();
    this->streams().async_stream(std::move(req), [](std::string_view) { return false; }, this->record(o));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done && server.closed() == 1; }));
    EXPECT_EQ(o.ec, http::errc::receiver_stopped);
}

TYPED_TEST(http_streaming, dropped_stream_is_an_error_not_a_hang) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("first");
        ex.drop();
    });
    std::string received;
    outcome o;
    http::request req;
    req.url = server.url();
    this->streams().async_stream(std::move(req), [&](std::string_view c) { return received += c, true; }, this->record(o));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done; }));
    EXPECT_TRUE(o.ec);
    EXPECT_FALSE(http::is_timeout(o.ec)) << o.ec.message();
    EXPECT_EQ(received, "first");
}

TYPED_TEST(http_streaming, total_timeout_fires_with_the_timeout_error) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    http::request req;
    req.url = server.url();
    req.timeouts.total = 300ms;
    const auto started = std::chrono::steady_clock::now();
    outcome o;
    this->streams().async_stream(std::move(req), [](std::string_view) { return true; }, this->record(o));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done; }));
    EXPECT_TRUE(http::is_timeout(o.ec)) << o.ec.message();
    if constexpr (std::is_same_v<TypeParam, http::curl_client>) {
        EXPECT_EQ(o.ec, http::make_curl_error_code(CURLE_OPERATION_TIMEDOUT));
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
}

TYPED_TEST(http_streaming, idle_timeout_fires_when_the_stream_stalls) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> {
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
    this->streams().async_stream(std::move(req), [&](std::string_view c) { return received += c, true; }, this->record(o));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done; }));
    EXPECT_TRUE(http::is_timeout(o.ec)) << o.ec.message();
    EXPECT_EQ(received, "keep-alive");
}

TYPED_TEST(http_streaming, cancelling_an_in_flight_stream_aborts_and_closes_it) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.write_chunk("first");
        co_await ex.wait_for_close();
    });
    net::cancellation_signal cancel;
    outcome o;
    http::request req;
    req.url = server.url();
    this->streams().async_stream(
        std::move(req),
        [&](std::string_view) {
            cancel.emit(net::cancellation_type::terminal);  // allowed: chunks are delivered outside curl
            return true;
        },
        net::bind_cancellation_slot(cancel.slot(), this->record(o)));
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done && server.closed() == 1; }));
    EXPECT_EQ(o.ec, net::error::operation_aborted);
    EXPECT_EQ(this->streams_in_flight(), 0u);
    EXPECT_EQ(this->multi.transfers(), 0u);
    EXPECT_EQ(this->multi.sockets(), 0u);  // the half-read connection was closed, not cached
}

TYPED_TEST(http_streaming, cancelling_before_the_loop_runs) {
    scripted_server server(this->ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, ""); });
    net::cancellation_signal cancel;
    outcome o;
    http::request req;
    req.url = server.url();
    this->streams().async_stream(std::move(req), [](std::string_view) { return true; },
                                 net::bind_cancellation_slot(cancel.slot(), this->record(o)));
    cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until(this->ioc, [&] { return o.done; }));
    EXPECT_EQ(o.ec, net::error::operation_aborted);
    EXPECT_EQ(this->streams_in_flight(), 0u);
    EXPECT_EQ(this->multi.transfers(), 0u);
}

}  // namespace
}  // namespace ewstrigd::test
