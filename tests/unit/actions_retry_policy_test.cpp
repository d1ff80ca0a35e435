#include "actions/job.hpp"
#include "actions/retry_policy.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::actions {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

TEST(actions_retry_policy, doubles_from_five_seconds_within_jitter) {
    const retry_settings s;
    for (int n = 0; n < 10; ++n) {
        const milliseconds full = std::min<milliseconds>(milliseconds(5000) * (1 << n), 10min);
        const auto d = retry_delay(s, "ev/t/0", n, std::nullopt);
        EXPECT_GE(d, full / 2) << n;
        EXPECT_LE(d, full) << n;
    }
}

TEST(actions_retry_policy, capped_at_ten_minutes) {
    EXPECT_LE(retry_delay({}, "ev/t/0", 60, std::nullopt), 10min);
    EXPECT_GE(retry_delay({}, "ev/t/0", 60, std::nullopt), 5min);
}

TEST(actions_retry_policy, same_row_same_schedule_other_rows_spread) {
    EXPECT_EQ(retry_delay({}, "ev-1/t/0", 3, std::nullopt), retry_delay({}, "ev-1/t/0", 3, std::nullopt));
    int differ = 0;
    for (int i = 0; i < 20; ++i) {
        differ += retry_delay({}, "ev-" + std::to_string(i) + "/t/0", 3, std::nullopt) !=
                  retry_delay({}, "ev-x/t/0", 3, std::nullopt);
    }
    EXPECT_GE(differ, 18);
}

TEST(actions_retry_policy, retry_after_wins_when_longer_and_is_clamped) {
    EXPECT_EQ(retry_delay({}, "ev/t/0", 0, milliseconds(120'000)), 120s);
    EXPECT_LE(retry_delay({}, "ev/t/0", 0, milliseconds(1)), 5s);
    EXPECT_EQ(retry_delay({}, "ev/t/0", 0, std::chrono::hours(48)), std::chrono::hours(1));
}

TEST(actions_timeouts, defaults_per_kind) {
    config::action_config a;
    a.what = config::run_action{};
    EXPECT_EQ(timeout_of(a), 5min);
    a.what = config::webhook_action{};
    EXPECT_EQ(timeout_of(a), 30s);
    a.what = config::save_action{};
    EXPECT_EQ(timeout_of(a), 60s);
    a.what = config::move_action{};
    EXPECT_EQ(timeout_of(a), 60s);
    a.timeout = milliseconds(1500);
    EXPECT_EQ(timeout_of(a), 1500ms);
    EXPECT_EQ(to_string(kind_of(a)), "move_to");
}

}  // namespace
}  // namespace ewstrigd::actions
