// stream_client beyond the behaviour it shares with curl_client
// (http_streaming_test.cpp): what it sends, which requests it hands to its
// fallback, TLS, and the answers a broken or unusual server gives.

#include "http/stream_client.hpp"
#include "http_fixture.hpp"
#include "tls_server.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;

class stream_client_test : public http_fixture {
protected:
    // Streams `req` to the end; the decoded body is in `streamed`.
    outcome stream(http::request req, std::string& streamed) {
        outcome o;
        own.async_stream(std::move(req), [&](std::string_view c) { return streamed += c, true; }, record(o));
        EXPECT_TRUE(run_until(ioc, [&] { return o.done; }));
        return o;
    }

    http::stream_client own{ioc.get_executor(), client};
};

TEST_F(stream_client_test, sends_the_request_with_host_length_and_credentials) {
    std::vector<received_request> seen;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        seen.push_back(ex.request());
        co_await ex.respond(200, "ok");
    });
    const auto request_with = [&](http::auth a) {
        http::request req;
        req.method = http::method::post;
        req.url = server.url("/EWS/Exchange.asmx?x=1");
        req.headers = {{"Content-Type", "text/xml; charset=utf-8"}, {"X-AnchorMailbox", "a@example.org"}};
        req.body = "<soap/>";
        req.auth = std::move(a);
        return req;
    };
    std::string bodies;
    EXPECT_FALSE(stream(request_with(http::bearer_auth{"tok-123"}), bodies).ec);
    EXPECT_FALSE(stream(request_with(http::basic_auth{"user", "p:ss"}), bodies).ec);
    EXPECT_FALSE(stream(request_with(http::no_auth{}), bodies).ec);
    EXPECT_EQ(bodies, "okokok");
    ASSERT_EQ(seen.size(), 3u);
    for (const auto& r : seen) {
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.target, "/EWS/Exchange.asmx?x=1");
        EXPECT_EQ(r.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
        EXPECT_EQ(r.header("Content-Length"), "7");
        EXPECT_EQ(r.header("X-AnchorMailbox"), "a@example.org");
        EXPECT_EQ(r.body, "<soap/>");
    }
    EXPECT_EQ(seen[0].header("Authorization"), "Bearer tok-123");
    EXPECT_EQ(seen[1].header("Authorization"), "Basic dXNlcjpwOnNz");  // base64("user:p:ss")
    EXPECT_EQ(seen[2].header("Authorization"), "");
    EXPECT_EQ(own.in_flight(), 0u);
}

TEST_F(stream_client_test, buffered_and_ntlm_requests_go_to_the_fallback) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    outcome buffered, ntlm, own_stream;
    http::request req;
    req.url = server.url();
    own.async_send(req, record(buffered));
    req.auth = http::ntlm_auth{"DOMAIN\\user", "secret"};
    own.async_stream(req, [](std::string_view) { return true; }, record(ntlm));
    req.auth = http::bearer_auth{"t"};
    own.async_stream(req, [](std::string_view) { return true; }, record(own_stream));
    ASSERT_TRUE(run_until(ioc, [&] { return server.requests() == 3; }));
    EXPECT_EQ(client.in_flight(), 2u);  // the fallback's
    EXPECT_EQ(own.in_flight(), 1u);
}

// libcurl honours proxy variables; a stream must take the same way as every
// other request (each test runs in a process of its own: setenv is safe).
TEST_F(stream_client_test, with_a_proxy_in_the_environment_streams_go_through_libcurl) {
    scripted_server proxy(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "via proxy"); });
    ::setenv("http_proxy", proxy.url().c_str(), 1);
    http::stream_client proxied(ioc.get_executor(), client);
    outcome o;
    std::string streamed;
    http::request req;
    req.url = "http://mail.example.invalid/EWS/Exchange.asmx";
    proxied.async_stream(std::move(req), [&](std::string_view c) { return streamed += c, true; }, record(o));
    const bool done = run_until(ioc, [&] { return o.done; });
    ::unsetenv("http_proxy");
    ASSERT_TRUE(done);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(streamed, "via proxy");
    EXPECT_EQ(proxy.requests(), 1u);
}

TEST_F(stream_client_test, a_header_with_a_line_break_is_refused_before_anything_is_sent) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "ok"); });
    http::request req;
    req.url = server.url();
    req.headers = {{"X-AnchorMailbox", "a@example.org\r\nX-Injected: 1"}};
    std::string streamed;
    const auto o = stream(req, streamed);
    EXPECT_EQ(o.ec, http::errc::invalid_request) << o.ec.message();
    EXPECT_EQ(server.accepted(), 0u);
}

TEST_F(stream_client_test, bodies_by_length_by_close_and_after_100_continue_all_arrive) {
    // Answers by target (std::string, not literals in co_await: GCC 12 bug).
    const std::map<std::string, std::string> answers = {
        {"/length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
        {"/close", "HTTP/1.1 200 OK\r\n\r\nuntil the end"},
        {"/continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                      "X-Server: sim\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"}};
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        co_await ex.write_raw(answers.at(ex.request().target));
        if (ex.request().target == "/close") ex.drop();
    });
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/length", "hello"}, {"/close", "until the end"}, {"/continue", "abcde"}};
    for (const auto& [target, body] : cases) {
        http::request req;
        req.url = server.url(target);
        std::string streamed;
        const auto o = stream(req, streamed);
        EXPECT_FALSE(o.ec) << target << ": " << o.ec.message();
        EXPECT_EQ(o.res.status, 200u) << target;
        EXPECT_EQ(streamed, body) << target;
    }
}

TEST_F(stream_client_test, the_response_headers_of_the_final_answer_are_kept) {
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Retry-After", "7"}, {"Set-Cookie", "X-BackEndOverrideCookie=b1"}};
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        co_await ex.respond(503, "busy", headers);
    });
    http::request req;
    req.url = server.url();
    std::string streamed;
    const auto o = stream(req, streamed);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 503u);
    EXPECT_EQ(o.res.body, "busy");
    EXPECT_EQ(o.res.header("retry-after"), "7");
    EXPECT_EQ(o.res.header("Set-Cookie"), "X-BackEndOverrideCookie=b1");
    EXPECT_TRUE(streamed.empty());
}

TEST_F(stream_client_test, broken_answers_are_errors_not_hangs) {
    const std::string chunked_head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::map<std::string, std::string> answers = {
        {"/garbage", "SMTP ready\r\n\r\n"},
        {"/bad-chunk", chunked_head + "zz\r\n"},
        {"/endless-chunk-line", chunked_head + "5;" + std::string(200 * 1024, 'x')},
        {"/huge-header", "HTTP/1.1 200 OK\r\nX-Big: " + std::string(100 * 1024, 'h') + "\r\n\r\n"}};
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        if (ex.request().target == "/hang-up") co_return ex.drop();
        co_await ex.write_raw(answers.at(ex.request().target));
        co_await ex.wait_for_close();
    });
    for (const char* target : {"/hang-up", "/garbage", "/bad-chunk", "/endless-chunk-line", "/huge-header"}) {
        http::request req;
        req.url = server.url(target);
        std::string streamed;
        const auto o = stream(req, streamed);
        EXPECT_TRUE(o.ec) << target;
        EXPECT_TRUE(streamed.empty()) << target;
    }
    EXPECT_EQ(own.in_flight(), 0u);
}

TEST_F(stream_client_test, a_refused_connection_and_an_unknown_host_fail_without_hanging) {
    std::string port;
    {
        scripted_server gone(ioc, [](exchange&) -> net::awaitable<void> { co_return; });
        port = std::to_string(gone.port());
    }
    for (const std::string& url : {"http://127.0.0.1:" + port + "/", std::string("http://no-such-host.invalid/")}) {
        http::request req;
        req.url = url;
        req.timeouts.connect = 5s;
        std::string streamed;
        const auto o = stream(req, streamed);
        EXPECT_TRUE(o.ec) << url;
        EXPECT_FALSE(http::is_timeout(o.ec)) << url << ": " << o.ec.message();
    }
}

TEST_F(stream_client_test, names_and_ipv6_addresses_are_reached) {
    scripted_server v4(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "v4"); });
    scripted_server v6(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, "v6"); }, "::1");
    std::string streamed;
    http::request by_name;
    by_name.url = "http://localhost:" + std::to_string(v4.port()) + "/";
    EXPECT_FALSE(stream(by_name, streamed).ec);
    http::request by_v6;
    by_v6.url = v6.url();
    EXPECT_FALSE(stream(by_v6, streamed).ec);
    EXPECT_EQ(streamed, "v4v6");
}

TEST_F(stream_client_test, many_streams_each_get_their_own_notifications) {
    constexpr int streams = 50;
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        for (int i = 0; i < 3; ++i) co_await ex.write_chunk(ex.request().target + ";");
        co_await ex.end_chunked();
    });
    std::vector<std::string> received(streams);
    std::vector<outcome> done(streams);
    for (int i = 0; i < streams; ++i) {
        http::request req;
        req.url = server.url("/s" + std::to_string(i));
        own.async_stream(
            std::move(req), [&, i](std::string_view c) { return received[static_cast<std::size_t>(i)] += c, true; },
            record(done[static_cast<std::size_t>(i)]));
    }
    ASSERT_TRUE(run_until(ioc, [&] {
        for (const auto& o : done) if (!o.done) return false;
        return true;
    }));
    for (int i = 0; i < streams; ++i) {
        const auto target = "/s" + std::to_string(i) + ";";
        EXPECT_FALSE(done[static_cast<std::size_t>(i)].ec);
        EXPECT_EQ(received[static_cast<std::size_t>(i)], target + target + target);
    }
}

TEST_F(stream_client_test, tls_verifies_the_server_and_honours_a_ca_file) {
    tls_server server(ioc);
    http::request req;
    req.url = server.url();
    std::string streamed;
    const auto refused = stream(req, streamed);
    EXPECT_TRUE(refused.ec);
    EXPECT_NE(refused.ec.message().find("certificate verify failed"), std::string::npos) << refused.ec.message();
    EXPECT_EQ(server.requests(), 0u);

    const std::string ca_file = ::testing::TempDir() + "ewstrigd-stream-ca-" + std::to_string(::getpid()) + ".pem";
    std::ofstream(ca_file) << server.cert_pem();
    req.tls.ca_file = ca_file;
    const auto trusted = stream(req, streamed);
    std::remove(ca_file.c_str());
    EXPECT_FALSE(trusted.ec) << trusted.ec.message();
    EXPECT_EQ(trusted.res.status, 200u);
    EXPECT_EQ(streamed, "secure");
    EXPECT_EQ(server.requests(), 1u);

    req.tls.ca_file = "/nonexistent/ca.pem";
    const auto no_ca = stream(req, streamed);
    EXPECT_TRUE(no_ca.ec);
    EXPECT_EQ(server.requests(), 1u);

    http::request unverified;  // tls.verify: false, no CA at all
    unverified.url = server.url();
    unverified.tls.verify = false;
    streamed.clear();
    const auto accepted = stream(unverified, streamed);
    EXPECT_FALSE(accepted.ec) << accepted.ec.message();
    EXPECT_EQ(streamed, "secure");
}

// An admin replaces the CA bundle at the same path (by rename, as config
// tools do, or rewritten in place) and reloads: the next stream must trust
// the new bundle, not a copy cached when the first stream started.
TEST_F(stream_client_test, a_replaced_ca_file_is_trusted_from_the_next_stream_on) {
    tls_server old_server(ioc);
    tls_server new_server(ioc);
    const std::string ca_file = ::testing::TempDir() + "ewstrigd-stream-swap-" + std::to_string(::getpid()) + ".pem";
    std::ofstream(ca_file) << old_server.cert_pem();
    std::string streamed;
    const auto to = [&](const tls_server& server) {
        http::request req;
        req.url = server.url();
        req.tls.ca_file = ca_file;
        return stream(std::move(req), streamed);
    };
    EXPECT_FALSE(to(old_server).ec);

    const std::string staged = ca_file + ".new";
    std::ofstream(staged) << new_server.cert_pem();
    ASSERT_EQ(std::rename(staged.c_str(), ca_file.c_str()), 0);
    EXPECT_TRUE(to(old_server).ec) << "the old CA is still trusted after the bundle was replaced";
    const auto renamed = to(new_server);
    EXPECT_FALSE(renamed.ec) << renamed.ec.message();

    // Rewritten in place: same inode, and within the clock's tick perhaps the
    // same mtime, so the test moves the mtime on as an editor's save would.
    std::ofstream(ca_file, std::ios::trunc) << old_server.cert_pem();
    const timespec later[2] = {{0, UTIME_OMIT}, {::time(nullptr) + 5, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, ca_file.c_str(), later, 0), 0);
    const auto rewritten = to(old_server);
    EXPECT_FALSE(rewritten.ec) << rewritten.ec.message();
    EXPECT_TRUE(to(new_server).ec);
    std::remove(ca_file.c_str());
    EXPECT_EQ(old_server.requests(), 2u);
    EXPECT_EQ(new_server.requests(), 1u);
}

// A host name goes in SNI and is checked against the certificate's DNS
// names; an address is checked against its IP entries, so a certificate for
// "localhost" alone does not pass for 127.0.0.1.
TEST_F(stream_client_test, tls_checks_the_name_the_url_gives) {
    tls_server server(ioc, "DNS:localhost");
    const std::string ca_file = ::testing::TempDir() + "ewstrigd-stream-name-" + std::to_string(::getpid()) + ".pem";
    std::ofstream(ca_file) << server.cert_pem();
    const std::string port = server.url().substr(server.url().rfind(':'));  // ":PORT/"
    std::string streamed;
    http::request by_name;
    by_name.url = "https://localhost" + port;
    by_name.tls.ca_file = ca_file;
    const auto named = stream(by_name, streamed);
    http::request by_address = by_name;
    by_address.url = "https://127.0.0.1" + port;
    const auto addressed = stream(by_address, streamed);
    std::remove(ca_file.c_str());
    EXPECT_FALSE(named.ec) << named.ec.message();
    EXPECT_EQ(streamed, "secure");
    EXPECT_EQ(server.last_server_name(), "localhost");
    EXPECT_TRUE(addressed.ec);
    EXPECT_EQ(server.requests(), 1u);
}

TEST_F(stream_client_test, destroying_the_client_aborts_its_streams) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked();
        co_await ex.wait_for_close();
    });
    outcome o;
    {
        http::stream_client doomed(ioc.get_executor(), client);
        http::request req;
        req.url = server.url();
        doomed.async_stream(std::move(req), [](std::string_view) { return true; }, record(o));
        ASSERT_TRUE(run_until(ioc, [&] { return server.requests() == 1; }));
    }
    ASSERT_TRUE(run_until(ioc, [&] { return o.done && server.closed() == 1; }));
    EXPECT_EQ(o.ec, net::error::operation_aborted);
}

}  // namespace
}  // namespace ewstrigd::test
