#include "http/origin_turns.hpp"

namespace ewstrigd::http {

bool origin_turns::take_or_wait(const std::string& origin, const std::weak_ptr<taker>& t) {
    auto& o = origins_[origin];
    if (o.active >= max_) {
        o.waiting.push_back(t);  // a cancelled one stays until its turn comes, then is skipped
        return false;
    }
    ++o.active;
    return true;
}

void origin_turns::release(const std::string& origin) {
    auto it = origins_.find(origin);
    if (it == origins_.end()) return;  // cleared: the owner is being destroyed
    --it->second.active;
    // A request failing at its start releases its turn from inside the loop
    // below: the loop, further up the stack, hands it on.
    if (handing_on_) return;
    handing_on_ = true;
    auto& o = it->second;  // stays valid: elements of an unordered_map do not move
    while (!o.waiting.empty() && o.active < max_) {
        auto next = o.waiting.front().lock();
        o.waiting.pop_front();
        if (!next || !next->waiting()) continue;
        ++o.active;
        next->take_turn(origin);
    }
    handing_on_ = false;
    if (o.active == 0 && o.waiting.empty()) origins_.erase(origin);
}

std::size_t origin_turns::queued() const noexcept {
    std::size_t n = 0;
    for (const auto& [origin, o] : origins_) {
        for (const auto& w : o.waiting) {
            if (auto t = w.lock(); t && t->waiting()) ++n;
        }
    }
    return n;
}

}  // namespace ewstrigd::http
