#include "auth.hpp"
#include "base64.hpp"
#include "faults.hpp"
#include "options.hpp"
#include "time_format.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ewstrigd::sim {
namespace {

TEST(base64, round_trips_every_length_and_rejects_junk) {
    std::string bytes;
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
        bytes += static_cast<char>(i * 37);
    }
    EXPECT_EQ(base64_encode("sub-1"), "c3ViLTE=");
    EXPECT_EQ(base64_decode("c3Vi\r\nLTE="), "sub-1");
    EXPECT_FALSE(base64_decode("c3ViLTE"));
    EXPECT_FALSE(base64_decode("c3V*LTE="));
}

TEST(time_format, formats_utc) {
    EXPECT_EQ(xs_datetime(test::t0() + std::chrono::seconds(3723)), "2024-03-18T01:02:03Z");
    EXPECT_EQ(rfc5322_date(test::t0()), "Mon, 18 Mar 2024 00:00:00 +0000");
}

TEST(auth, basic_users_and_any_token_mode) {
    auth_config cfg;
    cfg.users["svc"] = "secret";
    const auto who = [&](const std::string& authorization) {
        auto r = authenticate(cfg, nullptr, authorization, test::t0());
        return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string("(denied)");
    };
    EXPECT_EQ(who("Basic " + base64_encode("svc:secret")), "svc");
    EXPECT_EQ(who("Basic " + base64_encode("svc:wrong")), "(denied)");
    EXPECT_EQ(who("Bearer abc"), "(denied)");
    EXPECT_EQ(who(""), "(denied)");
    cfg.any_token = true;
    EXPECT_EQ(who("Bearer abc"), "");
    EXPECT_EQ(who("Basic " + base64_encode("x:y")), "x");
    EXPECT_EQ(who(""), "(denied)");
}

TEST(options, parses_the_documented_flags) {
    const auto o = parse_options({"--listen", "127.0.0.1:0", "--user", "a:b:c", "--mailboxes", "3", "--keepalive-ms",
                                  "50", "--minute-ms", "200", "--insecure-any-token"});
    EXPECT_EQ(o.port, 0);
    EXPECT_EQ(o.auth.users.at("a"), "b:c");
    EXPECT_EQ(o.mailboxes, 3u);
    EXPECT_EQ(o.keepalive.count(), 50);
    EXPECT_EQ(o.minute.count(), 200);
    EXPECT_TRUE(o.auth.any_token);
    EXPECT_EQ(parse_options({"--send-as", "shop@example.com", "--send-as", "b@example.com"}).send_as,
              (std::vector<std::string>{"shop@example.com", "b@example.com"}));
    EXPECT_THROW(parse_options({"--send-as"}), std::invalid_argument);
    EXPECT_THROW(parse_options({"--listen", "nohost"}), std::invalid_argument);
    EXPECT_THROW(parse_options({"--bogus"}), std::invalid_argument);
}

TEST(options, jwt_flags_come_as_three_and_exclude_any_token) {
    const auto o = parse_options({"--jwks-url", "http://127.0.0.1:9/jwks", "--issuer", "http://127.0.0.1:9/t/v2.0",
                                  "--audience", "https://outlook.office365.com"});
    EXPECT_TRUE(o.auth.jwt.enabled());
    EXPECT_EQ(o.auth.jwt.issuer, "http://127.0.0.1:9/t/v2.0");
    EXPECT_EQ(o.auth.jwt.audience, "https://outlook.office365.com");
    const auto message = [](const std::vector<std::string>& args) {
        try {
            parse_options(args);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    EXPECT_NE(message({"--jwks-url", "u", "--audience", "a"}).find("--issuer is missing"), std::string::npos);
    EXPECT_NE(message({"--issuer", "i", "--audience", "a"}).find("--jwks-url is missing"), std::string::npos);
    EXPECT_NE(message({"--jwks-url", "u", "--issuer", "i"}).find("--audience is missing"), std::string::npos);
    EXPECT_NE(message({"--jwks-url", "u", "--issuer", "i", "--audience", "a", "--insecure-any-token"})
                  .find("exclude each other"),
              std::string::npos);
}

TEST(faults, parse_and_consume_per_mailbox) {
    auto f = std::get<fault>(parse_fault(R"({"kind":"server-busy","mailbox":"A@example.com","count":2,"backoff_ms":5})"));
    EXPECT_EQ(f.mailbox, "a@example.com");
    EXPECT_EQ(f.backoff_ms, 5u);
    fault_list list;
    list.add(f);
    EXPECT_FALSE(list.take_request_fault("b@example.com"));
    EXPECT_TRUE(list.take_request_fault("a@example.com"));
    EXPECT_FALSE(list.take_stream_fault("a@example.com"));
    EXPECT_TRUE(list.take_request_fault("a@example.com"));
    EXPECT_FALSE(list.take_request_fault("a@example.com"));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_fault(R"({"kind":"nope"})")));

    // An operation filter: only CreateItem requests fail, so a send can be retried while the rest works.
    list.add(std::get<fault>(parse_fault(R"({"kind":"server-busy","operation":"CreateItem"})")));
    EXPECT_FALSE(list.take_request_fault("a@example.com", "GetItem"));
    EXPECT_TRUE(list.take_request_fault("a@example.com", "CreateItem"));
    EXPECT_FALSE(list.take_request_fault("a@example.com", "CreateItem"));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_fault("not json")));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_fault(R"({"kind":"http-status","status":42})")));
}

}  // namespace
}  // namespace ewstrigd::sim
