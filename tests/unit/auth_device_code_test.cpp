#include "auth/device_code.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::auth {
namespace {

using namespace std::chrono_literals;

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours{24 * 20000};

device_authorization parsed(std::string_view body) {
    auto r = parse_device_authorization(http_reply{200, std::nullopt, body});
    EXPECT_TRUE(r) << body;
    return r ? *r : device_authorization{};
}

token_result answer(int status, std::string_view body, std::optional<std::string_view> retry_after = std::nullopt) {
    return parse_token_response(http_reply{status, retry_after, body});
}

TEST(device_authorization, entra_shape) {
    const auto d = parsed(R"({"user_code":"LLRMSGXR","device_code":"DAQABAAEAAAD-DEVICE-SECRET","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code LLRMSGXR to authenticate."})");
    EXPECT_EQ(d.device_code.reveal(), "DAQABAAEAAAD-DEVICE-SECRET");
    EXPECT_EQ(d.user_code, "LLRMSGXR");
    EXPECT_EQ(d.verification_uri, "https://microsoft.com/devicelogin");
    EXPECT_EQ(d.expires_in, 900s);
    EXPECT_EQ(d.interval, 5s);
    EXPECT_EQ(sign_in_prompt(d), d.message);
}

TEST(device_authorization, v1_spelling_string_numbers_and_default_interval) {
    const auto d = parsed(R"({"user_code":"ABC","device_code":"dc","verification_url":"https://microsoft.com/devicelogin","expires_in":"900"})");
    EXPECT_EQ(d.verification_uri, "https://microsoft.com/devicelogin");
    EXPECT_EQ(d.interval, 5s);  // RFC 8628 §3.2
    EXPECT_EQ(sign_in_prompt(d), "To sign in, open https://microsoft.com/devicelogin and enter the code ABC.");
    // oauth.md B.3: the local server's shape, with verification_uri_complete
    const auto local = parsed(R"({"device_code":"nyYi_UxH","user_code":"LLRM-SGXR","verification_uri":"http://127.0.0.1:3900/device","verification_uri_complete":"http://127.0.0.1:3900/device?user_code=LLRM-SGXR","expires_in":60,"interval":2})");
    EXPECT_EQ(local.verification_uri_complete, "http://127.0.0.1:3900/device?user_code=LLRM-SGXR");
    EXPECT_EQ(local.interval, 2s);
}

TEST(device_authorization, errors) {
    const auto bad = [](int status, std::string_view body) {
        auto r = parse_device_authorization(http_reply{status, std::nullopt, body});
        EXPECT_FALSE(r) << body;
        return r ? token_failure{} : r.error();
    };
    EXPECT_NE(bad(200, R"({"user_code":"A","verification_uri":"u","expires_in":9})").explanation.find("'device_code' is missing"), std::string::npos);
    EXPECT_NE(bad(200, R"({"user_code":"A","device_code":"d","expires_in":9})").explanation.find("'verification_uri' is missing"), std::string::npos);
    EXPECT_NE(bad(200, R"({"user_code":"A","device_code":"d","verification_uri":"u","expires_in":9,"interval":0})").explanation.find("'interval' is out of range"), std::string::npos);
    EXPECT_EQ(bad(200, "nope").kind, failure_kind::malformed_response);
    EXPECT_EQ(bad(400, R"({"error":"unauthorized_client","error_codes":[700016]})").kind, failure_kind::configuration);
    EXPECT_EQ(bad(400, R"({"error":"invalid_client"})").kind, failure_kind::configuration);
}

TEST(device_poll, pending_then_slow_down_then_success) {
    const auto d = parsed(R"({"user_code":"A","device_code":"d","verification_uri":"u","expires_in":900,"interval":5})");
    device_poll p(d, t0);
    EXPECT_EQ(p.deadline(), t0 + 120s);
    auto next = p.first(t0);
    EXPECT_EQ(next.action, poll_action::wait_then_poll);
    EXPECT_EQ(next.wait, 5s);
    next = p.next(answer(400, R"({"error":"authorization_pending","error_codes":[70016]})"), t0 + 5s);
    EXPECT_EQ(next.action, poll_action::wait_then_poll);
    EXPECT_EQ(next.wait, 5s);
    next = p.next(answer(400, R"({"error":"slow_down"})"), t0 + 10s);
    EXPECT_EQ(next.wait, 10s);
    next = p.next(answer(400, R"({"error":"authorization_pending"})"), t0 + 20s);
    EXPECT_EQ(next.wait, 10s);  // slow_down is permanent
    next = p.next(answer(200, R"({"access_token":"a","token_type":"Bearer","expires_in":5,"refresh_token":"r"})"), t0 + 30s);
    EXPECT_EQ(next.action, poll_action::signed_in);
}

TEST(device_poll, stops_on_denial_expiry_and_configuration) {
    const auto d = parsed(R"({"user_code":"A","device_code":"d","verification_uri":"u","expires_in":900,"interval":2})");
    const std::pair<std::string_view, std::string_view> cases[] = {
        {R"({"error":"access_denied","error_description":"End-User aborted interaction"})", "declined"},
        {R"({"error":"authorization_declined"})", "declined"},
        {R"({"error":"expired_token","error_description":"device code is expired"})", "expired"},
        {R"({"error":"invalid_grant","error_description":"grant request is invalid"})", "login"},
        {R"({"error":"invalid_client"})", "client"},
    };
    for (const auto& [body, says] : cases) {
        device_poll p(d, t0);
        const auto next = p.next(answer(400, body), t0 + 2s);
        EXPECT_EQ(next.action, poll_action::give_up) << body;
        EXPECT_NE(next.reason.find(says), std::string::npos) << next.reason;
    }
}

TEST(device_poll, transient_failures_wait_for_retry_after) {
    const auto d = parsed(R"({"user_code":"A","device_code":"d","verification_uri":"u","expires_in":900,"interval":2})");
    device_poll p(d, t0);
    auto next = p.next(answer(429, R"({"error":"temporarily_unavailable"})", "7"), t0 + 2s);
    EXPECT_EQ(next.action, poll_action::wait_then_poll);
    EXPECT_EQ(next.wait, 7s);
    next = p.next(answer(500, R"({"error":"server_error"})"), t0 + 9s);
    EXPECT_EQ(next.wait, 2s);
}

TEST(device_poll, gives_up_at_the_two_minute_deadline_or_code_expiry) {
    const auto d = parsed(R"({"user_code":"A","device_code":"d","verification_uri":"u","expires_in":900,"interval":5})");
    device_poll p(d, t0);
    const auto pending = answer(400, R"({"error":"authorization_pending"})");
    EXPECT_EQ(p.next(pending, t0 + 115s).action, poll_action::wait_then_poll);
    const auto late = p.next(pending, t0 + 116s);
    EXPECT_EQ(late.action, poll_action::give_up);
    EXPECT_NE(late.reason.find("within 120 seconds"), std::string::npos) << late.reason;

    device_poll shortened(d, t0, 3s);  // tests shorten the sign-in timeout
    EXPECT_EQ(shortened.first(t0).action, poll_action::give_up);

    const auto short_code = parsed(R"({"user_code":"A","device_code":"d","verification_uri":"u","expires_in":3,"interval":2})");
    device_poll q(short_code, t0);
    EXPECT_EQ(q.deadline(), t0 + 3s);
    const auto expired = q.next(pending, t0 + 2s);
    EXPECT_EQ(expired.action, poll_action::give_up);
    EXPECT_NE(expired.reason.find("device code expired"), std::string::npos) << expired.reason;
}

}  // namespace
}  // namespace ewstrigd::auth
