// Loop protection and the rate limit of the mail-out actions.
#include "actions/loop_guard.hpp"
#include "actions/rate_limiter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ewstrigd::actions {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

match::message with_header(std::string name, std::string value) {
    match::message m;
    m.from = {"", "someone@example.com"};
    m.headers = {{"Received", "from x"}, {std::move(name), std::move(value)}};
    return m;
}

TEST(mail_loop_guard, ordinary_mail_may_be_answered) {
    EXPECT_EQ(automatic_reason(with_header("X-Mailer", "Outlook")), "");
    EXPECT_EQ(automatic_reason(with_header("Auto-Submitted", "no")), "");
    EXPECT_EQ(automatic_reason(with_header("Precedence", "first-class")), "");
}

TEST(mail_loop_guard, mail_of_any_ewstrigd_is_never_answered) {
    EXPECT_THAT(automatic_reason(with_header("x-ewstrigd-event", "ev-1/t/0")), HasSubstr("sent by ewstrigd"));
}

TEST(mail_loop_guard, only_ewstrigd_mail_is_never_passed_on) {
    EXPECT_THAT(ewstrigd_mail_reason(with_header("X-Ewstrigd-Event", "ev-1/t/0")), HasSubstr("sent by ewstrigd"));
    EXPECT_EQ(ewstrigd_mail_reason(with_header("Auto-Submitted", "auto-generated")), "");
    EXPECT_EQ(ewstrigd_mail_reason(with_header("Precedence", "bulk")), "");
}

TEST(mail_loop_guard, automatic_and_bulk_mail_is_never_answered) {
    EXPECT_THAT(automatic_reason(with_header("Auto-Submitted", "auto-replied")), HasSubstr("Auto-Submitted: auto-replied"));
    EXPECT_THAT(automatic_reason(with_header("AUTO-SUBMITTED", " auto-generated; owner=x")),
                HasSubstr("Auto-Submitted: auto-generated"));
    EXPECT_THAT(automatic_reason(with_header("X-Auto-Response-Suppress", "All")), HasSubstr("X-Auto-Response-Suppress"));
    for (const char* p : {"bulk", "junk", "List"})
        EXPECT_THAT(automatic_reason(with_header("Precedence", p)), HasSubstr("Precedence")) << p;
}

TEST(mail_rate_limiter, allows_the_limit_per_key_within_the_window) {
    rate_limiter r;
    const auto t0 = rate_limiter::clock::time_point{} + 100h;
    const auto key = rate_key("orders", 0, "Bob@Example.com");
    EXPECT_EQ(key, rate_key("orders", 0, "bob@example.com"));
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(r.allows(key, 3, 1h, t0 + i * 1min));
        r.record(key, 1h, t0 + i * 1min);
    }
    EXPECT_FALSE(r.allows(key, 3, 1h, t0 + 10min));
    EXPECT_TRUE(r.allows(rate_key("orders", 0, "alice@example.com"), 3, 1h, t0 + 10min));  // another sender
    EXPECT_TRUE(r.allows(rate_key("other", 0, "bob@example.com"), 3, 1h, t0 + 10min));    // another trigger
    EXPECT_TRUE(r.allows(key, 3, 1h, t0 + 1h));  // the first one left the window
    EXPECT_TRUE(r.allows(key, 0, 1h, t0 + 10min));  // 0 = no limit
}

TEST(mail_rate_limiter, many_senders_do_not_grow_it_forever) {
    rate_limiter r;
    const auto t0 = rate_limiter::clock::time_point{} + 100h;
    for (int i = 0; i < 5000; ++i) r.record(rate_key("t", 0, "s" + std::to_string(i) + "@x"), 1min, t0 + i * 1s);
    EXPECT_LT(r.keys(), 2100u);
}

}  // namespace
}  // namespace ewstrigd::actions
