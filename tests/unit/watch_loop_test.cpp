// The watch loop against a simulated mailbox, store and clock: what fires,
// what does not fire twice, and how it waits. Time moves only by
// fake_clock::advance; the io_context runs what is ready (poll), no sleeps.
#include "watch_fakes.hpp"

#include "actions/payload.hpp"
#include "watch/mailbox_watcher.hpp"
#include "watch/plan.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

namespace ewstrigd::testing {
namespace {

using ews::next_step;
using namespace std::chrono_literals;

std::string config_yaml(const std::string& on_start = "catch-up", const std::string& extra_mailbox = "") {
    return R"(state_dir: /nonexistent/state
mailboxes:
  - id: invoices
    address: invoices@contoso.example
    auth: { kind: basic, username: svc, password: pw }
    watch: { folders: [inbox], mode: poll, on_start: )" +
           on_start + "}\n" + extra_mailbox + R"(triggers:
  - name: invoice
    mailbox: invoices
    when:
      subject: { regex: 'Invoice (?P<number>\d+)' }
    actions:
      - log: "invoice {{match.number}}"
      - run: ["/bin/true", "{{match.number}}"]
        retries: 2
)";
}

// config_yaml() with a streaming doorbell (the fake source must subscribe too).
std::string streaming_config_yaml() {
    auto yaml = config_yaml();
    yaml.replace(yaml.find("mode: poll"), 10, "mode: streaming");
    return yaml;
}

const char* const second_mailbox = R"(  - id: support
    address: support@contoso.example
    auth: { kind: basic, username: svc, password: pw }
    watch: { folders: [inbox], mode: poll }
)";

class watch_loop : public ::testing::Test {
protected:
    void SetUp() override { spdlog::set_level(spdlog::level::off); }

    void TearDown() override {
        int pending = 0;
        for (auto& w : watchers_) {
            ++pending;
            w->stop([&pending] { --pending; });
        }
        settle();
        EXPECT_EQ(pending, 0) << "a loop did not end on stop";
    }

    // The watcher gets a copy of `cfg` (the daemon shares its loaded config
    // the same way), and all watchers one context, as in the daemon (made
    // with the first of them: set `timing` before).
    watch::mailbox_watcher& make(const config::config& cfg, std::shared_ptr<fake_source> src,
                                 std::size_t mailbox = 0) {
        auto shared = std::make_shared<const config::config>(cfg);
        const auto& mb = shared->mailboxes.at(mailbox);
        if (!context_) {
            watch::watcher_hooks hooks{[this] { ++wakes; }, [this](std::exception_ptr e) { fatal = e; }, &totals};
            context_ = std::make_shared<const watch::watcher_context>(
                watch::watcher_context{ioc.get_executor(), store, clock, commits, std::move(hooks), timing});
        }
        watchers_.push_back(std::make_unique<watch::mailbox_watcher>(context_, shared, mb, std::move(src)));
        return *watchers_.back();
    }

    // A watcher that stopped (e.g. after a fatal error), as after a process restart.
    void stop_all() {
        for (auto& w : watchers_) w->stop([] {});
        settle();
        watchers_.clear();
    }

    watch::connection_state watchers_status() const { return watchers_.front()->status().state; }

    // Runs every handler that is ready, including the ones they make ready.
    void settle() {
        ioc.restart();
        ioc.poll();
    }

    std::vector<std::string> fired_subjects() const {
        std::vector<std::string> out;
        for (const auto& row : store.rows) {
            if (row.action_index != 0) continue;
            auto p = actions::decode_payload(row.payload);
            out.push_back(p ? p->message.subject : "<bad payload>");
        }
        return out;
    }

    boost::asio::io_context ioc;
    fake_clock clock{ioc.get_executor()};
    fake_store store;
    // No window: each page commits on its own, as soon as the loop runs (the
    // batching itself is watch_commit_batcher_test's).
    watch::commit_batcher commits{ioc.get_executor(), store, clock, std::chrono::milliseconds{0}};
    watch::watch_timing timing;
    std::shared_ptr<fake_source> source = std::make_shared<fake_source>(ioc.get_executor());
    int wakes = 0;
    std::exception_ptr fatal;
    watch::watch_totals totals;  // shared by every watcher, as in the daemon

private:
    std::shared_ptr<const watch::watcher_context> context_;
    std::vector<std::unique_ptr<watch::mailbox_watcher>> watchers_;
};

using strings = std::vector<std::string>;

TEST_F(watch_loop, ring_syncs_fetches_matches_and_commits_outbox_rows) {
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    EXPECT_EQ(fired_subjects(), strings{});
    ASSERT_TRUE(source->listening());

    const auto invoice = source->deliver("inbox", "Invoice 42 from ACME");
    source->deliver("inbox", "Lunch on Friday?");
    source->ring("inbox");
    settle();

    ASSERT_EQ(store.rows.size(), 2u);  // both actions of the one matching trigger
    for (int i = 0; i < 2; ++i) {
        const auto& row = store.rows[static_cast<std::size_t>(i)];
        EXPECT_EQ(row.action_index, i);
        EXPECT_EQ(row.trigger, "invoice");
        EXPECT_EQ(row.mailbox, "invoices");
        EXPECT_EQ(row.folder, "inbox");
        EXPECT_EQ(row.item_id, invoice);
        EXPECT_EQ(row.event_id, watch::event_id_of("invoices", "inbox", invoice));
        auto p = actions::decode_payload(row.payload);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->message.subject, "Invoice 42 from ACME");
        EXPECT_EQ(p->message.folder, "inbox");
        EXPECT_EQ(p->captures.at("number"), "42");
    }
    EXPECT_EQ(store.rows[0].max_attempts, 6);  // default retries 5
    EXPECT_EQ(store.rows[1].max_attempts, 3);  // retries: 2
    EXPECT_EQ(wakes, 1);
    EXPECT_EQ(store.seen.size(), 2u);  // the non-matching one is recorded too
    EXPECT_EQ(store.states.at({"invoices", "inbox"}), "1:2");
    EXPECT_EQ(watchers_status(), watch::connection_state::connected);
}

TEST_F(watch_loop, seen_items_are_neither_fetched_nor_fired_again) {
    auto cfg = load_test_config(config_yaml());
    source->deliver("inbox", "Invoice 1");
    make(cfg, source).start();
    settle();
    ASSERT_EQ(fired_subjects(), strings{"Invoice 1"});
    ASSERT_EQ(source->fetched.size(), 1u);

    store.states.clear();  // the server replays everything, e.g. after a lost state
    source->deliver("inbox", "Invoice 2");
    source->ring("inbox");
    settle();

    EXPECT_EQ(fired_subjects(), (strings{"Invoice 1", "Invoice 2"}));
    ASSERT_EQ(source->fetched.size(), 2u);
    EXPECT_EQ(source->fetched[1], strings{"item-2"});
}

TEST_F(watch_loop, resync_after_an_invalid_state_fires_nothing_twice) {
    auto cfg = load_test_config(config_yaml());
    source->deliver("inbox", "Invoice 1");
    source->deliver("inbox", "Invoice 2");
    make(cfg, source).start();
    settle();
    ASSERT_EQ(fired_subjects().size(), 2u);

    source->invalidate_states();
    source->deliver("inbox", "Invoice 3");
    source->ring("inbox");
    settle();

    EXPECT_EQ(fired_subjects(), (strings{"Invoice 1", "Invoice 2", "Invoice 3"}));
    EXPECT_EQ(source->fetched.back(), strings{"item-3"});
    EXPECT_EQ(store.states.at({"invoices", "inbox"}), "2:3");  // the new epoch's state
    EXPECT_EQ(clock.sleeping(), 1u);                          // only the safety timer waits
}

TEST_F(watch_loop, follows_every_page_in_one_sync) {
    source->page_size = 2;
    for (int i = 1; i <= 5; ++i) source->deliver("inbox", "Invoice " + std::to_string(i));
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();

    EXPECT_EQ(fired_subjects(), (strings{"Invoice 1", "Invoice 2", "Invoice 3", "Invoice 4", "Invoice 5"}));
    EXPECT_EQ(source->syncs, 3);
    EXPECT_EQ(store.commits, 3);  // one transaction per page
    EXPECT_EQ(store.states.at({"invoices", "inbox"}), "1:5");
}

TEST_F(watch_loop, rings_during_a_sync_cause_exactly_one_more_sync) {
    source->hold_syncs = true;
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    ASSERT_EQ(source->held(), 1u);  // the start-up sync is in flight

    source->deliver("inbox", "Invoice 7");
    for (int i = 0; i < 3; ++i) source->ring("inbox");
    source->release_sync();
    settle();
    ASSERT_EQ(source->held(), 1u);  // one more, for the three rings
    source->release_sync();
    settle();

    EXPECT_EQ(source->held(), 0u);
    EXPECT_EQ(source->syncs, 2);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 7"});
}

// A folder syncs in a run started by a ring; while it backs off, rings wait
// for the retry, which covers them: one sync, not one more per ring.
TEST_F(watch_loop, rings_while_backing_off_are_covered_by_the_retry_and_an_idle_folder_syncs_on_each_ring) {
    source->sync_failures.push_back(failure(next_step::transient, "HTTP 502"));
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    ASSERT_EQ(source->syncs, 1);
    source->deliver("inbox", "Invoice 3");
    source->ring("inbox");
    source->ring("inbox");
    settle();
    EXPECT_EQ(source->syncs, 1) << "a ring must not cut the back-off short";
    clock.advance(timing.backoff_initial);
    settle();
    EXPECT_EQ(source->syncs, 2);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 3"});
    // Idle now: each ring starts one sync.
    source->deliver("inbox", "Invoice 4");
    source->ring("inbox");
    settle();
    EXPECT_EQ(source->syncs, 3);
    source->ring("inbox");
    settle();
    EXPECT_EQ(source->syncs, 4);
    EXPECT_EQ(fired_subjects(), (strings{"Invoice 3", "Invoice 4"}));
}

TEST_F(watch_loop, retry_after_is_honoured) {
    source->sync_failures.push_back(failure(next_step::retry_after, "ErrorServerBusy", 7000ms));
    source->deliver("inbox", "Invoice 9");
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    ASSERT_EQ(source->syncs, 1);
    ASSERT_FALSE(clock.requested.empty());
    EXPECT_EQ(clock.requested.back(), 7000ms);
    EXPECT_EQ(watchers_status(), watch::connection_state::backing_off);

    clock.advance(6999ms);
    settle();
    EXPECT_EQ(source->syncs, 1);
    clock.advance(1ms);
    settle();
    EXPECT_EQ(source->syncs, 2);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 9"});
}

TEST_F(watch_loop, transient_sync_failures_back_off_and_recover) {
    source->sync_failures.push_back(failure(next_step::transient, "HTTP 502"));
    source->fetch_failures.push_back(failure(next_step::transient, "timeout"));
    source->deliver("inbox", "Invoice 5");
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    clock.advance(5min);
    settle();
    clock.advance(5min);
    settle();
    EXPECT_EQ(fired_subjects(), strings{"Invoice 5"});
    EXPECT_EQ(source->fetched.size(), 2u);  // the failed fetch was repeated once
}

TEST_F(watch_loop, a_failing_mailbox_does_not_delay_another) {
    auto cfg = load_test_config(config_yaml("catch-up", second_mailbox));
    auto broken = std::make_shared<fake_source>(ioc.get_executor());
    broken->listen_results.push_back(failure(next_step::permanent, "HTTP 403"));
    broken->sync_failures.push_back(failure(next_step::permanent, "HTTP 403"));
    broken->deliver("inbox", "Invoice 1");
    source->deliver("inbox", "Invoice 2");
    auto& a = make(cfg, broken, 0);
    cfg.triggers[0].mailbox = "support";
    auto& b = make(cfg, source, 1);
    a.start();
    b.start();
    settle();

    EXPECT_EQ(fired_subjects(), strings{"Invoice 2"});
    EXPECT_EQ(a.status().state, watch::connection_state::failed);
    EXPECT_EQ(a.status().last_error, "HTTP 403: simulated");
    EXPECT_EQ(b.status().state, watch::connection_state::connected);

    // A permanent failure is retried slowly, not in a loop.
    clock.advance(timing.failed_retry - 1ms);
    settle();
    EXPECT_EQ(broken->syncs, 1);
    clock.advance(1ms);
    settle();
    EXPECT_EQ(fired_subjects(), (strings{"Invoice 2", "Invoice 1"}));
}

TEST_F(watch_loop, watchers_sharing_one_context_keep_their_own_mailbox_folders_and_triggers) {
    auto cfg = load_test_config(config_yaml("catch-up", R"(  - id: support
    address: support@contoso.example
    auth: { kind: basic, username: svc, password: pw }
    watch: { folders: [inbox, archive], mode: poll }
)"));
    auto other = std::make_shared<fake_source>(ioc.get_executor());
    source->deliver("inbox", "Invoice 1");
    other->deliver("archive", "Invoice 2");  // no trigger of support's: seen, not fired
    auto& invoices = make(cfg, source, 0);
    auto& support = make(cfg, other, 1);
    invoices.start();
    support.start();
    settle();

    EXPECT_EQ(invoices.status().mailbox, "invoices");
    EXPECT_EQ(support.status().mailbox, "support");
    EXPECT_EQ(source->syncs, 1);  // inbox
    EXPECT_EQ(other->syncs, 2);   // inbox and archive
    EXPECT_TRUE(store.sync_state("support", "archive"));
    EXPECT_FALSE(store.sync_state("invoices", "archive"));
    EXPECT_EQ(fired_subjects(), strings{"Invoice 1"});
    EXPECT_EQ(wakes, 1);  // the shared hook, once for the one enqueue

    // One safety interval later each syncs its own folders again.
    clock.advance(timing.safety_interval);
    settle();
    EXPECT_EQ(source->syncs, 2);
    EXPECT_EQ(other->syncs, 4);
}

TEST_F(watch_loop, new_only_records_existing_mail_without_firing) {
    source->deliver("inbox", "Invoice 1");
    source->deliver("inbox", "Invoice 2");
    auto cfg = load_test_config(config_yaml("new-only"));
    make(cfg, source).start();
    settle();
    EXPECT_EQ(fired_subjects(), strings{});
    EXPECT_EQ(store.seen.size(), 2u);
    EXPECT_TRUE(source->fetched.empty());  // nothing to match, nothing fetched

    source->deliver("inbox", "Invoice 3");
    source->ring("inbox");
    settle();
    EXPECT_EQ(fired_subjects(), strings{"Invoice 3"});
}

TEST_F(watch_loop, new_only_after_a_rejected_state_still_fires_new_mail) {
    auto cfg = load_test_config(config_yaml("new-only"));
    source->deliver("inbox", "Invoice 1");
    make(cfg, source).start();
    settle();
    source->invalidate_states();
    source->deliver("inbox", "Invoice 2");
    source->ring("inbox");
    settle();
    EXPECT_EQ(fired_subjects(), strings{"Invoice 2"});
}

TEST_F(watch_loop, catch_up_fires_for_mail_already_there) {
    source->deliver("inbox", "Invoice 1");
    source->deliver("inbox", "Invoice 2");
    auto cfg = load_test_config(config_yaml("catch-up"));
    make(cfg, source).start();
    settle();
    EXPECT_EQ(fired_subjects(), (strings{"Invoice 1", "Invoice 2"}));
}

TEST_F(watch_loop, a_crash_between_fetch_and_commit_fires_exactly_once_overall) {
    source->deliver("inbox", "Invoice 1");
    auto cfg = load_test_config(config_yaml());
    store.fail_next_commit = true;
    make(cfg, source).start();
    settle();
    ASSERT_TRUE(fatal);  // the store failed: the daemon must stop
    EXPECT_EQ(store.rows.size(), 0u);
    EXPECT_EQ(source->fetched.size(), 1u);
    stop_all();

    // "Restart" on the same store: the item is fetched again and fires once.
    fatal = nullptr;
    make(cfg, source).start();
    settle();
    EXPECT_FALSE(fatal);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 1"});
    stop_all();

    make(cfg, source).start();
    settle();
    EXPECT_EQ(fired_subjects(), strings{"Invoice 1"});
}

TEST_F(watch_loop, the_doorbell_listens_again_at_once_and_backs_off_on_failure) {
    source->listen_results = {source::outcome{}, failure(next_step::resubscribe, "ErrorSubscriptionNotFound"),
                              failure(next_step::transient, "HTTP 502")};
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    EXPECT_EQ(source->listens, 3);
    EXPECT_FALSE(source->listening());
    // The first subscription's sync committed after the doorbell failed: a
    // mailbox no notification reaches does not look connected.
    EXPECT_GE(source->syncs, 1);
    EXPECT_EQ(watchers_status(), watch::connection_state::backing_off);
    clock.advance(timing.backoff_initial);
    settle();
    EXPECT_EQ(source->listens, 4);
    EXPECT_TRUE(source->listening());
}

// Streaming (and pull): the first sync is the one the new subscription's ring
// starts, not a second one beside it (10,000 mailboxes: one SyncFolderItems
// each at start-up, not two; issue 8).
TEST_F(watch_loop, a_streaming_mailbox_starts_with_one_sync_after_it_subscribed) {
    source->subscribes = true;
    source->deliver("inbox", "Invoice 1");
    auto cfg = load_test_config(streaming_config_yaml());
    make(cfg, source).start();
    settle();
    EXPECT_EQ(source->syncs, 1);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 1"});
    source->end_listen(source::outcome{});  // a normal end: the next listen keeps the subscription
    settle();
    EXPECT_TRUE(source->listening());
    EXPECT_EQ(source->syncs, 1);
    source->end_listen(failure(next_step::resubscribe, "ErrorSubscriptionNotFound"));
    settle();
    EXPECT_EQ(source->syncs, 2) << "a new subscription syncs again: events may have been missed";
}

// ...but when the first listen fails before subscribing, the mail already
// there is not left waiting for the doorbell's back-off.
TEST_F(watch_loop, a_streaming_mailbox_whose_first_listen_fails_syncs_at_once) {
    source->subscribes = true;
    source->listen_results.push_back(failure(next_step::transient, "HTTP 502"));
    source->deliver("inbox", "Invoice 2");
    auto cfg = load_test_config(streaming_config_yaml());
    make(cfg, source).start();
    settle();
    EXPECT_FALSE(source->listening());
    EXPECT_EQ(source->syncs, 1);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 2"});
    clock.advance(timing.backoff_initial);  // the doorbell subscribes: its ring syncs once more
    settle();
    EXPECT_TRUE(source->listening());
    EXPECT_EQ(source->syncs, 2);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 2"});
}

TEST_F(watch_loop, a_ring_that_brings_nothing_new_writes_nothing) {
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    const int commits_before = store.commits;
    const int syncs = source->syncs;
    source->ring("inbox");  // e.g. a message read or flagged: no new item, the same sync state
    settle();
    EXPECT_EQ(source->syncs, syncs + 1);
    EXPECT_EQ(store.commits, commits_before);
    source->deliver("inbox", "Invoice 12");
    source->ring("inbox");
    settle();
    EXPECT_EQ(store.commits, commits_before + 1);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 12"});
}

TEST_F(watch_loop, the_safety_timer_syncs_without_a_ring) {
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    source->deliver("inbox", "Invoice 11");  // the doorbell missed it
    clock.advance(timing.safety_interval);
    settle();
    EXPECT_EQ(fired_subjects(), strings{"Invoice 11"});
}

TEST_F(watch_loop, sync_once_syncs_each_folder_and_reports) {
    source->deliver("inbox", "Invoice 1");
    auto cfg = load_test_config(config_yaml());
    std::optional<bool> result;
    make(cfg, source).sync_once([&](bool ok) { result = ok; });
    settle();
    ASSERT_TRUE(result);
    EXPECT_TRUE(*result);
    EXPECT_EQ(fired_subjects(), strings{"Invoice 1"});
    EXPECT_EQ(source->listens, 0);
}

TEST_F(watch_loop, new_triggers_apply_to_the_next_page) {
    auto cfg = load_test_config(config_yaml());
    auto& w = make(cfg, source);
    w.start();
    settle();
    cfg.triggers[0].when = load_test_config(R"(state_dir: /x
mailboxes:
  - { id: invoices, address: a@b.example, auth: { kind: basic, username: u, password: p } }
triggers:
  - { name: any, mailbox: invoices, when: { subject: "*lunch*" }, actions: [ { log: hi } ] }
)").triggers[0].when;
    w.set_config(std::make_shared<const config::config>(cfg));
    source->deliver("inbox", "Invoice 1");
    source->deliver("inbox", "Lunch?");
    source->ring("inbox");
    settle();
    EXPECT_EQ(fired_subjects(), strings{"Lunch?"});
}

TEST_F(watch_loop, totals_count_rings_syncs_and_matches_per_trigger) {
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    EXPECT_EQ(totals.notifications, 0u);
    EXPECT_EQ(totals.syncs[next_step::proceed], 1u);  // the start-up sync

    source->deliver("inbox", "Invoice 42");
    source->deliver("inbox", "Lunch on Friday?");
    source->ring("inbox");
    settle();
    source->deliver("inbox", "Invoice 43");
    source->ring("inbox");
    settle();

    EXPECT_EQ(totals.notifications, 2u);
    EXPECT_EQ(totals.syncs[next_step::proceed], 3u);
    EXPECT_EQ(totals.items_seen, 3u);
    EXPECT_EQ(totals.items_matched, (std::map<std::string, std::uint64_t, std::less<>>{{"invoice", 2}}));
    EXPECT_EQ(totals.actions_enqueued, 4u);  // two actions per match
    EXPECT_TRUE(totals.ews_errors.empty());
    EXPECT_EQ(totals.backoff, 0ms);
}

TEST_F(watch_loop, totals_count_errors_by_code_and_the_waits_they_cause) {
    source->sync_failures.push_back(failure(next_step::retry_after, "ErrorServerBusy", 7000ms));
    source->fetch_failures.push_back(failure(next_step::transient, "HTTP 502"));
    source->listen_results.push_back(failure(next_step::transient, "network"));
    source->deliver("inbox", "Invoice 9");
    auto cfg = load_test_config(config_yaml());
    make(cfg, source).start();
    settle();
    clock.advance(7000ms);  // the sync retries, its fetch fails
    settle();
    clock.advance(1min);  // the back-offs end; the safety timer (5 min) does not
    settle();

    EXPECT_EQ(fired_subjects(), strings{"Invoice 9"});
    EXPECT_EQ(totals.syncs[next_step::retry_after], 1u);
    EXPECT_EQ(totals.syncs[next_step::transient], 1u);
    EXPECT_EQ(totals.syncs[next_step::proceed], 1u);
    EXPECT_EQ(totals.ews_errors,
              (std::map<std::string, std::uint64_t, std::less<>>{{"ErrorServerBusy", 1}, {"HTTP 502", 1}, {"network", 1}}));
    // Every wait the loops asked for after a failure: 7 s, and one back-off each for the fetch and the doorbell.
    std::chrono::milliseconds asked{0};
    for (const auto d : clock.requested) {
        if (d != timing.safety_interval) asked += d;
    }
    EXPECT_EQ(totals.backoff, asked);
    EXPECT_GT(totals.backoff, 7000ms);
}

TEST_F(watch_loop, stopping_is_not_counted_as_an_error) {
    auto cfg = load_test_config(config_yaml());
    auto& w = make(cfg, source);
    w.start();
    settle();
    ASSERT_TRUE(source->listening());
    const auto syncs_before = totals.syncs;
    bool stopped = false;
    w.stop([&] { stopped = true; });
    settle();
    ASSERT_TRUE(stopped);
    EXPECT_TRUE(totals.ews_errors.empty());
    EXPECT_EQ(totals.syncs, syncs_before);
    EXPECT_EQ(totals.backoff, 0ms);
}

}  // namespace
}  // namespace ewstrigd::testing
