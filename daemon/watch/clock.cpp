#include "watch/clock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <utility>

namespace ewstrigd::watch {
namespace {

namespace net = boost::asio;
using steady = std::chrono::steady_clock;

// Every sleep of every watcher waits in one queue behind one steady timer:
// an idle mailbox's pending safety sleep is then a queue entry, not a timer
// of its own with its wait operation (~0.3 KB less per mailbox at 10,000:
// issue 8).
class system_clock_source final : public clock {
public:
    explicit system_clock_source(net::any_io_executor ex) : ex_(ex), timer_(std::move(ex)) {}

    std::chrono::system_clock::time_point now() override { return std::chrono::system_clock::now(); }

private:
    using handler = net::any_completion_handler<sleep_signature>;
    using key = std::pair<steady::time_point, std::uint64_t>;  // due, then order of arrival

    void sleep_impl(std::chrono::milliseconds d, handler h) override {
        auto slot = net::get_associated_cancellation_slot(h);
        const key k{steady::now() + d, ++last_id_};
        sleeps_.emplace(k, std::move(h));
        // By key, not iterator: a slot emitted again after the sleep ended finds nothing.
        if (slot.is_connected())
            slot.assign([this, k](net::cancellation_type) { finish(k, net::error::operation_aborted); });
        if (sleeps_.begin()->first == k) arm();
    }

    // Completes the sleep `k` if it still waits (posted: never inside a call of ours).
    void finish(key k, boost::system::error_code ec) {
        const auto it = sleeps_.find(k);
        if (it == sleeps_.end()) return;
        auto h = std::move(it->second);
        sleeps_.erase(it);
        if (sleeps_.empty()) timer_.cancel();  // nothing left to wait for: the loop may end
        net::post(ex_, [h = std::move(h), ec]() mutable {
            if (auto slot = net::get_associated_cancellation_slot(h); slot.is_connected()) slot.clear();
            std::move(h)(ec);
        });
    }

    void arm() {
        if (sleeps_.empty()) return;
        timer_.expires_at(sleeps_.begin()->first.first);
        timer_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;  // re-armed for an earlier sleep, or the loop is going away
            const auto now = steady::now();
            while (!sleeps_.empty() && sleeps_.begin()->first.first <= now) finish(sleeps_.begin()->first, {});
            arm();
        });
    }

    net::any_io_executor ex_;
    net::steady_timer timer_;
    std::map<key, handler> sleeps_;
    std::uint64_t last_id_ = 0;
};

}  // namespace

std::unique_ptr<clock> make_system_clock(boost::asio::any_io_executor ex) {
    return std::make_unique<system_clock_source>(std::move(ex));
}

}  // namespace ewstrigd::watch
