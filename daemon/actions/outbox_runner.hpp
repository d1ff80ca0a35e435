#pragma once
// Executes the action outbox (state::store) with bounded concurrency.
//
// - Pulls due pending rows, at most `concurrency` running at once; looks the
//   action up in the CURRENT config by (trigger name, action index) - a
//   trigger that is gone or has fewer actions now makes the row dead, as does
//   an unreadable payload; runs it on the executor and records the outcome:
//   done, failed (next attempt after retry_delay; the store turns it dead
//   when its attempts are used up) or dead.
// - The actions of one trigger for one event run in order: action N starts
//   only after actions 0..N-1 are done or dead (a save must see the message
//   before a move_to gives it a new id). The runner knows this of rows it
//   ran itself; after a restart, rows whose predecessor waits for a retry
//   are not held back (the store has no query for it yet).
// - One store read per pump (store::pick_pending): it walks the pending rows
//   in due order, takes the due ones that may start, and stops at the first
//   one that may not start yet, whose time is when the timer wakes us; only
//   the rows taken are copied. wake() after commit_sync pulls at once.
//   Another process can also make rows due (`ewstrigd outbox retry` puts
//   dead letters back), so the timer never sleeps longer than
//   options.recheck: one indexed query every 2 s at idle.
// - async_stop(grace): takes no new rows; completes when the running
//   attempts finished, or, once `grace` passed, after cancelling them (run
//   children are killed): their rows are not recorded and stay pending, so
//   they run again after a restart (at-least-once).
// - Loop affinity: construct, call and destroy on the io_context's thread.
//   The store and the executor must outlive the runner. A store_error thrown
//   while recording escapes from io_context::run(): state that cannot be
//   written cannot be trusted (state/store.hpp).

#include "actions/executor.hpp"
#include "actions/retry_policy.hpp"
#include "state/store.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace ewstrigd::actions {

struct runner_options {
    std::size_t concurrency = 4;
    retry_settings retry;
    std::chrono::milliseconds recheck{2000};  // longest sleep: rows requeued by `outbox retry` run this soon
    std::function<state::clock::time_point()> now = [] { return state::clock::now(); };
    // Called as the first attempt of a row starts, with the time since the row
    // was enqueued (the watcher committed it right after learning of the item);
    // never negative. For the event-to-action latency metric; may be empty.
    std::function<void(state::clock::duration)> on_first_attempt;
};

// For /metrics: attempts by action kind and outcome, plus rows that could
// not run at all and attempts abandoned by a stop.
struct action_counters {
    std::array<std::array<std::uint64_t, 3>, action_kind_count> attempts{};
    std::uint64_t unrunnable = 0;  // dead before running: config changed, bad payload
    std::uint64_t abandoned = 0;   // cancelled by stop(); the row stays pending

    std::uint64_t count(action_kind k, outcome::kind o) const {
        return attempts[static_cast<std::size_t>(k)][static_cast<std::size_t>(o)];
    }
};

class outbox_runner {
public:
    using config_source = std::function<std::shared_ptr<const config::config>()>;

    outbox_runner(boost::asio::any_io_executor ex, state::store& store, executor& exec, config_source config,
                  runner_options options = {});
    ~outbox_runner();
    outbox_runner(const outbox_runner&) = delete;
    outbox_runner& operator=(const outbox_runner&) = delete;

    // Starts pulling (rows left pending by an earlier run included).
    void start();
    // New rows were committed: pull now. Cheap; calls coalesce.
    void wake();

    template <boost::asio::completion_token_for<void()> Token>
    auto async_stop(std::chrono::milliseconds grace, Token&& token) {
        return boost::asio::async_initiate<Token, void()>(
            [this](auto handler, std::chrono::milliseconds g) { stop_impl(g, std::move(handler)); }, token, grace);
    }

    const action_counters& counters() const noexcept { return counters_; }
    std::size_t running() const noexcept { return running_.size(); }

private:
    using event_key = std::pair<std::string, std::string>;  // event id, trigger
    // Orders event keys; finds one by a pending row's views without copying them.
    struct event_key_less {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return std::pair<std::string_view, std::string_view>(a.first, a.second) <
                   std::pair<std::string_view, std::string_view>(b.first, b.second);
        }
    };

    struct attempt {
        boost::asio::cancellation_signal cancel;
        action_kind kind = action_kind::log;
        std::string identity;  // event id / trigger / index: the back-off seed
        int attempts_before = 0;
        int max_attempts = 0;
        int index = 0;
        event_key key;
        bool abandoned = false;
    };

    void pump();
    // An earlier action of the same event and trigger is running or waits for a retry.
    bool blocked(const state::pending_key& row) const;
    // Starts the row; false when it cannot run (dead letter).
    bool begin(const state::outbox_row& row);
    void finish(std::int64_t id, const outcome& o);
    // `next`: when the earliest row that may start but is not running falls due.
    void arm_timer(state::clock::time_point now, std::optional<state::clock::time_point> next);
    void stop_impl(std::chrono::milliseconds grace, boost::asio::any_completion_handler<void()> h);
    void maybe_stopped();

    boost::asio::any_io_executor ex_;
    state::store& store_;
    executor& exec_;
    config_source config_;
    runner_options options_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer grace_timer_;
    std::map<std::int64_t, std::unique_ptr<attempt>> running_;
    // Action indices of each (event, trigger) running or failed-and-pending.
    std::map<event_key, std::set<int>, event_key_less> unfinished_;
    std::size_t waiting_ = 0;  // failed-and-pending entries in unfinished_
    action_counters counters_;
    bool started_ = false;
    bool pump_posted_ = false;
    bool timer_armed_ = false;  // timer_ has a wait pending
    bool stopping_ = false;
    // optional + emplace: Boost 1.81's any_completion_handler<void()> move
    // assignment recurses (it wraps itself, being callable as void()).
    std::optional<boost::asio::any_completion_handler<void()>> stopped_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers outliving us do nothing
};

}  // namespace ewstrigd::actions
