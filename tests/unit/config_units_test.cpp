#include "config/units.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::config {
namespace {

using namespace std::chrono;

template <typename T>
T value_of(const parsed<T>& p) {
    if (const auto* message = std::get_if<std::string>(&p)) ADD_FAILURE() << *message;
    return std::get_if<T>(&p) != nullptr ? std::get<T>(p) : T{};
}

template <typename T>
std::string error_of(const parsed<T>& p) {
    return std::get_if<std::string>(&p) != nullptr ? std::get<std::string>(p) : "(no error)";
}

TEST(duration, reads_every_unit_and_sums) {
    EXPECT_EQ(value_of(parse_duration("500ms")), 500ms);
    EXPECT_EQ(value_of(parse_duration("90s")), 90s);
    EXPECT_EQ(value_of(parse_duration("5m")), 5min);
    EXPECT_EQ(value_of(parse_duration("2h")), 2h);
    EXPECT_EQ(value_of(parse_duration("1d")), 24h);
    EXPECT_EQ(value_of(parse_duration("1h30m")), 90min);
}

TEST(duration, explains_a_missing_unit_and_garbage) {
    EXPECT_EQ(error_of(parse_duration("60")), "'60' has no unit (write e.g. 60s)");
    EXPECT_NE(error_of(parse_duration("5 minutes")).find("is not a duration"), std::string::npos);
    EXPECT_NE(error_of(parse_duration("")).find("is not a duration"), std::string::npos);
    EXPECT_NE(error_of(parse_duration("-5s")).find("is not a duration"), std::string::npos);
    EXPECT_NE(error_of(parse_duration("99999999999999999999d")).find("not a duration"), std::string::npos);
    EXPECT_NE(error_of(parse_duration("9999999999999d")).find("too long"), std::string::npos);
}

TEST(size, decimal_and_binary_units) {
    EXPECT_EQ(value_of(parse_size("512")), 512u);
    EXPECT_EQ(value_of(parse_size("10KB")), 10'000u);
    EXPECT_EQ(value_of(parse_size("10KiB")), 10'240u);
    EXPECT_EQ(value_of(parse_size("5MB")), 5'000'000u);
    EXPECT_EQ(value_of(parse_size("5 MiB")), 5u * 1024 * 1024);
    EXPECT_EQ(value_of(parse_size("1GiB")), 1ULL << 30);
    EXPECT_NE(error_of(parse_size("5XB")).find("unknown size unit"), std::string::npos);
    EXPECT_NE(error_of(parse_size("big")).find("is not a size"), std::string::npos);
    EXPECT_NE(error_of(parse_size("99999999999999GiB")).find("too large"), std::string::npos);
}

TEST(timestamp, dates_times_and_offsets) {
    const sys_seconds midnight = sys_days{2026y / November / 28};
    EXPECT_EQ(value_of(parse_timestamp("2026-11-28")), midnight);
    EXPECT_EQ(value_of(parse_timestamp("2026-11-28T09:30:00Z")), midnight + 9h + 30min);
    EXPECT_EQ(value_of(parse_timestamp("2026-11-28T09:30:00.123Z")), midnight + 9h + 30min);
    EXPECT_EQ(value_of(parse_timestamp("2026-11-28T09:30:00+02:00")), midnight + 7h + 30min);
    EXPECT_EQ(value_of(parse_timestamp("2026-11-28T09:30:00-01:30")), midnight + 11h);
    EXPECT_NE(error_of(parse_timestamp("2026-02-30")).find("not a valid date"), std::string::npos);
    EXPECT_NE(error_of(parse_timestamp("2026-11-28T09:30:00")).find("no time zone"), std::string::npos);
    EXPECT_NE(error_of(parse_timestamp("yesterday")).find("not an ISO 8601 time"), std::string::npos);
    EXPECT_NE(error_of(parse_timestamp("2026-11-28T25:00:00Z")).find("not an ISO 8601 time"), std::string::npos);
}

TEST(day_window, reads_and_rejects) {
    auto w = value_of(parse_day_window("08:00-18:30"));
    EXPECT_EQ(w.start, 8h);
    EXPECT_EQ(w.end, 18h + 30min);
    auto night = value_of(parse_day_window("22:00-06:00"));
    EXPECT_EQ(night.start, 22h);
    EXPECT_EQ(night.end, 6h);
    EXPECT_NE(error_of(parse_day_window("8-18")).find("HH:MM-HH:MM"), std::string::npos);
    EXPECT_NE(error_of(parse_day_window("10:00-10:00")).find("empty window"), std::string::npos);
    EXPECT_NE(error_of(parse_day_window("10:61-11:00")).find("HH:MM-HH:MM"), std::string::npos);
}

}  // namespace
}  // namespace ewstrigd::config
