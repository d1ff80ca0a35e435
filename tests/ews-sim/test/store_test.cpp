#include "store.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ewstrigd::sim {
namespace {

using test::sample_message;
using test::t0;

TEST(store, mailboxes_are_created_on_first_use_with_standard_folders) {
    store st;
    auto& mb = st.open_mailbox("User0@Example.com");
    EXPECT_EQ(mb.address, "user0@example.com");
    EXPECT_EQ(&st.open_mailbox("user0@example.com"), &mb);
    ASSERT_NE(mb.find_folder_by_name("inbox"), nullptr);
    EXPECT_EQ(mb.find_folder_by_name("Inbox"), mb.find_folder_by_name("inbox"));
    EXPECT_EQ(mb.find_folder_by_name("inbox")->parent_id, mb.find_folder_by_name("msgfolderroot")->id);
    EXPECT_EQ(st.find_mailbox("nobody@example.com"), nullptr);
}

TEST(store, sync_pages_through_changes_and_resumes_from_the_state) {
    store st;
    auto& mb = st.open_mailbox("a@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    for (int i = 0; i < 5; ++i) st.deliver(mb, inbox, sample_message("m" + std::to_string(i)), t0());

    auto first = std::get<sync_page>(st.sync_items(mb, inbox, "", 2));
    ASSERT_EQ(first.changes.size(), 2u);
    EXPECT_FALSE(first.includes_last_item_in_range);
    EXPECT_EQ(first.changes[0].kind, change_kind::create);
    auto second = std::get<sync_page>(st.sync_items(mb, inbox, first.sync_state, 10));
    EXPECT_EQ(second.changes.size(), 3u);
    EXPECT_TRUE(second.includes_last_item_in_range);
    auto none = std::get<sync_page>(st.sync_items(mb, inbox, second.sync_state, 10));
    EXPECT_TRUE(none.changes.empty());
    EXPECT_TRUE(none.includes_last_item_in_range);
}

TEST(store, read_flag_and_move_show_up_as_their_own_sync_changes) {
    store st;
    auto& mb = st.open_mailbox("a@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    const auto trash = mb.find_folder_by_name("deleteditems")->id;
    const auto id = st.deliver(mb, inbox, sample_message(), t0()).id;
    const auto state = std::get<sync_page>(st.sync_items(mb, inbox, "", 100)).sync_state;

    ASSERT_TRUE(std::holds_alternative<const stored_item*>(st.set_read(mb, id, true, t0())));
    auto page = std::get<sync_page>(st.sync_items(mb, inbox, state, 100));
    ASSERT_EQ(page.changes.size(), 1u);
    EXPECT_EQ(page.changes[0].kind, change_kind::read_flag_change);

    auto moved = st.move(mb, id, trash, t0());
    ASSERT_TRUE(std::holds_alternative<const stored_item*>(moved));
    EXPECT_NE(std::get<const stored_item*>(moved)->id, id);  // ids change on move, as in Exchange
    page = std::get<sync_page>(st.sync_items(mb, inbox, page.sync_state, 100));
    ASSERT_EQ(page.changes.size(), 1u);
    EXPECT_EQ(page.changes[0].kind, change_kind::remove);
    EXPECT_EQ(page.changes[0].item_id, id);
    EXPECT_EQ(std::get<store_error>(st.move(mb, id, trash, t0())).code, "ErrorItemNotFound");
}

TEST(store, invalid_and_invalidated_sync_states_are_refused) {
    store st;
    auto& mb = st.open_mailbox("a@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    EXPECT_EQ(std::get<store_error>(st.sync_items(mb, inbox, "bm90IGEgc3RhdGU=", 10)).code, "ErrorInvalidSyncStateData");
    const auto state = std::get<sync_page>(st.sync_items(mb, inbox, "", 10)).sync_state;
    st.invalidate_sync_states("A@example.com");
    EXPECT_EQ(std::get<store_error>(st.sync_items(mb, inbox, state, 10)).code, "ErrorInvalidSyncStateData");
}

TEST(store, subscriptions_queue_matching_events_only) {
    store st;
    auto& mb = st.open_mailbox("a@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    const auto drafts = mb.find_folder_by_name("drafts")->id;
    auto* s = std::get<subscription*>(st.subscribe(mb, {subscription_kind::streaming, false, {inbox}, {"NewMailEvent"}, {}, {}}, t0()));
    const auto sid = s->id;
    st.deliver(mb, drafts, sample_message(), t0());
    st.deliver(mb, inbox, sample_message(), t0());
    auto events = st.take_events(*st.find_subscription(sid, t0()), 50);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, event_kind::new_mail);
    EXPECT_EQ(events[0].parent_folder_id, inbox);
    EXPECT_EQ(st.expire_subscriptions(std::nullopt), 1u);
    EXPECT_EQ(st.find_subscription(sid, t0()), nullptr);
}

TEST(store, changed_subscriptions_name_the_streams_to_wake) {
    store st;
    auto& a = st.open_mailbox("a@example.com");
    auto& b = st.open_mailbox("b@example.com");
    const auto subscribe = [&](mailbox& mb) {
        return std::get<subscription*>(st.subscribe(mb, {subscription_kind::streaming, true, {}, {}, {}, {}}, t0()))->id;
    };
    const auto sa = subscribe(a);
    const auto sb = subscribe(b);
    EXPECT_TRUE(st.take_changed_subscriptions().empty());
    st.deliver(a, a.find_folder_by_name("inbox")->id, sample_message(), t0());
    auto changed = st.take_changed_subscriptions();
    EXPECT_FALSE(changed.empty());
    EXPECT_TRUE(std::all_of(changed.begin(), changed.end(), [&](const auto& id) { return id == sa; }));
    EXPECT_TRUE(st.take_changed_subscriptions().empty());  // taken once
    st.expire_subscriptions("b@example.com");
    EXPECT_EQ(st.take_changed_subscriptions(), std::vector<std::string>{sb});
    st.unsubscribe(sa);
    EXPECT_EQ(st.take_changed_subscriptions(), std::vector<std::string>{sa});
}

TEST(store, pull_subscriptions_resume_after_a_watermark_and_expire_when_idle) {
    store st;
    auto& mb = st.open_mailbox("a@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    st.deliver(mb, inbox, sample_message("old"), t0());
    const auto mark = st.current_watermark(mb);
    st.deliver(mb, inbox, sample_message("new"), t0());
    subscribe_request req{subscription_kind::pull, false, {inbox}, {"NewMailEvent"}, mark, std::chrono::minutes(5)};
    auto* s = std::get<subscription*>(st.subscribe(mb, req, t0()));
    ASSERT_EQ(s->pending.size(), 1u);
    EXPECT_EQ(st.find_item(mb, s->pending.front().item_id)->msg.subject, "new");
    const auto sid = s->id;
    EXPECT_EQ(st.find_subscription(sid, t0() + std::chrono::minutes(6)), nullptr);

    req.watermark = "Ym9ndXM=";
    EXPECT_EQ(std::get<store_error>(st.subscribe(mb, req, t0())).code, "ErrorInvalidWatermark");
}

}  // namespace
}  // namespace ewstrigd::sim
