// Throttling (request budget, stream cap), the 200-subscriptions-per-stream
// limit and the options that turn them and TLS on. Replies are read back with
// the daemon's parsers, as a client would see them.
#include "ews/notifications.hpp"
#include "ews/subscribe.hpp"
#include "options.hpp"
#include "throttle.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::sim {
namespace {

using namespace std::chrono_literals;
using clock = request_budget::clock;
using test::ok;
using test::parse_response;
using test::reply_body;
using test::run;
using test::soap_request;

TEST(throttle, budget_is_off_by_default) {
    request_budget budget(options{}.throttle);
    const auto now = clock::now();
    for (int i = 0; i < 10000; ++i) ASSERT_FALSE(budget.charge("a@example.com", now)) << i;
    EXPECT_FALSE(stream_limit_reached(options{}.throttle, 1000));
}

TEST(throttle, budget_refuses_with_the_time_left_in_the_window_then_refills) {
    request_budget budget({.max_streams = 0, .request_budget = 2, .window = 1000ms});
    const auto t = clock::now();
    EXPECT_FALSE(budget.charge("a@example.com", t));
    EXPECT_FALSE(budget.charge("a@example.com", t + 100ms));
    EXPECT_EQ(budget.charge("a@example.com", t + 250ms), 750ms);
    EXPECT_EQ(budget.charge("a@example.com", t + 999ms), 1ms);
    EXPECT_FALSE(budget.charge("b@example.com", t + 999ms)) << "budgets are per mailbox";
    EXPECT_FALSE(budget.charge("a@example.com", t + 1000ms)) << "a new window";
    EXPECT_FALSE(budget.charge("a@example.com", t + 1100ms));
    EXPECT_EQ(budget.charge("a@example.com", t + 1500ms), 500ms);
}

TEST(throttle, server_busy_reply_carries_back_off_milliseconds) {
    const auto reply = server_busy_reply(4321);
    EXPECT_EQ(reply.status, 500u);
    const auto r = parse_response(reply.body);
    ASSERT_TRUE(r.fault());
    EXPECT_EQ(r.fault()->code, "ErrorServerBusy");
    EXPECT_EQ(r.fault()->back_off_ms(), 4321u);
}

TEST(throttle, stream_cap_answers_exceeded_connection_count) {
    const throttle_options o{.max_streams = 2, .request_budget = 0, .window = 1000ms};
    EXPECT_FALSE(stream_limit_reached(o, 1));
    EXPECT_TRUE(stream_limit_reached(o, 2));
    const auto events = ok(ews::parse_events(parse_response(exceeded_connection_count_reply().body)));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].status.code, "ErrorExceededConnectionCount");
    EXPECT_EQ(events[0].status.klass, ews::response_class::error);
}

std::string subscribe_streaming(store& st) {
    const auto subs = ok(ews::parse_subscribe(parse_response(reply_body(run(
        st, soap_request("<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds>"
                         "<t:DistinguishedFolderId Id=\"inbox\"/></t:FolderIds><t:EventTypes>"
                         "<t:EventType>NewMailEvent</t:EventType></t:EventTypes>"
                         "</m:StreamingSubscriptionRequest></m:Subscribe>"))))));
    EXPECT_EQ(subs.size(), 1u);
    return subs.empty() ? std::string{} : subs[0].subscription_id;
}

std::string get_streaming_events(const std::vector<std::string>& ids) {
    std::string body = "<m:GetStreamingEvents><m:SubscriptionIds>";
    for (const auto& id : ids) body += "<t:SubscriptionId>" + id + "</t:SubscriptionId>";
    return soap_request(body + "</m:SubscriptionIds><m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents>");
}

TEST(throttle, a_stream_carries_at_most_200_subscriptions) {
    store st;
    std::vector<std::string> ids;
    for (int i = 0; i < 201; ++i) ids.push_back(subscribe_streaming(st));

    const auto refused = ok(ews::parse_events(parse_response(reply_body(run(st, get_streaming_events(ids))))));
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].status.code, "ErrorInvalidSubscription");
    EXPECT_EQ(refused[0].connection, ews::connection_status::closed);

    ids.pop_back();
    const auto outcome = run(st, get_streaming_events(ids));
    const auto* stream = std::get_if<stream_request>(&outcome);
    ASSERT_NE(stream, nullptr) << "200 subscriptions are allowed";
    EXPECT_EQ(stream->subscription_ids.size(), 200u);
}

TEST(options, tls_and_throttling_flags) {
    const auto o = parse_options({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--max-streams-per-mailbox", "3",
                                  "--max-subscriptions-per-mailbox", "20", "--request-budget", "20",
                                  "--budget-window-ms", "500"});
    EXPECT_EQ(o.tls_cert, "c.pem");
    EXPECT_EQ(o.tls_key, "k.pem");
    EXPECT_EQ(o.throttle.max_streams, 3u);
    EXPECT_EQ(o.throttle.max_subscriptions, 20u);
    EXPECT_EQ(o.throttle.request_budget, 20u);
    EXPECT_EQ(o.throttle.window, 500ms);
    EXPECT_THROW(parse_options({"--tls-cert", "c.pem"}), std::invalid_argument);
    EXPECT_THROW(parse_options({"--tls-key", "k.pem"}), std::invalid_argument);
    EXPECT_THROW(parse_options({"--budget-window-ms", "0"}), std::invalid_argument);
    EXPECT_THROW(parse_options({"--request-budget", "x"}), std::invalid_argument);
}

}  // namespace
}  // namespace ewstrigd::sim
