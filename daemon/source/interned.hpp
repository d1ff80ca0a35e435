#pragma once
// One shared, immutable copy of equal values: the 10,000 mailboxes of one
// server and application keep one copy of their common settings, not one
// each (issue 8). A copy no one holds any more (a reload changed it) is
// freed; its slot goes at a later call.
//
// T needs operator== and a hash_value(const T&) found by argument-dependent
// lookup: values are looked up by hash, so 10,000 mailboxes with 10,000
// distinct server URLs start in linear time, not quadratic.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace ewstrigd::source {

// The copy equal to `value` that is in use, or a new one. Thread-safe.
template <class T>
std::shared_ptr<const T> interned(T value) {
    struct registry {
        std::mutex mutex;
        std::unordered_multimap<std::size_t, std::weak_ptr<const T>> in_use;
        std::size_t sweep_at = 64;  // entries; doubles with what is still in use after a sweep
    };
    static registry r;
    const std::size_t hash = hash_value(value);
    const std::lock_guard lock{r.mutex};
    auto [it, end] = r.in_use.equal_range(hash);
    while (it != end) {
        if (auto same = it->second.lock()) {
            if (*same == value) return same;
            ++it;
        } else {
            it = r.in_use.erase(it);
        }
    }
    auto made = std::make_shared<const T>(std::move(value));
    r.in_use.emplace(hash, made);
    // Copies that went under other hashes are swept now and then, in
    // amortized constant time per call.
    if (r.in_use.size() >= r.sweep_at) {
        std::erase_if(r.in_use, [](const auto& entry) { return entry.second.expired(); });
        r.sweep_at = std::max<std::size_t>(64, 2 * r.in_use.size());
    }
    return made;
}

}  // namespace ewstrigd::source
