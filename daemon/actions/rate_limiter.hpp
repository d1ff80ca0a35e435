#pragma once
// The rate limit of the mail-out actions (pure): at most N mails per key
// (trigger and sender) within a sliding window. Kept in memory only: a
// restart forgets it, which at worst allows one more window's worth.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <string>

namespace ewstrigd::actions {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    // Whether one more mail for `key` stays within `limit` per `window` at `now`.
    // A limit of 0 or less means no limit.
    bool allows(const std::string& key, int limit, std::chrono::seconds window, clock::time_point now);
    // A mail for `key` went out at `now`.
    void record(const std::string& key, std::chrono::seconds window, clock::time_point now);

    std::size_t keys() const { return sent_.size(); }

private:
    struct history {
        std::deque<clock::time_point> times;  // oldest first
        std::chrono::seconds window{0};       // the longest window asked for this key
    };
    void forget_expired(clock::time_point now);

    std::map<std::string, history> sent_;
};

// The key of the mails one action (`trigger`, `action_index`) sends about
// `address` (compared case-insensitively): whom a reply goes to, or the
// sender of what is forwarded or sent on. Two mail-out actions of a trigger
// count apart, as each has its own limit.
std::string rate_key(std::string_view trigger, int action_index, std::string_view address);

}  // namespace ewstrigd::actions
