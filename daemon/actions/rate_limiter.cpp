#include "actions/rate_limiter.hpp"

#include <algorithm>
#include <cctype>

namespace ewstrigd::actions {

namespace {
// Above this many keys, record() drops keys whose window has passed (many
// distinct senders must not grow the map forever).
constexpr std::size_t prune_threshold = 1024;
}  // namespace

bool rate_limiter::allows(const std::string& key, int limit, std::chrono::seconds window, clock::time_point now) {
    if (limit <= 0) return true;
    const auto it = sent_.find(key);
    if (it == sent_.end()) return true;
    const auto recent = std::count_if(it->second.times.begin(), it->second.times.end(),
                                      [&](clock::time_point t) { return now - t < window; });
    return recent < limit;
}

void rate_limiter::record(const std::string& key, std::chrono::seconds window, clock::time_point now) {
    if (sent_.size() >= prune_threshold) forget_expired(now);
    auto& h = sent_[key];
    h.window = std::max(h.window, window);
    h.times.push_back(now);
    while (!h.times.empty() && now - h.times.front() >= h.window) h.times.pop_front();
}

void rate_limiter::forget_expired(clock::time_point now) {
    std::erase_if(sent_, [&](const auto& entry) {
        const auto& h = entry.second;
        return h.times.empty() || now - h.times.back() >= h.window;
    });
}

std::string rate_key(std::string_view trigger, int action_index, std::string_view address) {
    std::string key(trigger);
    key += '\n';
    key += std::to_string(action_index);
    key += '\n';
    for (const char c : address) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

}  // namespace ewstrigd::actions
