// ews-sim's throttling as a client meets it over HTTP: the request budget
// answers ErrorServerBusy with BackOffMilliseconds, the per-mailbox stream cap
// answers ErrorExceededConnectionCount while another stream is open, and both
// are off by default.

#include "ews_sim_fixture.hpp"

#include <string>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using ews_sim_throttle = ews_sim_fixture;

TEST_F(ews_sim_throttle, request_budget_answers_server_busy_with_back_off) {
    sim::options o;
    o.throttle.request_budget = 2;
    o.throttle.window = 60s;
    start(std::move(o));
    for (int i = 0; i < 2; ++i) {
        const auto ok = send(ews(sim_get_inbox));
        ASSERT_FALSE(ok.ec) << ok.ec.message();
        EXPECT_EQ(ok.res.status, 200u) << "request " << i << ": " << ok.res.body;
    }
    const auto busy = send(ews(sim_get_inbox));
    ASSERT_FALSE(busy.ec) << busy.ec.message();
    EXPECT_EQ(busy.res.status, 500u);
    EXPECT_NE(busy.res.body.find("a:ErrorServerBusy</faultcode>"), std::string::npos) << busy.res.body;
    const std::string marker = "<t:Value Name=\"BackOffMilliseconds\">";
    const auto value = busy.res.body.find(marker);
    ASSERT_NE(value, std::string::npos) << busy.res.body;
    const auto backoff = std::stoul(busy.res.body.substr(value + marker.size()));
    EXPECT_GT(backoff, 50000u);  // most of the 60 s window is left
    EXPECT_LE(backoff, 60000u);
}

TEST_F(ews_sim_throttle, stream_cap_refuses_a_second_open_stream_of_the_mailbox) {
    sim::options o;
    o.throttle.max_streams = 1;
    o.minute = 2s;  // the first stream stays open long enough for the second request
    start(std::move(o));
    const auto id = sim_subscription_id(send(ews(sim_subscribe_inbox)).res.body);
    ASSERT_FALSE(id.empty());

    bool first_open = false;
    outcome first;
    client.async_stream(ews(sim_get_streaming_events(id)),
                        [&](std::string_view) {
                            first_open = true;
                            return true;
                        },
                        record(first));
    ASSERT_TRUE(run_until(ioc, [&] { return first_open; }));

    const auto second = send(ews(sim_get_streaming_events(id)));
    ASSERT_FALSE(second.ec) << second.ec.message();
    EXPECT_EQ(second.res.status, 200u);
    EXPECT_NE(second.res.body.find("<m:ResponseCode>ErrorExceededConnectionCount</m:ResponseCode>"),
              std::string::npos)
        << second.res.body;
    EXPECT_FALSE(first.done) << "the first stream must stay open";
    ASSERT_TRUE(run_until(ioc, [&] { return first.done; }));  // it ends with Closed after its 2 s "minute"
    EXPECT_FALSE(first.ec) << first.ec.message();
}

TEST_F(ews_sim_throttle, off_by_default) {
    start({});
    for (int i = 0; i < 50; ++i) {
        const auto ok = send(ews(sim_get_inbox));
        ASSERT_EQ(ok.res.status, 200u) << "request " << i << ": " << ok.res.body;
    }
}

}  // namespace
}  // namespace ewstrigd::test
