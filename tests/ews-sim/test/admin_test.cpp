#include "admin_api.hpp"
#include "ews/notifications.hpp"
#include "outgoing_mail.hpp"
#include "stream_frames.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ewstrigd::sim {
namespace {

using nlohmann::json;

struct fake_streams final : stream_control {
    void events_queued() override { ++wakes; }
    std::uint64_t apply_to_open_streams(const fault& f) override {
        const auto n = std::min<std::uint64_t>(f.count, open);
        hit += n;
        return n;
    }
    std::size_t open_streams() const override { return open; }
    int wakes = 0;
    std::uint64_t open = 0;
    std::uint64_t hit = 0;
};

struct admin_fixture : ::testing::Test {
    store st;
    fault_list faults;
    stats counters;
    fake_streams streams;
    admin_api api{st, faults, counters, streams};

    admin_reply call(std::string_view method, std::string_view target, std::string_view body = "",
                     std::string_view content_type = "application/json") {
        return api.handle(method, target, content_type, body, test::t0());
    }
};

TEST_F(admin_fixture, deliver_json_then_list) {
    const auto r = call("POST", "/admin/mailboxes/user0%40example.com/folders/inbox/messages",
                        R"({"from":"Bob <bob@x.example>","to":["user0@example.com"],"subject":"Hi","body":"b",
                            "importance":"high","headers":{"X-A":"1"},
                            "attachments":[{"name":"a.pdf","content_type":"application/pdf","content_base64":"JVBERg=="}]})");
    ASSERT_EQ(r.status, 201u) << r.body;
    const auto id = json::parse(r.body).at("item_id").get<std::string>();
    EXPECT_EQ(streams.wakes, 1);
    const auto* item = st.find_item(*st.find_mailbox("user0@example.com"), id);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(item->msg.importance, "High");
    EXPECT_EQ(item->msg.attachments.at(0).content, "%PDF");

    const auto list = call("GET", "/admin/mailboxes/user0@example.com/folders/inbox/messages");
    ASSERT_EQ(list.status, 200u);
    const auto j = json::parse(list.body);
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["item_id"], id);
    EXPECT_EQ(j[0]["subject"], "Hi");
    EXPECT_EQ(j[0]["from"], "bob@x.example");
    EXPECT_EQ(j[0]["is_read"], false);
    EXPECT_EQ(j[0]["received"], "2024-03-18T00:00:00Z");
}

TEST_F(admin_fixture, deliver_raw_rfc822) {
    const auto r = call("POST", "/admin/mailboxes/a@example.com/folders/inbox/messages",
                        "From: Ann <ann@example.com>\r\nTo: a@example.com\r\nSubject: Raw one\r\n"
                        "Message-ID: <raw-1@example.com>\r\n\r\nhello\r\n",
                        "message/rfc822");
    ASSERT_EQ(r.status, 201u) << r.body;
    const auto list = json::parse(call("GET", "/admin/mailboxes/a@example.com/folders/inbox/messages").body);
    EXPECT_EQ(list.at(0)["subject"], "Raw one");
    EXPECT_EQ(list.at(0)["from"], "ann@example.com");
}

TEST_F(admin_fixture, sent_mail_is_listed_with_recipients_and_headers) {
    auto& mb = st.open_mailbox("user0@example.com");
    message m;
    m.subject = "Ack";
    m.from = {"", "user0@example.com"};
    m.to = {{"", "user1@example.com"}, {"", "far@elsewhere.test"}};
    m.bcc = {{"", "audit@example.com"}};
    m.headers = {{"X-Ewstrigd-Event", "ev-9"}};
    send_message(st, mb, m, mb.find_folder_by_name("sentitems")->id, test::t0());

    const auto sent = json::parse(call("GET", "/admin/mailboxes/user0@example.com/sent").body);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["subject"], "Ack");
    EXPECT_EQ(sent[0]["bcc"], json::array({"audit@example.com"}));
    EXPECT_EQ(sent[0]["delivered_to"], json::array({"user1@example.com", "audit@example.com"}));
    EXPECT_EQ(sent[0]["external"], json::array({"far@elsewhere.test"}));
    EXPECT_EQ(sent[0]["headers"]["X-Ewstrigd-Event"], "ev-9");

    const auto copy = json::parse(call("GET", "/admin/mailboxes/user0@example.com/folders/Sent%20Items/messages").body);
    ASSERT_EQ(copy.size(), 1u);
    EXPECT_EQ(copy[0]["message_id"], sent[0]["message_id"]);
    EXPECT_EQ(copy[0]["is_read"], true);
    const auto inbox = json::parse(call("GET", "/admin/mailboxes/user1@example.com/folders/inbox/messages").body);
    ASSERT_EQ(inbox.size(), 1u);
    EXPECT_EQ(inbox[0]["to"], json::array({"user1@example.com", "far@elsewhere.test"}));
    EXPECT_EQ(inbox[0]["bcc"], json::array());
    EXPECT_EQ(inbox[0]["headers"]["X-Ewstrigd-Event"], "ev-9");
    EXPECT_EQ(call("GET", "/admin/mailboxes/nobody@example.com/sent").status, 404u);
    EXPECT_EQ(call("POST", "/admin/mailboxes/user0@example.com/sent").status, 405u);
}

TEST_F(admin_fixture, bad_requests_are_json_errors) {
    EXPECT_EQ(call("POST", "/admin/mailboxes/a@example.com/folders/inbox/messages", "{").status, 400u);
    EXPECT_EQ(call("POST", "/admin/mailboxes/a@example.com/folders/inbox/messages",
                   R"({"attachments":[{"name":"x","content_base64":"!!"}]})").status, 400u);
    EXPECT_EQ(call("GET", "/admin/mailboxes/none@example.com/folders/inbox/messages").status, 404u);
    EXPECT_EQ(call("GET", "/admin/nothing").status, 404u);
    EXPECT_EQ(call("PUT", "/admin/faults").status, 405u);
    EXPECT_EQ(call("POST", "/admin/faults", R"({"kind":"bogus"})").status, 400u);
}

TEST_F(admin_fixture, faults_apply_to_open_streams_first_then_wait) {
    streams.open = 1;
    auto r = call("POST", "/admin/faults", R"({"kind":"drop-streams","count":3})");
    ASSERT_EQ(r.status, 201u);
    EXPECT_EQ(json::parse(r.body)["applied_now"], 1);
    ASSERT_EQ(faults.pending().size(), 1u);
    EXPECT_EQ(faults.pending()[0].count, 2u);
    call("POST", "/admin/faults", R"({"kind":"server-busy","backoff_ms":10})");
    EXPECT_EQ(faults.pending().size(), 2u);
    EXPECT_EQ(call("DELETE", "/admin/faults").status, 200u);
    EXPECT_TRUE(faults.pending().empty());
}

TEST_F(admin_fixture, state_faults_act_at_once) {
    auto& mb = st.open_mailbox("a@example.com");
    st.subscribe(mb, {}, test::t0());
    call("POST", "/admin/faults", R"({"kind":"expire-subscriptions","mailbox":"a@example.com"})");
    EXPECT_EQ(st.subscription_count(), 0u);
    EXPECT_TRUE(faults.pending().empty());
}

TEST_F(admin_fixture, notify_rings_every_subscription_of_the_folder_without_delivering_mail) {
    auto& mb = st.open_mailbox("user0@example.com");
    auto& other = st.open_mailbox("user1@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    st.deliver(mb, inbox, test::sample_message("older"), test::t0());
    const auto newest = st.deliver(mb, inbox, test::sample_message("newest"), test::t0()).id;
    const auto subscribe = [&](mailbox& box, subscription_kind kind, std::string_view folder) {
        const auto id = box.find_folder_by_name(folder)->id;
        return std::get<subscription*>(st.subscribe(box, {kind, false, {id}, {}, {}, {}}, test::t0()))->id;
    };
    const auto streaming = subscribe(mb, subscription_kind::streaming, "inbox");
    const auto pull = subscribe(mb, subscription_kind::pull, "inbox");
    const auto drafts = subscribe(mb, subscription_kind::streaming, "drafts");
    const auto other_inbox = subscribe(other, subscription_kind::streaming, "inbox");

    const auto r = call("POST", "/admin/mailboxes/user0%40example.com/folders/inbox/notify", R"({"count":3})");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body), (json{{"item_id", newest}, {"events", 3}, {"subscriptions", 2}}));
    EXPECT_EQ(streams.wakes, 1);

    // One grouped stream serving both mailboxes: three NewMailEvents for user0's Inbox, nothing for user1's.
    const auto frame = test::ok(ews::parse_events(test::parse_response(poll_stream(st, {streaming, other_inbox}, test::t0()).frame)));
    ASSERT_EQ(frame.size(), 1u);
    ASSERT_EQ(frame[0].notifications.size(), 1u);
    EXPECT_EQ(frame[0].notifications[0].subscription_id, streaming);
    ASSERT_EQ(frame[0].notifications[0].events.size(), 3u);
    for (const auto& e : frame[0].notifications[0].events) {
        EXPECT_EQ(e.type, ews::event_type::new_mail);
        ASSERT_TRUE(e.item_id);
        EXPECT_EQ(e.item_id->id, newest);
    }
    const auto pulled = st.take_events(*st.find_subscription(pull, test::t0()), 50);
    ASSERT_EQ(pulled.size(), 3u);
    EXPECT_EQ(pulled[2].kind, event_kind::new_mail);
    EXPECT_TRUE(st.find_subscription(drafts, test::t0())->pending.empty());
    // No mail arrived: a sync from the old state finds nothing new.
    const auto listed = json::parse(call("GET", "/admin/mailboxes/user0@example.com/folders/inbox/messages").body);
    EXPECT_EQ(listed.size(), 2u);

    // No body: one notification.
    EXPECT_EQ(json::parse(call("POST", "/admin/mailboxes/user0@example.com/folders/inbox/notify", "").body)["events"], 1);
}

TEST_F(admin_fixture, notify_refuses_empty_folders_unknown_mailboxes_and_bad_counts) {
    st.open_mailbox("user0@example.com");
    EXPECT_EQ(call("POST", "/admin/mailboxes/user0@example.com/folders/inbox/notify").status, 409u);
    EXPECT_EQ(call("POST", "/admin/mailboxes/nobody@example.com/folders/inbox/notify").status, 404u);
    EXPECT_EQ(call("POST", "/admin/mailboxes/user0@example.com/folders/nowhere/notify").status, 404u);
    call("POST", "/admin/mailboxes/user0@example.com/folders/inbox/messages", R"({"subject":"x"})");
    for (const auto* body : {R"({"count":0})", R"({"count":10001})", R"({"count":"3"})", R"({"count":-1})", "[1]", "{"})
        EXPECT_EQ(call("POST", "/admin/mailboxes/user0@example.com/folders/inbox/notify", body).status, 400u) << body;
    EXPECT_EQ(call("GET", "/admin/mailboxes/user0@example.com/folders/inbox/notify").status, 405u);
    EXPECT_EQ(streams.wakes, 1);  // the delivery's only
}

TEST_F(admin_fixture, stats_report_counters) {
    counters.requests_by_operation["GetFolder"] = 2;
    streams.open = 1;
    const auto j = json::parse(call("GET", "/admin/stats").body);
    EXPECT_EQ(j["requests_by_operation"]["GetFolder"], 2);
    EXPECT_EQ(j["open_streaming_connections"], 1);
    EXPECT_EQ(j["subscriptions"], 0);
}

}  // namespace
}  // namespace ewstrigd::sim
