#include "auth/token_policy.hpp"

#include "util/backoff.hpp"

#include <algorithm>

namespace ewstrigd::auth {
namespace {

using duration = wall_clock::duration;

duration share(duration d, double fraction) {
    return duration{static_cast<duration::rep>(static_cast<double>(d.count()) * fraction)};
}

}  // namespace

wall_clock::time_point refresh_at(const token_times& t, wall_clock::time_point now, std::uint64_t jitter_seed,
                                  const refresh_policy& p) {
    const duration lifetime = t.expires_at - t.issued_at;
    if (lifetime <= duration::zero()) return now;
    auto latest = std::max(t.expires_at - p.renew_before, t.issued_at + share(lifetime, p.short_fraction));
    if (t.refresh_in) latest = std::min(latest, t.issued_at + *t.refresh_in);
    const duration window = std::min<duration>(p.jitter_window, share(lifetime, p.jitter_fraction));
    const auto at = latest - share(window, util::unit_interval(jitter_seed, 0));
    return std::max(at, now);
}

bool is_usable(const token_times& t, wall_clock::time_point now, const refresh_policy& p) {
    const duration lifetime = t.expires_at - t.issued_at;
    const duration skew = std::min<duration>(p.clock_skew, share(std::max(lifetime, duration::zero()), p.skew_fraction));
    return now < t.expires_at - skew;
}

}  // namespace ewstrigd::auth
