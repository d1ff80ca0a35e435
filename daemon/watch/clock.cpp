#include "watch/clock.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
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

// The calls of one interval: each is re-queued at the end when called, so
// the list stays in the order they are due and only its head needs a sleep.
//
// Due times are on the round's own time line, the wall clock minus `shift`:
// when the wall clock jumps (set ahead or back, a suspend) or the loop
// stalls, the line takes the jump up, so the calls keep their spread instead
// of all coming due at once (10,000 safety syncs in the same instant).
struct periodic_round {
    explicit periodic_round(std::chrono::milliseconds i) : interval(i) {}
    std::chrono::milliseconds interval;
    periodic_call* first = nullptr;
    periodic_call* last = nullptr;
    bool sleeping = false;
    std::chrono::system_clock::time_point sleep_ends;  // by the wall clock, as planned
    std::chrono::system_clock::duration shift{};
    net::cancellation_signal cancel_sleep;  // emitted when the last call stops
};

namespace {

// A sleep that ended further than this from its plan: the wall clock jumped.
constexpr std::chrono::seconds jump_tolerance{1};

}  // namespace

void periodic_call::link_last(periodic_round& r) {
    round_ = &r;
    prev_ = r.last;
    next_ = nullptr;
    (r.last ? r.last->next_ : r.first) = this;
    r.last = this;
}

void periodic_call::unlink() {
    if (!round_) return;
    (prev_ ? prev_->next_ : round_->first) = next_;
    (next_ ? next_->prev_ : round_->last) = prev_;
    prev_ = next_ = nullptr;
    round_ = nullptr;
}

void periodic_call::stop() {
    if (!round_) return;
    auto& r = *round_;
    unlink();
    fn_ = nullptr;
    // Nothing left to wait for: the loop may end.
    if (!r.first && r.sleeping) r.cancel_sleep.emit(net::cancellation_type::terminal);
}

clock::clock() = default;

clock::~clock() {
    // Only unlinked: the derived clock that would end the sleeps is gone already.
    for (auto& r : rounds_) {
        while (r->first) r->first->unlink();
    }
}

void clock::call_every(periodic_call& call, std::chrono::milliseconds interval, std::function<void()> fn) {
    interval = std::max(interval, std::chrono::milliseconds{1});  // 0 would call it again and again at once
    call.stop();  // from its old round, whose sleep ends if it was the last
    auto it = std::find_if(rounds_.begin(), rounds_.end(), [&](const auto& r) { return r->interval == interval; });
    if (it == rounds_.end()) it = rounds_.insert(rounds_.end(), std::make_unique<periodic_round>(interval));
    call.fn_ = std::move(fn);
    call.due_ = now() - (*it)->shift + interval;
    call.link_last(**it);
    sleep_until_due(**it);
}

void clock::sleep_until_due(periodic_round& r) {
    if (r.sleeping || !r.first) return;
    r.sleeping = true;
    // Never longer than one interval, even when the wall clock was set back.
    const auto wall = now();
    const auto wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(r.first->due_ + r.shift - wall),
                                 std::chrono::milliseconds{0}, r.interval);
    r.sleep_ends = wall + wait;
    async_sleep(wait, net::bind_cancellation_slot(r.cancel_sleep.slot(), [this, &r](boost::system::error_code ec) {
                    r.sleeping = false;
                    if (!ec) {
                        const auto off_plan = now() - r.sleep_ends;
                        if (off_plan > jump_tolerance || off_plan < -jump_tolerance) r.shift += off_plan;
                    }
                    wake(r);  // after a cancellation too: calls may have started since
                }));
}

void clock::wake(periodic_round& r) {
    const auto t = now() - r.shift;
    while (r.first && r.first->due_ <= t) {
        auto& call = *r.first;
        call.unlink();
        call.due_ = t + r.interval;  // after every other: the list stays in due order
        call.link_last(r);
        const auto fn = call.fn_;  // a copy: the call may stop or destroy its owner
        fn();
    }
    sleep_until_due(r);
}

std::unique_ptr<clock> make_system_clock(boost::asio::any_io_executor ex) {
    return std::make_unique<system_clock_source>(std::move(ex));
}

}  // namespace ewstrigd::watch
