// ews/error_policy: HTTP status + Retry-After + parsed body -> next step,
// on the real fault/error samples (tests/data/ews/SOURCES.md).
#include "ews/error_policy.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using namespace std::chrono_literals;
using ews::next_step;
using ewstrigd::testing::parse_sample;

namespace {
ews::decision classify_sample(int status, const std::string& name) {
    const auto r = parse_sample(name);
    return ews::classify({status, std::nullopt, &r});
}
}  // namespace

TEST(ews_error_policy, server_busy_fault_honours_back_off_milliseconds) {
    const auto d = classify_sample(500, "soapfault-errorserverbusy-backoffmilliseconds.xml");
    EXPECT_EQ(d.step, next_step::retry_after);
    EXPECT_EQ(d.delay, 297749ms);
    EXPECT_EQ(d.code, "ErrorServerBusy");
}

TEST(ews_error_policy, samples_map_to_their_steps) {
    EXPECT_EQ(classify_sample(200, "getstreamingevents-error-invalidsubscription-errorsubscriptionids.xml").step,
              next_step::resubscribe);
    EXPECT_EQ(classify_sample(200, "syncfolderitems-error-invalidsyncstatedata.xml").step, next_step::resync);
    EXPECT_EQ(classify_sample(500, "soapfault-errorschemavalidation.xml").step, next_step::permanent);
    EXPECT_EQ(classify_sample(200, "subscribe-error-delegate-access-not-supported.xml").step, next_step::permanent);
    const auto busy = classify_sample(200, "finditem-error-toomanyobjectsopened.xml");
    EXPECT_EQ(busy.step, next_step::retry_after);
    EXPECT_EQ(busy.delay, ews::default_retry_delay);
    // InnerErrorResponseCode ErrorQuotaExceededOnDelete: not in the table.
    EXPECT_EQ(classify_sample(200, "deleteitem-error-internalservererror-innererror.xml").step, next_step::transient);
    for (const char* ok : {"getstreamingevents-created-newmail-modified.xml", "subscribe-pull-response-watermark.xml",
                           "syncfolderitems-response-create-meetingrequest.xml", "moveitem-response.xml"}) {
        EXPECT_EQ(classify_sample(200, ok).step, next_step::proceed) << ok;
    }
}

TEST(ews_error_policy, response_code_table) {
    const std::pair<const char*, next_step> rows[] = {
        {"ErrorSubscriptionNotFound", next_step::resubscribe},   {"ErrorInvalidSubscription", next_step::resubscribe},
        {"ErrorExpiredSubscription", next_step::resubscribe},    {"ErrorInvalidWatermark", next_step::resubscribe},
        {"ErrorMissedNotificationEvents", next_step::resubscribe}, {"ErrorInvalidSyncStateData", next_step::resync},
        {"ErrorAccessDenied", next_step::permanent},             {"ErrorNonExistentMailbox", next_step::permanent},
        {"ErrorImpersonateUserDenied", next_step::permanent},    {"ErrorInvalidSubscriptionRequest", next_step::permanent},
        {"ErrorMailboxStoreUnavailable", next_step::transient},  {"ErrorSomethingNew", next_step::transient},
        {"NoError", next_step::proceed},
    };
    for (const auto& [code, step] : rows) EXPECT_EQ(ews::classify_code(code).step, step) << code;
    EXPECT_EQ(ews::classify_code("ErrorServerBusy", 1500).delay, 1500ms);
    EXPECT_EQ(ews::classify_code("ErrorServerBusy").delay, ews::default_retry_delay);
}

TEST(ews_error_policy, inner_server_busy_behind_internal_server_error) {
    const auto d = ews::classify_code("ErrorInternalServerError", 2000, "ErrorServerBusy");
    EXPECT_EQ(d.step, next_step::retry_after);
    EXPECT_EQ(d.delay, 2000ms);
    EXPECT_EQ(ews::classify_code("ErrorInternalServerError").step, next_step::transient);
}

TEST(ews_error_policy, http_statuses) {
    EXPECT_EQ(ews::classify({401, std::nullopt, nullptr}).step, next_step::reauthenticate);
    const auto forbidden = ews::classify({403, std::nullopt, nullptr});
    EXPECT_EQ(forbidden.step, next_step::permanent);
    EXPECT_NE(forbidden.reason.find("EWSAllowedAppIDs"), std::string::npos);
    EXPECT_NE(forbidden.reason.find("Exchange Online"), std::string::npos);

    const auto throttled = ews::classify({429, std::string{" 120 "}, nullptr});
    EXPECT_EQ(throttled.step, next_step::retry_after);
    EXPECT_EQ(throttled.delay, 120s);
    const auto unavailable = ews::classify({503, std::nullopt, nullptr});
    EXPECT_EQ(unavailable.step, next_step::retry_after);
    EXPECT_EQ(unavailable.delay, ews::default_retry_delay);
    // An HTTP-date needs a clock: the default delay instead.
    EXPECT_EQ(ews::classify({503, std::string{"Wed, 21 Oct 2026 07:28:00 GMT"}, nullptr}).delay,
              ews::default_retry_delay);

    EXPECT_EQ(ews::classify({0, std::nullopt, nullptr}).step, next_step::transient);    // network
    EXPECT_EQ(ews::classify({502, std::nullopt, nullptr}).step, next_step::transient);
    EXPECT_EQ(ews::classify({200, std::nullopt, nullptr}).step, next_step::transient);  // truncated / non-XML body
    EXPECT_EQ(ews::classify({302, std::nullopt, nullptr}).step, next_step::transient);
    EXPECT_EQ(ews::classify({404, std::nullopt, nullptr}).step, next_step::permanent);
}

TEST(ews_error_policy, http_status_wins_over_a_body_for_401_and_403) {
    const auto r = parse_sample("soapfault-errorserverbusy-backoffmilliseconds.xml");
    EXPECT_EQ(ews::classify({401, std::nullopt, &r}).step, next_step::reauthenticate);
    EXPECT_EQ(ews::classify({403, std::nullopt, &r}).step, next_step::permanent);
}

TEST(ews_error_policy, an_error_message_is_never_proceed_and_says_what_the_server_said) {
    ews::ews_status s;
    s.klass = ews::response_class::error;
    s.message_text = "Something broke.";
    const auto no_code = ews::classify_message(s);
    EXPECT_EQ(no_code.step, next_step::transient);
    EXPECT_EQ(no_code.reason, "an error without a ResponseCode: Something broke.");
    s.code = "ErrorInvalidSyncStateData";
    const auto coded = ews::classify_message(s);
    EXPECT_EQ(coded.step, next_step::resync);
    EXPECT_EQ(coded.code, "ErrorInvalidSyncStateData");
    EXPECT_NE(coded.reason.find("Something broke."), std::string::npos) << coded.reason;
}
