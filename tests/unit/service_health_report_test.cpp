#include "service/health_report.hpp"
#include "service/listen_address.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace s = ewstrigd::service;
using json = nlohmann::json;

namespace {
std::vector<s::mailbox_health> rows() {
    s::mailbox_health a{"invoices", "connected", std::chrono::system_clock::from_time_t(1795881845), "", 2};
    s::mailbox_health b{"support", "failed", std::nullopt, "ErrorAccessDenied: EWS disabled for the tenant", 0};
    s::mailbox_health c{"archive", "idle", std::nullopt, "", 0};
    return {a, b, c};
}
}  // namespace

TEST(service_health_report, all_connected_or_idle_is_healthy) {
    auto r = rows();
    r.erase(r.begin() + 1);
    const auto v = s::health_json(r);
    EXPECT_TRUE(v.healthy);
    EXPECT_EQ(json::parse(v.json), json::parse(R"({"status":"ok","mailboxes":2})"));
}

TEST(service_health_report, failing_mailboxes_are_named_with_their_last_error) {
    const auto v = s::health_json(rows());
    EXPECT_FALSE(v.healthy);
    EXPECT_EQ(json::parse(v.json), json::parse(R"({"status":"failing","mailboxes":3,"failing":[
        {"mailbox":"support","state":"failed","last_error":"ErrorAccessDenied: EWS disabled for the tenant"}]})"));
}

TEST(service_health_report, connecting_is_not_healthy_yet) {
    EXPECT_FALSE(s::health_json({{"a", "connecting", std::nullopt, "", 0}}).healthy);
    EXPECT_FALSE(s::health_json({{"a", "backing_off", std::nullopt, "ErrorServerBusy", 0}}).healthy);
    EXPECT_TRUE(s::health_json({}).healthy);
}

TEST(service_health_report, status_json_has_the_full_table) {
    const auto j = json::parse(s::status_json(rows(), "1.2.3"));
    EXPECT_EQ(j["version"], "1.2.3");
    EXPECT_EQ(j["healthy"], false);
    ASSERT_EQ(j["mailboxes"].size(), 3u);
    EXPECT_EQ(j["mailboxes"][0], json::parse(R"({"id":"invoices","state":"connected",
        "last_event":"2026-11-28T16:04:05Z","last_error":"","outbox_pending":2})"));
    EXPECT_TRUE(j["mailboxes"][1]["last_event"].is_null());
}

TEST(service_health_report, invalid_utf8_in_an_error_does_not_throw) {
    EXPECT_NO_THROW(s::health_json({{"a", "failed", std::nullopt, "bad \xff byte", 0}}));
    EXPECT_NO_THROW(s::status_json({{"a", "failed", std::nullopt, "bad \xff byte", 0}}, "v"));
}

TEST(service_health_report, count_states_rebuilds_the_gauge) {
    ewstrigd::service::metrics::registry r;
    auto& g = r.add_gauge("ewstrigd_mailboxes", "M.", {"state"});
    s::count_states(g, rows());
    s::count_states(g, rows());  // twice: replaced, not added up
    const auto text = r.expose();
    EXPECT_NE(text.find("ewstrigd_mailboxes{state=\"connected\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("ewstrigd_mailboxes{state=\"failed\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("ewstrigd_mailboxes{state=\"idle\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("ewstrigd_mailboxes{state=\"backing_off\"} 0\n"), std::string::npos);
}

TEST(service_health_report, connected_summary_counts_only_connected_mailboxes) {
    std::vector<s::mailbox_health> rows(3);
    rows[0].state = "connected";
    rows[1].state = "backing_off";
    rows[2].state = "connected";
    EXPECT_EQ(s::connected_summary(rows), "2/3 mailboxes connected");
    EXPECT_EQ(s::connected_summary({}), "0/0 mailboxes connected");
}

TEST(service_listen_address, parses_the_forms_admins_write) {
    EXPECT_EQ(s::parse_listen_address("127.0.0.1:9464").value(),
              boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 9464));
    EXPECT_EQ(s::parse_listen_address("[::1]:9464").value().address().to_string(), "::1");
    EXPECT_EQ(s::parse_listen_address("::1:80").value().port(), 80);
    EXPECT_EQ(s::parse_listen_address("localhost:1").value().address().to_string(), "127.0.0.1");
    for (const char* bad : {"", ":9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "host.example:80",
                            "127.0.0.1:9x", "1.2.3.4.5:1"}) {
        EXPECT_FALSE(s::parse_listen_address(bad).has_value()) << bad;
    }
}

TEST(service_listen_address, wildcard_is_reached_over_loopback) {
    EXPECT_EQ(s::client_endpoint(s::parse_listen_address("0.0.0.0:9").value()).address().to_string(), "127.0.0.1");
    EXPECT_EQ(s::client_endpoint(s::parse_listen_address("[::]:9").value()).address().to_string(), "::1");
    EXPECT_EQ(s::client_endpoint(s::parse_listen_address("127.0.0.2:9").value()).address().to_string(), "127.0.0.2");
}
