#pragma once
// Exponential back-off with a cap and deterministic jitter, for anything that
// retries (token refresh, EWS reconnects). Pure: no clock, no global random
// state; the jitter comes from a caller-chosen seed (e.g. a hash of the
// mailbox id) mixed with the attempt number, so 10,000 mailboxes that fail
// together come back spread out, and tests are reproducible.
//
// Not thread-safe; one object per retry loop.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ewstrigd::util {

class backoff {
public:
    // Attempt n (0-based) waits a value in [d/2, d] with d = min(initial * 2^n, cap)
    // ("equal jitter"). Requires 0 < initial <= cap.
    backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, std::uint64_t jitter_seed = 0);

    // The delay before the next attempt; advances the attempt counter.
    std::chrono::milliseconds next();

    // Same, but a server's Retry-After wins when it asks for longer: the result
    // is max(next(), retry_after), with retry_after clamped to retry_after_limit
    // so a broken header cannot park a mailbox for days.
    std::chrono::milliseconds next(std::optional<std::chrono::milliseconds> retry_after);

    void reset() { attempt_ = 0; }  // after a success
    unsigned attempts() const { return attempt_; }

private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds cap_;
    std::uint64_t seed_;
    unsigned attempt_ = 0;
};

inline constexpr std::chrono::milliseconds retry_after_limit{std::chrono::hours{1}};

// Retry-After as delta-seconds (RFC 9110 §10.2.3), surrounding blanks allowed.
// An HTTP-date (needs a clock) or garbage gives nullopt, and the caller falls
// back to its own back-off; values above retry_after_limit are clamped to it.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view header);

// A well-mixed 64-bit value from (seed, n): splitmix64 of seed + n. Stable
// across platforms and releases (unlike std::hash), so schedules persist.
std::uint64_t mix(std::uint64_t seed, std::uint64_t n);

// A stable seed from text (FNV-1a 64, then mixed), e.g. the mailbox id.
std::uint64_t seed_of(std::string_view text);

// mix(seed, n) mapped to [0, 1).
double unit_interval(std::uint64_t seed, std::uint64_t n);

}  // namespace ewstrigd::util
