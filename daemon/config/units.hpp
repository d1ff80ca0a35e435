#pragma once
// Parsers for the unit-bearing values admins write. Pure; errors are messages.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::config {

template <typename T>
using parsed = std::variant<T, std::string>;  // value, or what is wrong

// "500ms", "90s", "5m", "2h", "1d", and sums like "1h30m". A unit is required.
parsed<std::chrono::milliseconds> parse_duration(std::string_view text);

// "512", "10KB" (1000), "10KiB" (1024), "5MB", "5MiB", "1GB", "1GiB"; bytes.
parsed<std::uint64_t> parse_size(std::string_view text);

// ISO 8601: "2026-11-28", "2026-11-28T10:00:00Z", "2026-11-28T10:00:00+02:00",
// fractional seconds allowed and dropped. A date alone means 00:00 UTC.
parsed<std::chrono::sys_seconds> parse_timestamp(std::string_view text);

// "HH:MM-HH:MM" in UTC -> minutes since midnight (end exclusive, may wrap).
struct day_window {
    std::chrono::minutes start{0};
    std::chrono::minutes end{0};
};
parsed<day_window> parse_day_window(std::string_view text);

}  // namespace ewstrigd::config
