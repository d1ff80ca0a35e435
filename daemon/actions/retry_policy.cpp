#include "actions/retry_policy.hpp"

#include "util/backoff.hpp"

#include <algorithm>

namespace ewstrigd::actions {

std::chrono::milliseconds retry_delay(const retry_settings& s, std::string_view row_identity, int attempts_before,
                                      std::optional<std::chrono::milliseconds> asked) {
    util::backoff b(s.initial, s.cap, util::seed_of(row_identity));
    // Past ~20 doublings every step is the cap; no need to walk further.
    for (int i = 0; i < std::clamp(attempts_before, 0, 64); ++i) b.next();
    return b.next(asked);
}

}  // namespace ewstrigd::actions
