// ews/subscribe on the docs' Subscribe responses (tests/data/ews/SOURCES.md).
#include "ews/subscribe.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using ewstrigd::testing::decode_every_prefix;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_value;
using ewstrigd::testing::parse_sample;

TEST(ews_subscribe, pull_subscription_has_id_and_watermark) {
    const auto subs = expect_value(ews::parse_subscribe(parse_sample("subscribe-pull-response-watermark.xml")));
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(subs[0].status.code, "NoError");
    EXPECT_EQ(subs[0].subscription_id, "39ea5d0f-f062-455e-a1e9-89c0304390f4");
    EXPECT_EQ(subs[0].watermark, "AAAAAHgGAAAAAAAAAQ==");
}

TEST(ews_subscribe, streaming_subscription_has_no_watermark) {
    const auto subs =
        expect_value(ews::parse_subscribe(parse_sample("subscribe-streaming-response-affinity-anchor.xml")));
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(subs[0].subscription_id,
              "JgBjbzFwcjA2bWIyMjIubmFtcHJkMDYucHJvZC5vdXRsb29rLmNvbRAAAAAUeGk+7JFdSaFM8/NI/gQQpVdgZX6H0Ag=");
    EXPECT_EQ(subs[0].watermark, "");
}

TEST(ews_subscribe, error_response_has_code_and_no_id) {
    const auto subs =
        expect_value(ews::parse_subscribe(parse_sample("subscribe-error-delegate-access-not-supported.xml")));
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(subs[0].status.klass, ews::response_class::error);
    EXPECT_EQ(subs[0].status.code, "ErrorSubscriptionDelegateAccessNotSupported");
    EXPECT_EQ(subs[0].status.message_text, "Subscriptions are not supported for delegate user access.");
    EXPECT_EQ(subs[0].subscription_id, "");
}

TEST(ews_subscribe, other_operations_and_faults_are_errors) {
    EXPECT_EQ(expect_error(ews::parse_subscribe(parse_sample("getevents-response-two-newmail-watermarks.xml"))),
              "not a Subscribe response: the SOAP body holds <GetEventsResponse>");
    EXPECT_EQ(expect_error(ews::parse_subscribe(parse_sample("soapfault-errorserverbusy-backoffmilliseconds.xml"))),
              "SOAP fault ErrorServerBusy: The server cannot service this request right now. Try again later.");
}

TEST(ews_subscribe, subscription_id_in_types_namespace_is_not_matched) {
    const auto r = std::get<ews::response>(ews::response::parse(
        R"(<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>
        <SubscribeResponse xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"><ResponseMessages>
        <SubscribeResponseMessage ResponseClass="Success"><ResponseCode>NoError</ResponseCode>
        <SubscriptionId xmlns="http://schemas.microsoft.com/exchange/services/2006/types">wrong</SubscriptionId>
        </SubscribeResponseMessage></ResponseMessages></SubscribeResponse></Body></Envelope>)"));
    const auto subs = expect_value(ews::parse_subscribe(r));
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(subs[0].subscription_id, "");
}

TEST(ews_subscribe, every_truncation_fails_cleanly_or_parses) {
    const auto parsed = decode_every_prefix("subscribe-pull-response-watermark.xml", [](const ews::response& r) {
        const auto subs = expect_value(ews::parse_subscribe(r));
        ASSERT_EQ(subs.size(), 1u);
        EXPECT_EQ(subs[0].watermark, "AAAAAHgGAAAAAAAAAQ==");
    });
    EXPECT_GE(parsed, 1u);
}
