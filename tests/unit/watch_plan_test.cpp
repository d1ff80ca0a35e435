// The pure parts of the watch loop: which parts of a message are fetched,
// event ids, and which outbox rows a message produces.
#include "watch_fakes.hpp"

#include "actions/payload.hpp"
#include "watch/plan.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::testing {
namespace {

config::config with_triggers(const std::string& triggers) {
    return load_test_config(R"(state_dir: /x
mailboxes:
  - { id: mb, address: a@b.example, auth: { kind: basic, username: u, password: p }, watch: { folders: [inbox, archive] } }
triggers:
)" + triggers);
}

TEST(watch_plan, fetches_only_what_conditions_and_actions_use) {
    auto cfg = with_triggers(R"(  - { name: a, mailbox: mb, when: { subject: x }, actions: [ { log: "{{subject}}" } ] }
)");
    auto f = watch::fields_needed(watch::triggers_of(cfg, "mb"), "inbox");
    EXPECT_FALSE(f.body || f.internet_headers || f.attachments || f.categories);

    cfg = with_triggers(R"(  - { name: a, mailbox: mb, folder: inbox, when: { body: { contains: x } }, actions: [ { log: hi } ] }
  - { name: b, mailbox: mb, folder: archive, when: { header: { name: X-A } }, actions: [ { log: hi } ] }
  - { name: c, mailbox: mb, when: { any: [ { attachment_name: "*.pdf" }, { categories: Red } ] }, actions: [ { log: hi } ] }
)");
    f = watch::fields_needed(watch::triggers_of(cfg, "mb"), "inbox");
    EXPECT_TRUE(f.body);
    EXPECT_FALSE(f.internet_headers);  // trigger b looks at another folder
    EXPECT_TRUE(f.attachments);
    EXPECT_TRUE(f.categories);
    f = watch::fields_needed(watch::triggers_of(cfg, "mb"), "ARCHIVE");
    EXPECT_FALSE(f.body);
    EXPECT_TRUE(f.internet_headers);
}

TEST(watch_plan, action_templates_and_webhooks_ask_for_their_fields) {
    auto cfg = with_triggers(R"(  - { name: a, mailbox: mb, when: { subject: x }, actions: [ { run: ["/bin/echo", "{{attachments}}"] } ] }
)");
    EXPECT_TRUE(watch::fields_needed(watch::triggers_of(cfg, "mb"), "inbox").attachments);
    cfg = with_triggers(R"(  - { name: a, mailbox: mb, when: { subject: x }, actions: [ { webhook: "https://h.example/x" } ] }
)");
    auto f = watch::fields_needed(watch::triggers_of(cfg, "mb"), "inbox");
    EXPECT_TRUE(f.body && f.attachments);
}

TEST(watch_plan, mail_out_actions_fetch_only_what_they_send) {
    const auto fields = [](const char* action) {
        return watch::fields_needed(
            watch::triggers_of(with_triggers(std::string("  - { name: a, mailbox: mb, when: { subject: x }, actions: [ ") +
                                             action + " ] }\n"),
                               "mb"),
            "inbox");
    };
    auto f = fields("{ reply: { body: 'Thanks' } }");  // the original quoted below: its text
    EXPECT_TRUE(f.internet_headers && f.body);
    EXPECT_FALSE(f.attachments);
    f = fields("{ reply: { body: 'Thanks', keep_quote: false } }");
    EXPECT_TRUE(f.internet_headers);
    EXPECT_FALSE(f.body || f.attachments) << "nothing quoted, nothing of the text needed";
    f = fields("{ forward: { to: a@contoso.example } }");
    EXPECT_TRUE(f.internet_headers && f.body);
    EXPECT_FALSE(f.attachments);
    f = fields("{ send: { to: a@contoso.example, subject: 'New', body: 'Files: {{attachments}}' } }");
    EXPECT_TRUE(f.internet_headers && f.attachments);
    EXPECT_FALSE(f.body);
}

TEST(watch_plan, event_ids_are_stable_and_distinct) {
    const auto id = watch::event_id_of("mb", "inbox", "AAMkAD=");
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id, watch::event_id_of("mb", "inbox", "AAMkAD="));
    EXPECT_NE(id, watch::event_id_of("mb", "archive", "AAMkAD="));
    EXPECT_NE(id, watch::event_id_of("mb2", "inbox", "AAMkAD="));
    // The separator keeps ("a","bc") and ("ab","c") apart.
    EXPECT_NE(watch::event_id_of("a", "bc", "x"), watch::event_id_of("ab", "c", "x"));
    // Known value: a change of the formula would break receivers' deduplication.
    EXPECT_EQ(watch::event_id_of("mb", "inbox", "1"), "600a024cc3e5e6ae623b0b3ec32d4291");
}

TEST(watch_plan, every_matching_trigger_enqueues_all_its_actions_in_order) {
    auto cfg = with_triggers(R"(  - { name: first, mailbox: mb, when: { subject: { regex: 'No (?P<n>\d+)' } }, actions: [ { log: a }, { log: b } ] }
  - { name: second, mailbox: mb, when: { subject: "*" }, actions: [ { log: c } ] }
  - { name: elsewhere, mailbox: mb, folder: archive, when: { subject: "*" }, actions: [ { log: d } ] }
)");
    match::message m;
    m.item_id = "i1";
    m.subject = "No 5";
    m.folder = "inbox";
    const auto item = watch::plan_item(watch::triggers_of(cfg, "mb"), "mb", "inbox", m, {});
    EXPECT_EQ(item.item_id, "i1");
    EXPECT_EQ(item.event_id, watch::event_id_of("mb", "inbox", "i1"));
    ASSERT_EQ(item.actions.size(), 3u);
    EXPECT_EQ(item.actions[0].trigger, "first");
    EXPECT_EQ(item.actions[1].action_index, 1);
    EXPECT_EQ(item.actions[2].trigger, "second");
    auto p = actions::decode_payload(item.actions[0].payload);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->captures.at("n"), "5");
    EXPECT_TRUE(actions::decode_payload(item.actions[2].payload)->captures.empty());
}

}  // namespace
}  // namespace ewstrigd::testing
