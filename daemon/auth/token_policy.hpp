#pragma once
// When to refresh an access token, and whether it may still be used. Pure:
// `now` is a parameter; times are wall-clock (they are persisted with the
// token), taken from THIS host's clock: issued_at is the local time the
// token request was sent, expires_at = issued_at + expires_in (the MSAL rule,
// reference/oauth.md A.9), so server clock skew does not move them.
//
// Refresh time, for lifetime L = expires_at - issued_at:
//   latest  = max(expires_at - renew_before, issued_at + short_fraction * L)
//             i.e. 5 minutes before expiry, or at 80 % of a short token's
//             life (issue 4's 5-second tokens refresh after 3.75-4 s);
//             earlier if the server sent refresh_in;
//   jitter  = up to min(jitter_window, jitter_fraction * L) earlier, chosen
//             deterministically from the mailbox's seed, so 10,000 mailboxes
//             with 1-hour tokens spread over 3 minutes instead of one second;
//   result  = never before `now`.

#include <chrono>
#include <cstdint>
#include <optional>

namespace ewstrigd::auth {

using wall_clock = std::chrono::system_clock;

struct token_times {
    wall_clock::time_point issued_at;
    wall_clock::time_point expires_at;
    std::optional<std::chrono::seconds> refresh_in;  // the server's hint, if any
};

struct refresh_policy {
    std::chrono::seconds renew_before{300};      // MSAL's DEFAULT_TOKEN_RENEWAL_OFFSET_SEC (oauth.md A.9)
    double short_fraction = 0.80;                // never later than this share of the lifetime
    std::chrono::seconds jitter_window{300};     // the most a refresh is moved earlier by jitter
    double jitter_fraction = 0.05;               // ... and at most this share of the lifetime
    std::chrono::seconds clock_skew{30};         // a token this close to expiry counts as expired ...
    double skew_fraction = 0.10;                 // ... or this share of its lifetime, whichever is less
};

// When to start refreshing. `jitter_seed`: util::seed_of(mailbox id).
wall_clock::time_point refresh_at(const token_times& t, wall_clock::time_point now, std::uint64_t jitter_seed,
                                  const refresh_policy& p = {});

// Whether the token may still be sent: false from expires_at - skew on, where
// skew = min(clock_skew, skew_fraction * L); requests take time and the
// server's clock may run ahead.
bool is_usable(const token_times& t, wall_clock::time_point now, const refresh_policy& p = {});

}  // namespace ewstrigd::auth
