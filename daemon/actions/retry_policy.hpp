#pragma once
// When a failed outbox row runs again (pure).

#include <chrono>
#include <optional>
#include <string_view>

namespace ewstrigd::actions {

struct retry_settings {
    std::chrono::milliseconds initial{std::chrono::seconds(5)};
    std::chrono::milliseconds cap{std::chrono::minutes(10)};
};

// The delay after attempt number `attempts_before` (0 = the first attempt
// failed): util::backoff step `attempts_before`, jitter seeded by the row's
// identity (event id, trigger, action index) so rows failing together spread
// out and the schedule is reproducible. A Retry-After (or EWS back-off) wins
// when it asks for longer, clamped to util::retry_after_limit.
std::chrono::milliseconds retry_delay(const retry_settings& s, std::string_view row_identity, int attempts_before,
                                      std::optional<std::chrono::milliseconds> asked);

}  // namespace ewstrigd::actions
