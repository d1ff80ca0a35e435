#pragma once
// One shared, immutable copy of equal values: the 10,000 mailboxes of one
// server and application keep one copy of their common settings, not one
// each (issue 8). A copy no one holds any more (a reload changed it) is
// freed; its slot goes at the next call.

#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace ewstrigd::source {

// The copy equal to `value` (T::operator==) that is in use, or a new one.
// Thread-safe. A list: a daemon has a few distinct values of each kind.
template <class T>
std::shared_ptr<const T> interned(T value) {
    static std::mutex mutex;
    static std::vector<std::weak_ptr<const T>> in_use;
    const std::lock_guard lock{mutex};
    std::erase_if(in_use, [](const auto& w) { return w.expired(); });
    for (const auto& w : in_use) {
        if (auto same = w.lock(); same && *same == value) return same;
    }
    auto made = std::make_shared<const T>(std::move(value));
    in_use.push_back(made);
    return made;
}

}  // namespace ewstrigd::source
