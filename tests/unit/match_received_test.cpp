#include "match_builders.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::match {
namespace {

using namespace build;
using namespace std::chrono_literals;

// The message arrived 2026-11-28T10:11:12Z.
bool received_matches(received_condition rc, std::chrono::system_clock::time_point now = default_now(),
                      std::optional<std::chrono::sys_seconds> received = at(2026, 11, 28, 10, 11, 12)) {
    auto m = invoice_message();
    m.received = received;
    return evaluate(condition{rc}, m, now).matched;
}

received_condition window(std::chrono::minutes start, std::chrono::minutes end) {
    received_condition rc;
    rc.day_start = start;
    rc.day_end = end;
    return rc;
}

TEST(match_received, after_is_inclusive_before_is_exclusive) {
    received_condition rc;
    rc.after = at(2026, 11, 28, 10, 11, 12);
    EXPECT_TRUE(received_matches(rc));
    rc.after = at(2026, 11, 28, 10, 11, 13);
    EXPECT_FALSE(received_matches(rc));

    rc = {};
    rc.before = at(2026, 11, 28, 10, 11, 13);
    EXPECT_TRUE(received_matches(rc));
    rc.before = at(2026, 11, 28, 10, 11, 12);
    EXPECT_FALSE(received_matches(rc));
}

TEST(match_received, within_the_last_duration) {
    received_condition rc;
    rc.within = 2h;
    EXPECT_TRUE(received_matches(rc));  // 1h48m48s old
    rc.within = 1h;
    EXPECT_FALSE(received_matches(rc));
    rc.within = 1h + 48min + 48s;
    EXPECT_TRUE(received_matches(rc));  // boundary: exactly that old
    rc.within = 1h + 48min + 47s;
    EXPECT_FALSE(received_matches(rc));
}

TEST(match_received, within_tolerates_clock_skew_up_to_the_duration) {
    received_condition rc;
    rc.within = 10min;
    const auto received = at(2026, 11, 28, 12, 5, 0);  // 5 minutes "in the future"
    EXPECT_TRUE(received_matches(rc, at(2026, 11, 28, 12, 0, 0), received));
    EXPECT_FALSE(received_matches(rc, at(2026, 11, 28, 11, 50, 0), received));
}

TEST(match_received, daily_window_within_one_day) {
    EXPECT_TRUE(received_matches(window(9h, 17h)));          // 10:11
    EXPECT_FALSE(received_matches(window(11h, 17h)));
    EXPECT_TRUE(received_matches(window(10h + 11min, 10h + 12min)));  // start inclusive
    EXPECT_FALSE(received_matches(window(9h, 10h + 11min)));          // end exclusive
}

TEST(match_received, daily_window_wrapping_past_midnight) {
    const auto night = window(22h, 6h);
    EXPECT_FALSE(received_matches(night));  // 10:11
    EXPECT_TRUE(received_matches(night, default_now(), at(2026, 11, 28, 23, 30)));
    EXPECT_TRUE(received_matches(night, default_now(), at(2026, 11, 28, 22, 0)));
    EXPECT_TRUE(received_matches(night, default_now(), at(2026, 11, 28, 0, 0)));
    EXPECT_TRUE(received_matches(night, default_now(), at(2026, 11, 28, 5, 59, 59)));
    EXPECT_FALSE(received_matches(night, default_now(), at(2026, 11, 28, 6, 0)));
    EXPECT_FALSE(received_matches(night, default_now(), at(2026, 11, 28, 21, 59, 59)));
}

TEST(match_received, daily_window_with_one_bound_or_equal_bounds) {
    received_condition from_noon;
    from_noon.day_start = 12h;
    EXPECT_FALSE(received_matches(from_noon));
    EXPECT_TRUE(received_matches(from_noon, default_now(), at(2026, 11, 28, 23, 59, 59)));
    received_condition until_noon;
    until_noon.day_end = 12h;
    EXPECT_TRUE(received_matches(until_noon));
    EXPECT_FALSE(received_matches(window(10h, 10h)));  // empty window
}

TEST(match_received, daily_window_before_1970_uses_utc_minutes_too) {
    EXPECT_TRUE(received_matches(window(22h, 6h), default_now(), at(1969, 12, 31, 23, 0)));
    EXPECT_FALSE(received_matches(window(22h, 6h), default_now(), at(1969, 12, 31, 12, 0)));
}

TEST(match_received, every_given_part_must_hold) {
    received_condition rc = window(9h, 17h);
    rc.within = 1h;
    EXPECT_FALSE(received_matches(rc));  // in the window but too old
    rc.within = 3h;
    rc.after = at(2026, 11, 1);
    rc.before = at(2026, 12, 1);
    EXPECT_TRUE(received_matches(rc));
    rc.before = at(2026, 11, 28);
    EXPECT_FALSE(received_matches(rc));
}

TEST(match_received, no_received_time_never_matches) {
    EXPECT_FALSE(received_matches(received_condition{}, default_now(), std::nullopt));
    EXPECT_FALSE(received_matches(window(0h, 24h), default_now(), std::nullopt));
    EXPECT_TRUE(received_matches(received_condition{}));  // no parts: any known time
}

}  // namespace
}  // namespace ewstrigd::match
