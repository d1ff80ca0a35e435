#include "auth/token_policy.hpp"

#include "util/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace ewstrigd::auth {
namespace {

using namespace std::chrono_literals;
using tp = wall_clock::time_point;

const tp t0 = tp{} + std::chrono::hours{24 * 20000};

token_times lasting(wall_clock::duration d) { return {t0, t0 + d, std::nullopt}; }

TEST(token_policy, one_hour_token_refreshes_in_the_three_minutes_before_the_five_minute_mark) {
    for (int m = 0; m < 200; ++m) {
        const auto at = refresh_at(lasting(1h), t0, util::seed_of("mb" + std::to_string(m)));
        ASSERT_LE(at, t0 + 55min);
        ASSERT_GE(at, t0 + 52min);
    }
}

TEST(token_policy, five_second_token_refreshes_at_75_to_80_percent) {
    for (int m = 0; m < 200; ++m) {
        const auto at = refresh_at(lasting(5s), t0, util::seed_of("mb" + std::to_string(m)));
        ASSERT_GE(at, t0 + 3750ms);
        ASSERT_LE(at, t0 + 4000ms);
        ASSERT_TRUE(is_usable(lasting(5s), at));  // refreshing starts while the token still works
    }
}

TEST(token_policy, ten_thousand_mailboxes_spread_out_deterministically) {
    std::vector<tp> times;
    for (int m = 0; m < 10'000; ++m) times.push_back(refresh_at(lasting(1h), t0, util::seed_of("mailbox-" + std::to_string(m))));
    std::vector<std::int64_t> per_second(181, 0);
    for (const auto t : times) ++per_second[static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(t - (t0 + 52min)).count())];
    EXPECT_LT(*std::max_element(per_second.begin(), per_second.end()), 120);  // ~55/s on average
    EXPECT_EQ(refresh_at(lasting(1h), t0, util::seed_of("mailbox-7")), times[7]);
}

TEST(token_policy, never_in_the_past) {
    EXPECT_EQ(refresh_at(lasting(1h), t0 + 2h, 1), t0 + 2h);
    EXPECT_EQ(refresh_at(lasting(0s), t0 + 1s, 1), t0 + 1s);
    EXPECT_EQ(refresh_at({t0, t0 - 1h, std::nullopt}, t0, 1), t0);  // expires before issued: refresh now
}

TEST(token_policy, server_refresh_hint_brings_it_forward_only) {
    token_times t = lasting(2h);
    t.refresh_in = 1h;
    EXPECT_LE(refresh_at(t, t0, 5), t0 + 1h);
    t.refresh_in = 3h;
    EXPECT_LE(refresh_at(t, t0, 5), t0 + 115min);
}

TEST(token_policy, usable_until_shortly_before_expiry) {
    EXPECT_TRUE(is_usable(lasting(1h), t0 + 59min));
    EXPECT_FALSE(is_usable(lasting(1h), t0 + 59min + 31s));  // 30 s skew
    EXPECT_FALSE(is_usable(lasting(1h), t0 + 2h));
    EXPECT_TRUE(is_usable(lasting(5s), t0 + 4400ms));  // skew scales down for short tokens
    EXPECT_FALSE(is_usable(lasting(5s), t0 + 4600ms));
    EXPECT_FALSE(is_usable(lasting(0s), t0));
}

}  // namespace
}  // namespace ewstrigd::auth
