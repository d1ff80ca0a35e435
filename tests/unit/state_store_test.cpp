// The store contract (state/store.hpp), method by method, on a fresh database per test.
#include "state/store.hpp"

#include "test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ewstrigd::state {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Times are stored in whole milliseconds, so tests use whole-millisecond points.
const clock::time_point t0 = clock::time_point{std::chrono::milliseconds{1'700'000'000'000}};

new_item item(const std::string& id, std::vector<new_action> actions = {}) {
    return {id, "event-" + id, std::move(actions)};
}

new_action action(const std::string& trigger, int index, int max_attempts = 6) {
    return {trigger, index, R"({"kind":"run","index":)" + std::to_string(index) + "}", max_attempts};
}

class store_test : public ::testing::Test {
protected:
    ewstrigd::testing::scratch_dir dir_;
    std::unique_ptr<store> s_ = store::open(dir_.path());

    // One pending row for a fresh item; returns its id.
    std::int64_t enqueue_one(const std::string& item_id, int max_attempts = 6, clock::time_point at = t0) {
        s_->commit_sync("mb", "inbox", "state-" + item_id, {item(item_id, {action("t", 0, max_attempts)})}, at);
        for (const auto& row : s_->due_actions(clock::time_point::max(), 1000))
            if (row.item_id == item_id) return row.id;
        ADD_FAILURE() << "no outbox row for " << item_id;
        return -1;
    }
};

TEST_F(store_test, sync_state_is_absent_until_committed_and_then_replaced) {
    EXPECT_EQ(s_->sync_state("mb", "inbox"), std::nullopt);
    s_->commit_sync("mb", "inbox", "S1", {}, t0);
    EXPECT_EQ(s_->sync_state("mb", "inbox"), "S1");
    s_->commit_sync("mb", "inbox", "S2", {}, t0 + 1s);
    EXPECT_EQ(s_->sync_state("mb", "inbox"), "S2");
    // Keyed by (mailbox, folder).
    EXPECT_EQ(s_->sync_state("mb", "archive"), std::nullopt);
    EXPECT_EQ(s_->sync_state("other", "inbox"), std::nullopt);
}

TEST_F(store_test, commit_records_items_and_enqueues_their_actions_due_now) {
    const auto added = s_->commit_sync(
        "mb", "inbox", "S1", {item("a", {action("invoice", 0), action("invoice", 1, 3)}), item("b")}, t0);
    EXPECT_EQ(added, 2u);
    EXPECT_THAT(s_->seen_among("mb", "inbox", {"a", "b", "c"}), ElementsAre("a", "b"));

    const auto due = s_->due_actions(t0, 10);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].event_id, "event-a");
    EXPECT_EQ(due[0].mailbox, "mb");
    EXPECT_EQ(due[0].folder, "inbox");
    EXPECT_EQ(due[0].item_id, "a");
    EXPECT_EQ(due[0].trigger, "invoice");
    EXPECT_EQ(due[0].action_index, 0);
    EXPECT_EQ(due[0].payload, R"({"kind":"run","index":0})");
    EXPECT_EQ(due[0].attempts, 0);
    EXPECT_EQ(due[0].max_attempts, 6);
    EXPECT_EQ(due[0].created, t0);
    EXPECT_EQ(due[0].next_attempt, t0);
    EXPECT_EQ(due[0].state, outbox_state::pending);
    EXPECT_EQ(due[0].last_error, "");
    EXPECT_EQ(due[1].action_index, 1);
    EXPECT_EQ(due[1].max_attempts, 3);
    EXPECT_NE(due[0].id, due[1].id);
    EXPECT_THAT(s_->due_actions(t0 - 1ms, 10), IsEmpty());
}

TEST_F(store_test, replayed_commit_enqueues_nothing_twice) {
    const std::vector<new_item> page{item("a", {action("t", 0), action("t", 1)}), item("b", {action("u", 0)})};
    EXPECT_EQ(s_->commit_sync("mb", "inbox", "S1", page, t0), 3u);
    // The same page again (a crash between commit and the next sync, or a
    // full resync): the sync state moves on, the outbox does not grow.
    EXPECT_EQ(s_->commit_sync("mb", "inbox", "S2", page, t0 + 1min), 0u);
    EXPECT_EQ(s_->sync_state("mb", "inbox"), "S2");
    EXPECT_EQ(s_->counts().pending, 3u);
    // Partly new page: only the new item's actions go in.
    EXPECT_EQ(s_->commit_sync("mb", "inbox", "S3", {item("b", {action("u", 0)}), item("c", {action("u", 0)})}, t0),
              1u);
    EXPECT_EQ(s_->counts().pending, 4u);
}

TEST_F(store_test, the_same_item_twice_in_one_page_is_enqueued_once) {
    EXPECT_EQ(s_->commit_sync("mb", "inbox", "S1", {item("a", {action("t", 0)}), item("a", {action("t", 0)})}, t0),
              1u);
}

TEST_F(store_test, the_same_item_id_in_another_folder_is_a_different_item) {
    s_->commit_sync("mb", "inbox", "S1", {item("a")}, t0);
    EXPECT_THAT(s_->seen_among("mb", "archive", {"a"}), IsEmpty());
    EXPECT_THAT(s_->seen_among("other", "inbox", {"a"}), IsEmpty());
}

TEST_F(store_test, seen_among_keeps_the_order_given) {
    s_->commit_sync("mb", "inbox", "S1", {item("x"), item("y"), item("z")}, t0);
    EXPECT_THAT(s_->seen_among("mb", "inbox", {"z", "new", "x", "y"}), ElementsAre("z", "x", "y"));
    EXPECT_THAT(s_->seen_among("mb", "inbox", {}), IsEmpty());
}

TEST_F(store_test, empty_sync_state_is_refused_and_nothing_is_written) {
    try {
        s_->commit_sync("mb", "inbox", "", {item("a", {action("t", 0)})}, t0);
        FAIL() << "an empty sync state was accepted";
    } catch (const store_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("empty sync state"));
        EXPECT_THAT(e.what(), HasSubstr("mailbox=mb folder=inbox"));
    }
    EXPECT_THAT(s_->seen_among("mb", "inbox", {"a"}), IsEmpty());
    EXPECT_EQ(s_->counts().pending, 0u);
}

// Group commit (watch/commit_batcher.hpp): pages of several mailboxes in
// one transaction, each counted as commit_sync would count it.
TEST_F(store_test, commit_syncs_writes_every_page_and_counts_each_apart) {
    const std::string a = "mb-a", b = "mb-b", inbox = "inbox", s1 = "S1", s2 = "S2";
    const std::vector<new_item> two{item("x", {action("t", 0), action("t", 1)})};
    const std::vector<new_item> one{item("y", {action("t", 0)}), item("z")};
    const auto added = s_->commit_syncs({{&a, &inbox, &s1, &two}, {&b, &inbox, &s2, &one}}, t0);
    EXPECT_THAT(added, ElementsAre(2u, 1u));
    EXPECT_EQ(s_->sync_state("mb-a", "inbox"), "S1");
    EXPECT_EQ(s_->sync_state("mb-b", "inbox"), "S2");
    EXPECT_THAT(s_->seen_among("mb-b", "inbox", {"y", "z"}), ElementsAre("y", "z"));
    EXPECT_EQ(s_->counts().pending, 3u);
    // A replayed page adds nothing, beside a new one that does.
    const std::string s3 = "S3";
    const std::vector<new_item> fresh{item("w", {action("t", 0)})};
    EXPECT_THAT(s_->commit_syncs({{&a, &inbox, &s3, &two}, {&a, &inbox, &s3, &fresh}}, t0), ElementsAre(0u, 1u));
}

TEST_F(store_test, commit_syncs_with_one_bad_page_writes_nothing) {
    const std::string a = "mb-a", b = "mb-b", inbox = "inbox", good = "S1", empty;
    const std::vector<new_item> items{item("x", {action("t", 0)})};
    EXPECT_THROW(s_->commit_syncs({{&a, &inbox, &good, &items}, {&b, &inbox, &empty, &items}}, t0), store_error);
    EXPECT_EQ(s_->sync_state("mb-a", "inbox"), std::nullopt);
    EXPECT_THAT(s_->seen_among("mb-a", "inbox", {"x"}), IsEmpty());
    EXPECT_EQ(s_->counts().pending, 0u);
}

TEST_F(store_test, item_without_ids_is_refused) {
    EXPECT_THROW(s_->commit_sync("mb", "inbox", "S", {new_item{"", "e", {}}}, t0), store_error);
    EXPECT_THROW(s_->commit_sync("mb", "inbox", "S", {new_item{"i", "", {}}}, t0), store_error);
    EXPECT_EQ(s_->sync_state("mb", "inbox"), std::nullopt);
}

TEST_F(store_test, a_failure_inside_commit_rolls_back_the_whole_batch) {
    s_->commit_sync("mb", "inbox", "S1", {item("a", {action("t", 0)})}, t0);
    // The second item's action violates a constraint after the first item
    // was already written inside the transaction.
    const std::vector<new_item> page{item("b", {action("t", 0)}), item("c", {action("t", 0, 0)})};
    try {
        s_->commit_sync("mb", "inbox", "S2", page, t0);
        FAIL() << "max_attempts = 0 was accepted";
    } catch (const store_error& e) {
        EXPECT_THAT(e.what(), HasSubstr((dir_.path() / "ewstrigd.db").string()));
        EXPECT_THAT(e.what(), HasSubstr("max_attempts"));
    }
    EXPECT_EQ(s_->sync_state("mb", "inbox"), "S1");
    EXPECT_THAT(s_->seen_among("mb", "inbox", {"a", "b", "c"}), ElementsAre("a"));
    EXPECT_EQ(s_->counts().pending, 1u);
    // The store stays usable after the rollback.
    EXPECT_EQ(s_->commit_sync("mb", "inbox", "S2", {item("b", {action("t", 0)})}, t0), 1u);
}

TEST_F(store_test, reset_sync_state_keeps_seen_items_so_a_resync_fires_nothing) {
    s_->commit_sync("mb", "inbox", "S1", {item("a", {action("t", 0)})}, t0);
    s_->commit_sync("mb", "archive", "A1", {}, t0);
    s_->reset_sync_state("mb", "inbox");
    EXPECT_EQ(s_->sync_state("mb", "inbox"), std::nullopt);
    EXPECT_EQ(s_->sync_state("mb", "archive"), "A1");
    EXPECT_THAT(s_->seen_among("mb", "inbox", {"a"}), ElementsAre("a"));
    EXPECT_EQ(s_->commit_sync("mb", "inbox", "fresh", {item("a", {action("t", 0)})}, t0 + 1h), 0u);
    EXPECT_EQ(s_->counts().pending, 1u);
    s_->reset_sync_state("mb", "never-synced");  // no-op, not an error
}

TEST_F(store_test, due_actions_earliest_first_up_to_the_limit) {
    const auto late = enqueue_one("late", 6, t0 + 2s);
    const auto early = enqueue_one("early", 6, t0);
    const auto middle = enqueue_one("middle", 6, t0 + 1s);
    auto ids = [](const std::vector<outbox_row>& rows) {
        std::vector<std::int64_t> out;
        for (const auto& r : rows) out.push_back(r.id);
        return out;
    };
    EXPECT_THAT(ids(s_->due_actions(t0 + 10s, 10)), ElementsAre(early, middle, late));
    EXPECT_THAT(ids(s_->due_actions(t0 + 10s, 2)), ElementsAre(early, middle));
    EXPECT_THAT(ids(s_->due_actions(t0 + 1s, 10)), ElementsAre(early, middle));
    EXPECT_THAT(s_->due_actions(t0 + 10s, 0), IsEmpty());
}

TEST_F(store_test, pick_pending_walks_pending_rows_in_due_order_and_returns_those_taken_whole) {
    const auto late = enqueue_one("late", 6, t0 + 2s);
    const auto early = enqueue_one("early", 6, t0);
    const auto middle = enqueue_one("middle", 6, t0 + 1s);
    const auto finished = enqueue_one("finished", 6, t0);
    s_->action_done(finished);
    std::vector<std::int64_t> shown;
    std::vector<clock::time_point> times;
    const auto taken = s_->pick_pending(10, [&](const pending_key& row) {
        shown.push_back(row.id);
        times.push_back(row.next_attempt);
        EXPECT_EQ(row.mailbox, "mb");
        EXPECT_EQ(row.trigger, "t");
        EXPECT_EQ(row.action_index, 0);
        if (row.id == early) return pick::skip;
        return row.id == middle ? pick::take : pick::stop;
    });
    // Due or not, earliest first; done rows are not shown; the walk ends at `stop`.
    EXPECT_THAT(shown, ElementsAre(early, middle, late));
    EXPECT_THAT(times, ElementsAre(t0, t0 + 1s, t0 + 2s));
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].id, middle);
    EXPECT_EQ(taken[0].item_id, "middle");
    EXPECT_EQ(taken[0].event_id, "event-middle");
    EXPECT_EQ(taken[0].payload, R"({"kind":"run","index":0})");
    EXPECT_EQ(taken[0].state, outbox_state::pending);
    shown.clear();
    s_->pick_pending(2, [&](const pending_key& row) {
        shown.push_back(row.id);
        return pick::skip;
    });
    EXPECT_THAT(shown, ElementsAre(early, middle)) << "the limit bounds the walk";
}

TEST_F(store_test, next_due_is_the_earliest_pending_row) {
    EXPECT_EQ(s_->next_due(), std::nullopt);
    const auto a = enqueue_one("a", 6, t0 + 5s);
    enqueue_one("b", 6, t0 + 9s);
    EXPECT_EQ(s_->next_due(), t0 + 5s);
    s_->action_failed(a, "timeout", t0 + 20s);
    EXPECT_EQ(s_->next_due(), t0 + 9s);
}

TEST_F(store_test, done_rows_leave_the_queue) {
    const auto id = enqueue_one("a");
    s_->action_done(id);
    EXPECT_THAT(s_->due_actions(clock::time_point::max(), 10), IsEmpty());
    EXPECT_EQ(s_->next_due(), std::nullopt);
    EXPECT_EQ(s_->counts().pending, 0u);
    EXPECT_EQ(s_->counts().dead, 0u);
    // A second outcome for a finished row (or an unknown id) changes nothing.
    s_->action_failed(id, "late report", t0);
    s_->action_done(987654);
    EXPECT_THAT(s_->due_actions(clock::time_point::max(), 10), IsEmpty());
    EXPECT_THAT(s_->dead_letters(10), IsEmpty());
}

TEST_F(store_test, failed_rows_retry_at_the_given_time_then_die_when_attempts_run_out) {
    const auto id = enqueue_one("a", 3);

    s_->action_failed(id, "exit status 1", t0 + 1min);
    EXPECT_THAT(s_->due_actions(t0 + 59s, 10), IsEmpty());
    auto due = s_->due_actions(t0 + 1min, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 1);
    EXPECT_EQ(due[0].last_error, "exit status 1");
    EXPECT_EQ(due[0].next_attempt, t0 + 1min);

    s_->action_failed(id, "exit status 2", t0 + 3min);
    due = s_->due_actions(t0 + 3min, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 2);
    EXPECT_EQ(s_->counts().pending, 1u);

    s_->action_failed(id, "exit status 3", t0 + 7min);  // third of three attempts
    EXPECT_THAT(s_->due_actions(clock::time_point::max(), 10), IsEmpty());
    EXPECT_EQ(s_->next_due(), std::nullopt);
    EXPECT_EQ(s_->counts().pending, 0u);
    EXPECT_EQ(s_->counts().dead, 1u);
    const auto dead = s_->dead_letters(10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].id, id);
    EXPECT_EQ(dead[0].state, outbox_state::dead);
    EXPECT_EQ(dead[0].attempts, 3);
    EXPECT_EQ(dead[0].last_error, "exit status 3");
}

TEST_F(store_test, single_attempt_action_dies_on_its_first_failure) {
    const auto id = enqueue_one("a", 1);
    s_->action_failed(id, "refused", t0 + 1min);
    EXPECT_EQ(s_->counts().dead, 1u);
}

TEST_F(store_test, action_dead_gives_up_at_once) {
    const auto id = enqueue_one("a", 6);
    s_->action_dead(id, "HTTP 400 from webhook");
    const auto dead = s_->dead_letters(10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].attempts, 1);
    EXPECT_EQ(dead[0].last_error, "HTTP 400 from webhook");
    EXPECT_EQ(s_->counts().pending, 0u);
}

TEST_F(store_test, requeue_puts_a_dead_row_back_with_fresh_attempts) {
    const auto id = enqueue_one("a", 2);
    const auto live = enqueue_one("b");
    s_->action_dead(id, "broken");
    EXPECT_TRUE(s_->requeue(id, t0 + 1h));
    EXPECT_EQ(s_->counts().dead, 0u);
    EXPECT_EQ(s_->counts().pending, 2u);
    const auto due = s_->due_actions(t0 + 1h, 10);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[1].id, id);
    EXPECT_EQ(due[1].attempts, 0);
    EXPECT_EQ(due[1].next_attempt, t0 + 1h);
    EXPECT_EQ(due[1].state, outbox_state::pending);
    // Its two attempts are available again.
    s_->action_failed(id, "again", t0 + 2h);
    EXPECT_EQ(s_->counts().dead, 0u);

    EXPECT_FALSE(s_->requeue(live, t0)) << "only dead rows are requeued";
    EXPECT_FALSE(s_->requeue(424242, t0));
}

TEST_F(store_test, requeue_all_dead_puts_back_every_dead_row_and_nothing_else) {
    const auto a = enqueue_one("a", 2);
    const auto b = enqueue_one("b", 2);
    const auto live = enqueue_one("c");
    const auto done = enqueue_one("d");
    s_->action_dead(a, "broken a");
    s_->action_failed(b, "x", t0);
    s_->action_failed(b, "broken b", t0);  // second of two attempts: dead
    s_->action_failed(live, "retry later", t0 + 1h);
    s_->action_done(done);
    ASSERT_EQ(s_->counts().dead, 2u);

    EXPECT_EQ(s_->requeue_all_dead(t0 + 2h), 2u);
    EXPECT_EQ(s_->counts().dead, 0u);
    EXPECT_EQ(s_->counts().pending, 3u);
    const auto due = s_->due_actions(t0 + 2h, 10);
    ASSERT_EQ(due.size(), 3u);
    EXPECT_EQ(due[0].id, live) << "a pending row keeps its attempts and time";
    EXPECT_EQ(due[0].attempts, 1);
    for (const auto& row : {due[1], due[2]}) {
        EXPECT_TRUE(row.id == a || row.id == b);
        EXPECT_EQ(row.attempts, 0);
        EXPECT_EQ(row.next_attempt, t0 + 2h);
        EXPECT_EQ(row.finished, std::nullopt);
    }
    EXPECT_EQ(s_->requeue_all_dead(t0 + 3h), 0u) << "nothing dead is left";
}

TEST_F(store_test, dead_rows_say_since_when_and_pending_rows_are_listed_due_or_not) {
    const auto a = enqueue_one("a");
    const auto b = enqueue_one("b");
    const auto before = std::chrono::floor<std::chrono::milliseconds>(clock::now());
    s_->action_dead(a, "gone");
    s_->action_failed(b, "busy", t0 + 1h);
    const auto dead = s_->dead_letters(10);
    ASSERT_EQ(dead.size(), 1u);
    ASSERT_TRUE(dead[0].finished.has_value());
    EXPECT_GE(*dead[0].finished, before);
    EXPECT_LE(*dead[0].finished, clock::now());
    // `outbox list` asks for every pending row, waiting for a retry or not.
    const auto pending = s_->due_actions(clock::time_point::max(), 10);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].id, b);
    EXPECT_EQ(pending[0].next_attempt, t0 + 1h);
    EXPECT_EQ(pending[0].last_error, "busy");
    EXPECT_EQ(pending[0].finished, std::nullopt);
}

TEST_F(store_test, counts_pending_and_dead_but_not_done) {
    EXPECT_EQ(s_->counts().pending, 0u);
    const auto a = enqueue_one("a");
    const auto b = enqueue_one("b");
    enqueue_one("c");
    enqueue_one("d");
    s_->action_done(a);
    s_->action_dead(b, "x");
    const auto c = s_->counts();
    EXPECT_EQ(c.pending, 2u);
    EXPECT_EQ(c.dead, 1u);
}

TEST_F(store_test, dead_letters_newest_first_up_to_the_limit) {
    const auto a = enqueue_one("a");
    const auto b = enqueue_one("b");
    const auto c = enqueue_one("c");
    s_->action_dead(a, "1");
    s_->action_dead(b, "2");
    s_->action_dead(c, "3");
    const auto dead = s_->dead_letters(2);
    ASSERT_EQ(dead.size(), 2u);
    // Same millisecond is possible: ties go to the later id.
    EXPECT_EQ(dead[0].id, c);
    EXPECT_EQ(dead[1].id, b);
}

TEST_F(store_test, prune_removes_old_seen_items_and_finished_done_rows_only) {
    const auto now = clock::now();
    const auto old_time = std::chrono::floor<std::chrono::milliseconds>(now - 240h);
    const auto new_time = std::chrono::floor<std::chrono::milliseconds>(now + 240h);
    s_->commit_sync("mb", "inbox", "S1",
                    {item("old-done", {action("t", 0)}), item("old-pending", {action("t", 0)}),
                     item("old-dead", {action("t", 0)}), item("old-plain")},
                    old_time);
    s_->commit_sync("mb", "inbox", "S2", {item("new")}, new_time);
    for (const auto& row : s_->due_actions(clock::time_point::max(), 10)) {
        if (row.item_id == "old-done") s_->action_done(row.id);
        if (row.item_id == "old-dead") s_->action_dead(row.id, "x");
    }

    EXPECT_EQ(s_->prune(old_time), 0u) << "cutoff is exclusive";
    // Everything seen at old_time goes (4 items), the done row finished
    // before the cutoff goes (1); pending, dead and newer rows stay.
    EXPECT_EQ(s_->prune(now + 24h), 5u);
    EXPECT_THAT(s_->seen_among("mb", "inbox", {"old-done", "old-pending", "old-dead", "old-plain", "new"}),
                ElementsAre("new"));
    const auto c = s_->counts();
    EXPECT_EQ(c.pending, 1u);
    EXPECT_EQ(c.dead, 1u);
    EXPECT_EQ(s_->sync_state("mb", "inbox"), "S2");
    EXPECT_EQ(s_->prune(now + 24h), 0u);
}

TEST_F(store_test, values_are_stored_verbatim_never_spliced_into_sql) {
    const std::string nasty = "x'); DROP TABLE outbox; --\"\n\t\xC3\xA9\xF0\x9F\x93\xA7";
    new_item it{nasty, nasty, {new_action{nasty, 0, nasty, 2}}};
    EXPECT_EQ(s_->commit_sync(nasty, nasty, nasty, {it}, t0), 1u);
    EXPECT_EQ(s_->sync_state(nasty, nasty), nasty);
    EXPECT_THAT(s_->seen_among(nasty, nasty, {nasty}), ElementsAre(nasty));
    const auto due = s_->due_actions(t0, 1);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].payload, nasty);
    EXPECT_EQ(due[0].trigger, nasty);
    EXPECT_EQ(due[0].mailbox, nasty);
    s_->action_dead(due[0].id, nasty);
    EXPECT_EQ(s_->dead_letters(1).at(0).last_error, nasty);
}

TEST_F(store_test, long_errors_are_clipped_on_a_character_boundary) {
    const auto id = enqueue_one("a");
    std::string error(4095, 'x');
    for (int i = 0; i < 1000; ++i) error += "\xC3\xA9";  // é straddles byte 4096
    s_->action_dead(id, error);
    const auto stored = s_->dead_letters(1).at(0).last_error;
    EXPECT_EQ(stored, std::string(4095, 'x'));
}

}  // namespace
}  // namespace ewstrigd::state
