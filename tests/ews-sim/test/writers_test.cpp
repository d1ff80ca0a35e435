// The XML the simulator writes, read back with the daemon's parsers.
#include "ews/notifications.hpp"
#include "ews/subscribe.hpp"
#include "soap_writer.hpp"
#include "stream_frames.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::sim {
namespace {

using test::ok;
using test::parse_response;
using test::sample_message;
using test::t0;

TEST(soap_writer, subscribe_response_parses_with_parse_subscribe) {
    const auto xml = response_document(
        "Subscribe", response_message("Subscribe", {}, m_element("SubscriptionId", "c3ViLTE=") + m_element("Watermark", "d20=")));
    const auto subs = ok(ews::parse_subscribe(parse_response(xml)));
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(subs[0].subscription_id, "c3ViLTE=");
    EXPECT_EQ(subs[0].watermark, "d20=");
}

TEST(soap_writer, error_messages_carry_class_code_and_text) {
    const auto xml = response_document("GetItem", response_message("GetItem", {"ErrorItemNotFound", "gone & lost"}, "<m:Items/>"));
    const auto r = parse_response(xml);
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_EQ(r.messages()[0].klass, ews::response_class::error);
    EXPECT_EQ(r.messages()[0].code, "ErrorItemNotFound");
    EXPECT_EQ(r.messages()[0].message_text, "gone & lost");
}

TEST(soap_writer, server_busy_fault_has_backoff) {
    const auto r = parse_response(soap_fault("ErrorServerBusy", "busy", {{"BackOffMilliseconds", "1234"}}));
    ASSERT_TRUE(r.fault());
    EXPECT_EQ(r.fault()->code, "ErrorServerBusy");
    EXPECT_EQ(r.fault()->back_off_ms(), 1234u);
}

TEST(stream_frames, keepalive_and_closed_frames_parse_with_parse_events) {
    const auto ka = ok(ews::parse_events(parse_response(std::string(xml_declaration) + keepalive_frame())));
    ASSERT_EQ(ka.size(), 1u);
    EXPECT_EQ(ka[0].connection, ews::connection_status::ok);
    const auto closed = ok(ews::parse_events(parse_response(closed_frame())));
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].connection, ews::connection_status::closed);
}

TEST(stream_frames, delivered_mail_becomes_created_newmail_modified_events) {
    store st;
    auto& mb = st.open_mailbox("user0@example.com");
    const auto inbox = mb.find_folder_by_name("inbox")->id;
    const auto sid = std::get<subscription*>(st.subscribe(mb, {subscription_kind::streaming, false, {inbox}, {}, {}, {}}, t0()))->id;
    EXPECT_TRUE(poll_stream(st, {sid}, t0()).frame.empty());
    const auto item_id = st.deliver(mb, inbox, sample_message(), t0()).id;

    const auto poll = poll_stream(st, {sid}, t0());
    EXPECT_FALSE(poll.ended);
    const auto msgs = ok(ews::parse_events(parse_response(poll.frame)));
    ASSERT_EQ(msgs.size(), 1u);
    ASSERT_EQ(msgs[0].notifications.size(), 1u);
    const auto& n = msgs[0].notifications[0];
    EXPECT_EQ(n.subscription_id, sid);
    ASSERT_EQ(n.events.size(), 3u);
    EXPECT_EQ(n.events[0].type, ews::event_type::created);
    EXPECT_EQ(n.events[1].type, ews::event_type::new_mail);
    ASSERT_TRUE(n.events[1].item_id);
    EXPECT_EQ(n.events[1].item_id->id, item_id);
    EXPECT_EQ(n.events[1].timestamp, "2024-03-18T00:00:00Z");
    EXPECT_EQ(n.events[2].type, ews::event_type::modified);
    EXPECT_EQ(n.events[2].unread_count, 1u);
}

TEST(stream_frames, vanished_subscription_ends_the_stream_with_its_id) {
    store st;
    st.open_mailbox("user0@example.com");
    const auto poll = poll_stream(st, {"bm9uZQ=="}, t0());
    EXPECT_TRUE(poll.ended);
    const auto msgs = ok(ews::parse_events(parse_response(poll.frame)));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].status.code, "ErrorSubscriptionNotFound");
    EXPECT_EQ(msgs[0].error_subscription_ids, std::vector<std::string>{"bm9uZQ=="});
    EXPECT_EQ(msgs[0].connection, ews::connection_status::closed);
}

}  // namespace
}  // namespace ewstrigd::sim
