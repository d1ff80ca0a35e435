// The token file format (pure): round trip, and bad files give errors that
// name the field, never a token.
#include "auth/sign_in.hpp"
#include "auth/token_store.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace ewstrigd::auth {
namespace {

using namespace std::chrono_literals;

stored_tokens sample() {
    stored_tokens t;
    t.mailbox_id = "invoices";
    t.address = "invoices@contoso.com";
    t.authority = "https://login.microsoftonline.com";
    t.tenant_id = "contoso.onmicrosoft.com";
    t.client_id = "0000-app";
    t.scope = "https://outlook.office365.com/EWS.AccessAsUser.All offline_access";
    t.refresh_token = secret("RT-secret-value");
    const auto at = wall_clock::time_point{std::chrono::seconds{1'800'000'000}};
    t.access = cached_access_token{secret("AT-secret-value"), {at, at + 1h, 1800s}};
    t.generation = 42;
    t.saved_at = at;
    return t;
}

TEST(token_store_format, round_trips_every_field) {
    const auto t = sample();
    const auto back = parse_tokens(serialize_tokens(t).reveal());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->mailbox_id, t.mailbox_id);
    EXPECT_EQ(back->address, t.address);
    EXPECT_EQ(back->authority, t.authority);
    EXPECT_EQ(back->tenant_id, t.tenant_id);
    EXPECT_EQ(back->client_id, t.client_id);
    EXPECT_EQ(back->scope, t.scope);
    EXPECT_EQ(back->refresh_token, t.refresh_token);
    EXPECT_EQ(back->generation, 42u);
    EXPECT_EQ(back->saved_at, t.saved_at);
    ASSERT_TRUE(back->access);
    EXPECT_EQ(back->access->token, t.access->token);
    EXPECT_EQ(back->access->times.issued_at, t.access->times.issued_at);
    EXPECT_EQ(back->access->times.expires_at, t.access->times.expires_at);
    EXPECT_EQ(back->access->times.refresh_in, 1800s);
}

TEST(token_store_format, the_access_token_is_optional) {
    auto t = sample();
    t.access.reset();
    const auto back = parse_tokens(serialize_tokens(t).reveal());
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->access);
}

TEST(token_store_format, bad_files_name_the_field_and_never_a_token) {
    const std::string good = serialize_tokens(sample()).reveal();
    auto without = [&](const std::string& key) {
        auto doc = good;
        const auto at = doc.find("\"" + key + "\"");
        const auto end = doc.find('\n', at);
        doc.erase(at, end - at);
        // keep the JSON valid: drop a trailing comma left before "}"
        if (const auto c = doc.rfind(",\n}"); c != std::string::npos) doc.erase(c, 1);
        return doc;
    };
    for (const std::string key : {"refresh_token", "client_id", "tenant_id", "authority", "mailbox_id", "generation"}) {
        const auto r = parse_tokens(without(key));
        ASSERT_FALSE(r) << key;
        EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
        EXPECT_EQ(r.error().message.find("secret-value"), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(parse_tokens(""));
    EXPECT_FALSE(parse_tokens("[]"));
    EXPECT_FALSE(parse_tokens(good.substr(0, good.size() / 2)));
    auto future = good;
    future.replace(future.find("\"version\": 1"), 12, "\"version\": 9");
    const auto r = parse_tokens(future);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("version 9"), std::string::npos) << r.error().message;
}

TEST(token_store_format, same_result_for_every_truncation) {
    const std::string good = serialize_tokens(sample()).reveal();
    for (std::size_t i = 0; i + 2 < good.size(); ++i) {
        EXPECT_FALSE(parse_tokens(good.substr(0, i))) << "truncated at " << i;
    }
}

TEST(loopback_redirect_uri, splits_host_port_and_path) {
    const auto a = parse_loopback_uri("http://localhost:8400/");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "localhost");
    EXPECT_EQ(a->port, 8400);
    EXPECT_EQ(a->path, "/");
    const auto b = parse_loopback_uri("http://127.0.0.1/callback?x=1");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->port, 0);
    EXPECT_EQ(b->path, "/callback");
    const auto c = parse_loopback_uri("http://[::1]:9000");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->host, "[::1]");
    EXPECT_EQ(c->port, 9000);
    EXPECT_EQ(c->path, "/");  // Entra returns path-less redirect URIs with a trailing slash
}

TEST(loopback_redirect_uri, refuses_what_is_not_a_loopback_listener) {
    for (const char* bad : {"https://localhost:8400/", "http://example.com:8400/", "http://localhost:0/",
                            "http://localhost:70000/", "http://localhost:84a/", "http://127.0.0.1.example.com/",
                            "http://[::1]x/"}) {
        EXPECT_FALSE(parse_loopback_uri(bad)) << bad;
    }
}

}  // namespace
}  // namespace ewstrigd::auth
