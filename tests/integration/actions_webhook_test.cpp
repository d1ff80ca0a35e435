// The webhook action against the scripted loopback server, through curl.

#include "actions/webhook_request.hpp"
#include "actions_fixture.hpp"
#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"
#include "scripted_server.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using kind = actions::outcome::kind;

// HMAC-SHA256 hex computed by the openssl command line tool, independently of our code.
std::string openssl_hmac(const std::string& key, const std::string& data, const ewstrigd::testing::scratch_dir& dir) {
    const auto file = dir.write("body.json", data);
    const std::string cmd = "openssl dgst -sha256 -hmac '" + key + "' -r '" + file.string() + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
    if (!p) return "popen failed";
    char buf[256] = {};
    if (std::fgets(buf, sizeof buf, p.get()) == nullptr) return "no output";
    std::string line(buf);
    return line.substr(0, line.find(' '));
}

class webhook_action : public actions_fixture {
protected:
    config::action_config hook(const std::string& url) {
        config::webhook_action w;
        w.url = templ(url);
        w.headers.emplace("Authorization", templ("Bearer t0k3n"));
        w.headers.emplace("X-Invoice", templ("{{match.number}}"));
        w.signing_secret = config::secret("s3cret");
        config::action_config a;
        a.what = std::move(w);
        return a;
    }

    http::curl_multi multi{ioc};
    http::curl_client client{multi};
};

TEST_F(webhook_action, sends_headers_body_and_a_verifiable_signature) {
    received_request seen;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        seen = ex.request();
        co_await ex.respond(204, "");
    });
    actions::executor exec(ioc.get_executor(), options(&client));
    const auto o = execute(exec, hook(server.url("/hook/{{match.number}}")));
    EXPECT_EQ(o.result, kind::done) << o.detail;
    EXPECT_EQ(seen.method, "POST");
    EXPECT_EQ(seen.target, "/hook/4711");
    EXPECT_EQ(seen.header("Content-Type"), "application/json");
    EXPECT_EQ(seen.header("Authorization"), "Bearer t0k3n");
    EXPECT_EQ(seen.header("X-Invoice"), "4711");
    EXPECT_EQ(seen.header("Idempotency-Key"), "ev-7/t/0");
    EXPECT_EQ(seen.header("X-Ewstrigd-Event"), "ev-7");
    EXPECT_EQ(seen.header("X-Ewstrigd-Signature"), "sha256=" + openssl_hmac("s3cret", seen.body, tmp));
    const auto body = nlohmann::json::parse(seen.body);
    EXPECT_EQ(body.at("event_id"), "ev-7");
    EXPECT_EQ(body.at("subject"), "Invoice 4711 – Grüße");
    EXPECT_EQ(body.at("captures").at("number"), "4711");
    EXPECT_EQ(log_text.str().find("t0k3n"), std::string::npos) << "a header value was logged";
}

TEST_F(webhook_action, server_error_retries_then_succeeds_with_the_same_request) {
    std::vector<received_request> seen;
    scripted_server server(ioc, [&](exchange& ex) -> net::awaitable<void> {
        seen.push_back(ex.request());
        co_await ex.respond(seen.size() == 1 ? 500 : 200, "");
    });
    actions::executor exec(ioc.get_executor(), options(&client));
    const auto a = hook(server.url("/"));
    const auto first = execute(exec, a);
    EXPECT_EQ(first.result, kind::retry);
    EXPECT_EQ(first.detail, "webhook answered HTTP 500");
    EXPECT_EQ(execute(exec, a).result, kind::done);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].body, seen[1].body);
    EXPECT_EQ(seen[0].header("Idempotency-Key"), seen[1].header("Idempotency-Key"));
    EXPECT_EQ(seen[0].header("X-Ewstrigd-Signature"), seen[1].header("X-Ewstrigd-Signature"));
}

TEST_F(webhook_action, client_error_is_dead) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(400, "bad"); });
    actions::executor exec(ioc.get_executor(), options(&client));
    const auto o = execute(exec, hook(server.url("/")));
    EXPECT_EQ(o.result, kind::dead);
    EXPECT_NE(o.detail.find("HTTP 400"), std::string::npos);
}

TEST_F(webhook_action, retry_after_is_honoured) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> {
        std::vector<std::pair<std::string, std::string>> headers{{"Retry-After", "42"}};
        co_await ex.respond(429, "slow down", std::move(headers));
    });
    actions::executor exec(ioc.get_executor(), options(&client));
    const auto o = execute(exec, hook(server.url("/")));
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.delay, std::chrono::milliseconds(42'000));
}

TEST_F(webhook_action, timeout_retries) {
    scripted_server server(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.wait_for_close(); });
    actions::executor exec(ioc.get_executor(), options(&client));
    auto a = hook(server.url("/"));
    a.timeout = 300ms;
    const auto o = execute(exec, a);
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.detail, "webhook timed out");
}

TEST_F(webhook_action, refused_connection_retries) {
    unsigned short port = 0;
    {
        scripted_server gone(ioc, [](exchange& ex) -> net::awaitable<void> { co_await ex.respond(200, ""); });
        port = gone.port();
    }
    actions::executor exec(ioc.get_executor(), options(&client));
    const auto o = execute(exec, hook("http://127.0.0.1:" + std::to_string(port) + "/"));
    EXPECT_EQ(o.result, kind::retry) << o.detail;
}

}  // namespace
}  // namespace ewstrigd::test
