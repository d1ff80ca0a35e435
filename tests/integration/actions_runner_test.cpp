// outbox_runner with the fake store and the fake mail source.

#include "actions/outbox_runner.hpp"
#include "actions_fixture.hpp"

#include <boost/asio/steady_timer.hpp>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using state::outbox_state;

class runner_test : public actions_fixture {
protected:
    runner_test() {
        auto cfg = std::make_shared<config::config>();
        config::trigger_config t;
        t.name = "t";
        t.mailbox = "mb";
        config::action_config mark;
        mark.what = config::mark_read_action{true};
        config::action_config log;
        log.what = config::log_action{templ("got {{subject}}"), "info"};
        config::action_config run;
        run.what = config::run_action{{templ("/bin/sleep"), templ("30")}, {}, {}};
        t.actions = {mark, log, run};
        cfg->triggers.push_back(t);
        config = cfg;
    }

    actions::outbox_runner make_runner(actions::runner_options o = {}) {
        o.retry = {20ms, 40ms};
        return actions::outbox_runner(ioc.get_executor(), store, exec, [this] { return config; }, o);
    }

    std::int64_t add(int index, state::clock::time_point due = state::clock::now(), int max_attempts = 6) {
        return store.add("t", index, actions::encode_payload(sample_job().data), due, max_attempts);
    }

    static source::outcome failure(ews::next_step step, std::chrono::milliseconds delay = {}) {
        source::outcome o;
        o.step = step;
        o.delay = delay;
        o.reason = "scripted failure";
        return o;
    }

    fake_store store;
    actions::executor exec{ioc.get_executor(), options()};
    std::shared_ptr<const config::config> config;
};

TEST_F(runner_test, runs_due_rows_and_records_done) {
    const auto a = add(0);
    const auto b = add(1);
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(a).state == outbox_state::done && store.row(b).state == outbox_state::done; }));
    EXPECT_EQ(source.calls, std::vector<std::string>{"mark_read item-1 1"});  // the payload's item id wins
    EXPECT_NE(log_text.str().find("got Invoice 4711"), std::string::npos);
    EXPECT_EQ(runner.counters().count(actions::action_kind::mark_read, actions::outcome::kind::done), 1u);
    EXPECT_EQ(runner.counters().count(actions::action_kind::log, actions::outcome::kind::done), 1u);
}

TEST_F(runner_test, concurrency_bound_is_respected) {
    source.hold = true;
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 7; ++i) ids.push_back(add(0));
    actions::runner_options o;
    o.concurrency = 3;
    auto runner = make_runner(o);
    runner.start();
    auto all_done = [&] {
        return std::all_of(ids.begin(), ids.end(), [&](auto id) { return store.row(id).state == outbox_state::done; });
    };
    ASSERT_TRUE(run_until(ioc, [&] { return source.held() == 3; }));
    auto done_count = [&] {
        return std::count_if(ids.begin(), ids.end(), [&](auto id) { return store.row(id).state == outbox_state::done; });
    };
    // Release one at a time; each completion lets exactly one more start.
    while (!all_done()) {
        const auto before = done_count();
        source.release_one();
        ASSERT_TRUE(run_until(ioc, [&] { return done_count() > before; }));
        EXPECT_LE(runner.running(), 3u);
        EXPECT_EQ(source.held(), std::min<std::size_t>(3, ids.size() - static_cast<std::size_t>(done_count())));
    }
    EXPECT_EQ(source.max_held, 3u);
    EXPECT_EQ(source.calls.size(), 7u);
}

TEST_F(runner_test, failures_are_retried_with_back_off_then_dead) {
    source.outcomes = {failure(ews::next_step::transient), failure(ews::next_step::transient)};
    const auto retried = add(0);
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(retried).state == outbox_state::done; }));
    EXPECT_EQ(store.row(retried).attempts, 3);
    EXPECT_EQ(runner.counters().count(actions::action_kind::mark_read, actions::outcome::kind::retry), 2u);

    source.outcomes = {failure(ews::next_step::transient), failure(ews::next_step::transient)};
    const auto exhausted = add(0, state::clock::now(), 2);
    runner.wake();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(exhausted).state == outbox_state::dead; }));
    EXPECT_EQ(store.row(exhausted).attempts, 2);

    source.outcomes = {failure(ews::next_step::permanent)};
    const auto dead = add(0);
    runner.wake();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(dead).state == outbox_state::dead; }));
    EXPECT_EQ(store.row(dead).attempts, 1);
    EXPECT_NE(store.row(dead).last_error.find("scripted failure"), std::string::npos);
}

TEST_F(runner_test, actions_of_one_event_run_in_order) {
    source.hold = true;
    const auto payload = actions::encode_payload(sample_job().data);
    const auto mark = store.add("t", 0, payload, state::clock::now(), 6, "e1");
    const auto log = store.add("t", 1, payload, state::clock::now(), 6, "e1");
    const auto other = store.add("t", 1, payload, state::clock::now(), 6, "e2");
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(other).state == outbox_state::done; }));
    EXPECT_EQ(source.held(), 1u);
    EXPECT_EQ(store.row(log).state, outbox_state::pending) << "action 1 ran before action 0 finished";
    source.hold = false;
    source.outcomes = {failure(ews::next_step::transient)};
    source.release_one();  // fails: action 1 must wait for the retry
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(mark).attempts == 1; }));
    EXPECT_EQ(store.row(log).state, outbox_state::pending);
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(log).state == outbox_state::done; }));
    EXPECT_EQ(store.row(mark).state, outbox_state::done);
    EXPECT_EQ(store.row(mark).attempts, 2);
}

TEST_F(runner_test, a_server_asked_delay_wins) {
    source.outcomes = {failure(ews::next_step::retry_after, 30s)};
    const auto id = add(0);
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(id).attempts == 1; }));
    const auto wait = store.row(id).next_attempt - state::clock::now();
    EXPECT_GT(wait, 25s);
    EXPECT_LE(wait, 30s);
    EXPECT_EQ(store.row(id).state, outbox_state::pending);
}

TEST_F(runner_test, rows_whose_action_is_gone_are_dead_letters) {
    const auto out_of_range = add(7);
    const auto gone = store.add("removed-trigger", 0, actions::encode_payload(sample_job().data), state::clock::now());
    const auto bad_payload = store.add("t", 0, "{not json", state::clock::now());
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] {
        return store.row(out_of_range).state == outbox_state::dead && store.row(gone).state == outbox_state::dead &&
               store.row(bad_payload).state == outbox_state::dead;
    }));
    EXPECT_EQ(store.row(out_of_range).last_error, "trigger t no longer has action 7 (config changed)");
    EXPECT_EQ(store.row(gone).last_error, "trigger removed-trigger no longer has action 0 (config changed)");
    EXPECT_EQ(store.row(bad_payload).last_error, "outbox payload unreadable: payload: not valid JSON");
    EXPECT_EQ(runner.counters().unrunnable, 3u);
    EXPECT_TRUE(source.calls.empty());
}

TEST_F(runner_test, a_future_row_runs_when_due_without_polling) {
    const auto id = add(1, state::clock::now() + 300ms);
    auto runner = make_runner();
    runner.start();
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(id).state == outbox_state::done; }));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
    EXPECT_LE(store.due_calls, 4u) << "the runner polled the store";
}

TEST_F(runner_test, a_mail_costs_one_store_read_to_start_and_one_after_it_finished) {
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return store.due_calls > 0; }));
    const auto id = add(1);
    const auto before = store.due_calls;
    runner.wake();
    runner.wake();  // wakes coalesce
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(id).state == outbox_state::done && runner.running() == 0; }));
    bool waited = false;  // nothing more happens until the recheck
    boost::asio::steady_timer pause(ioc, 100ms);
    pause.async_wait([&](auto) { waited = true; });
    ASSERT_TRUE(run_until(ioc, [&] { return waited; }));
    EXPECT_EQ(store.due_calls - before, 2u);
}

TEST_F(runner_test, wake_runs_new_rows_at_once) {
    auto runner = make_runner();
    runner.start();
    boost::asio::steady_timer later(ioc, 50ms);
    std::int64_t id = 0;
    later.async_wait([&](auto) {
        id = add(1);
        runner.wake();
    });
    ASSERT_TRUE(run_until(ioc, [&] { return id != 0 && store.row(id).state == outbox_state::done; }));
}

TEST_F(runner_test, stop_waits_for_running_actions_within_the_grace) {
    source.hold = true;
    const auto id = add(0);
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return source.held() == 1; }));
    bool stopped = false;
    runner.async_stop(10s, [&] { stopped = true; });
    const auto late = add(1);
    runner.wake();
    source.release_one();
    ASSERT_TRUE(run_until(ioc, [&] { return stopped; }));
    EXPECT_EQ(store.row(id).state, outbox_state::done);
    EXPECT_EQ(store.row(late).state, outbox_state::pending) << "a stopping runner took a new row";
}

TEST_F(runner_test, stop_after_the_grace_kills_run_children_and_leaves_rows_pending) {
    const auto id = add(2);  // /bin/sleep 30
    auto runner = make_runner();
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return runner.running() == 1; }));
    bool stopped = false;
    const auto start = std::chrono::steady_clock::now();
    runner.async_stop(200ms, [&] { stopped = true; });
    ASSERT_TRUE(run_until(ioc, [&] { return stopped; }));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(store.row(id).state, outbox_state::pending);
    EXPECT_EQ(store.row(id).attempts, 0);
    EXPECT_EQ(runner.counters().abandoned, 1u);
}

TEST_F(runner_test, the_first_attempt_reports_the_time_since_the_row_was_enqueued) {
    auto now = state::clock::now();
    std::vector<state::clock::duration> latencies;
    actions::runner_options o;
    o.now = [&now] { return now; };
    o.on_first_attempt = [&](state::clock::duration d) { latencies.push_back(d); };
    source.outcomes = {failure(ews::next_step::transient)};  // one retry, not reported again
    const auto id = add(0, now - 250ms);
    const auto later = add(1, now + 10ms);  // enqueued later: counted from its own enqueue time
    auto runner = make_runner(o);
    runner.start();
    ASSERT_TRUE(run_until(ioc, [&] { return store.row(id).attempts == 1; }));
    now += 1s;  // the retry and the second row are due
    runner.wake();
    ASSERT_TRUE(run_until(ioc, [&] {
        return store.row(id).state == outbox_state::done && store.row(later).state == outbox_state::done;
    }));
    EXPECT_EQ(store.row(id).attempts, 2);
    ASSERT_EQ(latencies.size(), 2u);
    EXPECT_EQ(latencies[0], std::chrono::duration_cast<state::clock::duration>(250ms));
    EXPECT_EQ(latencies[1], std::chrono::duration_cast<state::clock::duration>(990ms));
}

}  // namespace
}  // namespace ewstrigd::test
