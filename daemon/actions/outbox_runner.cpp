#include "actions/outbox_runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace ewstrigd::actions {

namespace net = boost::asio;

namespace {

// Never re-arm faster than this, even if the store keeps reporting a row due
// that it does not hand out (a guard against a busy loop, not a poll).
constexpr auto min_wait = std::chrono::milliseconds(50);

const config::action_config* find_action(const config::config& cfg, const std::string& trigger, int index) {
    for (const auto& t : cfg.triggers) {
        if (t.name != trigger) continue;
        if (index < 0 || static_cast<std::size_t>(index) >= t.actions.size()) return nullptr;
        return &t.actions[static_cast<std::size_t>(index)];
    }
    return nullptr;
}

}  // namespace

outbox_runner::outbox_runner(net::any_io_executor ex, state::store& store, executor& exec, config_source config,
                             runner_options options)
    : ex_(ex), store_(store), exec_(exec), config_(std::move(config)), options_(std::move(options)), timer_(ex),
      grace_timer_(ex) {
    if (options_.concurrency == 0) options_.concurrency = 1;
}

outbox_runner::~outbox_runner() {
    *alive_ = false;
    for (auto& [id, a] : running_) a->cancel.emit(net::cancellation_type::all);
}

void outbox_runner::start() {
    started_ = true;
    wake();
}

void outbox_runner::wake() {
    if (!started_ || stopping_ || pump_posted_) return;
    pump_posted_ = true;
    net::post(ex_, [this, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.expired()) return;
        pump_posted_ = false;
        pump();
    });
}

bool outbox_runner::blocked(const state::pending_key& row) const {
    const auto it = unfinished_.find(std::pair{row.event_id, row.trigger});
    return it != unfinished_.end() && !it->second.empty() && *it->second.begin() < row.action_index;
}

void outbox_runner::pump() {
    if (stopping_) return;
    const auto now = options_.now();
    std::size_t room = options_.concurrency - std::min(running_.size(), options_.concurrency);
    std::optional<state::clock::time_point> next;
    // Taken in this walk but not begun yet: later actions of their event wait for them too.
    std::vector<std::pair<event_key, int>> taken;
    const auto follows_taken = [&](const state::pending_key& row) {
        return std::any_of(taken.begin(), taken.end(), [&](const auto& t) {
            return t.first.first == row.event_id && t.first.second == row.trigger && t.second < row.action_index;
        });
    };
    std::vector<state::outbox_row> rows;
    if (room > 0) {
        // Rows running or held back are still pending in the store: walk far
        // enough to see past them.
        const std::size_t limit = running_.size() + waiting_ + options_.concurrency * 4;
        rows = store_.pick_pending(limit, [&](const state::pending_key& row) {
            // Rows held back wake us through their predecessor, not by their own time.
            if (running_.contains(row.id) || blocked(row) || follows_taken(row)) return state::pick::skip;
            if (row.next_attempt > now || room == 0) {
                next = row.next_attempt;
                return state::pick::stop;
            }
            --room;
            taken.push_back({{std::string{row.event_id}, std::string{row.trigger}}, row.action_index});
            return state::pick::take;
        });
    }
    bool all_began = true;
    for (const auto& row : rows) all_began = begin(row) && all_began;
    // A dead letter frees its room and its event's later actions: walk again.
    if (!all_began) return wake();
    arm_timer(now, next);
}

void outbox_runner::arm_timer(state::clock::time_point now, std::optional<state::clock::time_point> next) {
    if (stopping_ || running_.size() >= options_.concurrency) {
        timer_.cancel();  // a finishing attempt pulls again
        timer_armed_ = false;
        return;
    }
    auto wait = next ? std::chrono::ceil<std::chrono::milliseconds>(*next - now)  // never wake just before it
                     : options_.recheck;
    if (wait < min_wait) wait = std::max(wait, std::chrono::milliseconds(0)) + min_wait;
    wait = std::min(wait, std::max(options_.recheck, min_wait));
    const auto expiry = std::chrono::steady_clock::now() + wait;
    // Re-arming costs a timerfd update whenever ours is the loop's earliest
    // timer, and pumps come once or twice per mail. A wait that is only the
    // recheck may as well end a little early (that pump finds what this one
    // did), so a recheck armed at most min_wait earlier stays.
    if (!next && timer_armed_ && timer_.expiry() <= expiry && timer_.expiry() + min_wait >= expiry) return;
    timer_.expires_at(expiry);
    timer_armed_ = true;
    timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (ec || alive.expired()) return;  // cancelled or re-armed: whoever did it owns timer_armed_
        timer_armed_ = false;
        pump();
    });
}

bool outbox_runner::begin(const state::outbox_row& row) {
    auto& log = exec_.log();
    const auto cfg = config_();
    const config::action_config* action = cfg ? find_action(*cfg, row.trigger, row.action_index) : nullptr;
    if (action == nullptr) {
        const std::string why = "trigger " + row.trigger + " no longer has action " + std::to_string(row.action_index) +
                                " (config changed)";
        log.error("mailbox={} trigger={} event={} dead letter: {}", row.mailbox, row.trigger, row.event_id, why);
        store_.action_dead(row.id, why);
        ++counters_.unrunnable;
        return false;
    }
    payload_error perr;
    auto data = decode_payload(row.payload, &perr);
    if (!data) {
        const std::string why = "outbox payload unreadable: " + perr.message;
        log.error("mailbox={} trigger={} event={} dead letter: {}", row.mailbox, row.trigger, row.event_id, why);
        store_.action_dead(row.id, why);
        ++counters_.unrunnable;
        return false;
    }
    job j{row.event_id, row.mailbox, row.folder, row.item_id, row.trigger, row.action_index, std::move(*data)};
    auto a = std::make_unique<attempt>();
    a->kind = kind_of(*action);
    a->identity = row.event_id + "/" + row.trigger + "/" + std::to_string(row.action_index);
    a->attempts_before = row.attempts;
    a->max_attempts = row.max_attempts;
    a->index = row.action_index;
    a->key = {row.event_id, row.trigger};
    if (!unfinished_[a->key].insert(a->index).second) --waiting_;  // it was waiting for this retry
    auto& slot = a->cancel;
    const std::int64_t id = row.id;
    running_.emplace(id, std::move(a));
    if (row.attempts == 0 && options_.on_first_attempt) {
        options_.on_first_attempt(std::max(options_.now() - row.created, state::clock::duration::zero()));
    }
    exec_.async_execute(*action, j,
                        net::bind_cancellation_slot(slot.slot(), [this, id, alive = std::weak_ptr<bool>(alive_)](
                                                                     outcome o) {
                            if (!alive.expired()) finish(id, o);
                        }));
    return true;
}

void outbox_runner::finish(std::int64_t id, const outcome& o) {
    const auto it = running_.find(id);
    if (it == running_.end()) return;
    const std::unique_ptr<attempt> a = std::move(it->second);
    running_.erase(it);
    auto& log = exec_.log();
    if (a->abandoned && o.result != outcome::kind::done) {
        ++counters_.abandoned;
        log.warn("action {} [{}] stopped by shutdown; it stays pending and runs again after a restart", a->identity,
                 to_string(a->kind));
    } else {
        ++counters_.attempts[static_cast<std::size_t>(a->kind)][static_cast<std::size_t>(o.result)];
        const int attempt_no = a->attempts_before + 1;
        switch (o.result) {
            case outcome::kind::done:
                log.debug("action {} [{}] done: {}", a->identity, to_string(a->kind), o.detail);
                store_.action_done(id);
                break;
            case outcome::kind::retry: {
                const auto delay = retry_delay(options_.retry, a->identity, a->attempts_before, o.delay);
                if (attempt_no >= a->max_attempts) {
                    log.error("action {} [{}] attempt {} of {} failed, giving up (dead letter): {}", a->identity,
                              to_string(a->kind), attempt_no, a->max_attempts, o.detail);
                } else {
                    log.warn("action {} [{}] attempt {} of {} failed, next in {} ms: {}", a->identity,
                             to_string(a->kind), attempt_no, a->max_attempts, delay.count(), o.detail);
                }
                store_.action_failed(id, o.detail, options_.now() + delay);
                break;
            }
            case outcome::kind::dead:
                log.error("action {} [{}] failed permanently (dead letter): {}", a->identity, to_string(a->kind),
                          o.detail);
                store_.action_dead(id, o.detail);
                break;
        }
    }
    const bool will_retry = !a->abandoned && o.result == outcome::kind::retry && a->attempts_before + 1 < a->max_attempts;
    if (will_retry) {
        ++waiting_;
    } else if (auto u = unfinished_.find(a->key); u != unfinished_.end()) {
        u->second.erase(a->index);
        if (u->second.empty()) unfinished_.erase(u);
    }
    if (stopping_) return maybe_stopped();
    pump();
}

void outbox_runner::stop_impl(std::chrono::milliseconds grace, net::any_completion_handler<void()> h) {
    stopping_ = true;
    timer_.cancel();
    timer_armed_ = false;
    stopped_.emplace(std::move(h));
    if (running_.empty()) return maybe_stopped();
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        for (auto& [id, a] : running_) {
            a->abandoned = true;
            a->cancel.emit(net::cancellation_type::all);
        }
    });
}

void outbox_runner::maybe_stopped() {
    if (!running_.empty() || !stopped_) return;
    grace_timer_.cancel();
    net::post(ex_, [h = std::move(*stopped_)]() mutable { std::move(h)(); });
    stopped_.reset();
}

}  // namespace ewstrigd::actions
