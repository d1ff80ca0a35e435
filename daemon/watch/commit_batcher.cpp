#include "watch/commit_batcher.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace ewstrigd::watch {

namespace net = boost::asio;

commit_batcher::commit_batcher(net::any_io_executor ex, state::store& store, watch::clock& clock,
                               std::chrono::milliseconds window)
    : ex_(ex), store_(store), clock_(clock), window_(window), timer_(ex) {}

void commit_batcher::enqueue(state::sync_page page, net::any_completion_handler<commit_signature> handler) {
    queue_.push_back({page, std::move(handler)});
    if (scheduled_) return;
    scheduled_ = true;
    std::weak_ptr<const int> alive = lifetime_;
    // Never flushed: nothing to wait for (steady_clock counts from boot, so
    // a default time point plus the window may still lie ahead).
    const auto due = last_flush_ ? *last_flush_ + window_ : std::chrono::steady_clock::time_point::min();
    if (std::chrono::steady_clock::now() >= due) {
        net::post(ex_, [this, alive] {
            if (!alive.expired()) flush();
        });
        return;
    }
    timer_.expires_at(due);
    timer_.async_wait([this, alive](const boost::system::error_code&) {
        if (!alive.expired()) flush();
    });
}

void commit_batcher::flush() {
    scheduled_ = false;
    last_flush_ = std::chrono::steady_clock::now();
    auto batch = std::exchange(queue_, {});
    std::vector<state::sync_page> pages;
    pages.reserve(batch.size());
    for (const auto& w : batch) pages.push_back(w.page);
    const auto now = clock_.now();
    // Handlers resume their watchers at once, which may queue their next
    // page: queue_ is empty by now, so that page waits for the next flush.
    try {
        const auto added = store_.commit_syncs(pages, now);
        ++transactions_;
        for (std::size_t i = 0; i < batch.size(); ++i) std::move(batch[i].handler)(nullptr, added[i]);
        return;
    } catch (...) {
        if (batch.size() == 1) return std::move(batch.front().handler)(std::current_exception(), 0);
    }
    for (auto& w : batch) {
        std::exception_ptr failure;
        std::size_t added = 0;
        try {
            added = store_.commit_syncs({w.page}, now).front();
            ++transactions_;
        } catch (...) {
            failure = std::current_exception();
        }
        std::move(w.handler)(failure, added);
    }
}

}  // namespace ewstrigd::watch
