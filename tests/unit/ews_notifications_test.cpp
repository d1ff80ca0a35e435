// ews/notifications on real GetStreamingEvents and GetEvents responses
// (tests/data/ews/SOURCES.md).
#include "ews/notifications.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using ews::connection_status;
using ews::event_type;
using ewstrigd::testing::decode_every_prefix;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_value;
using ewstrigd::testing::parse_sample;

namespace {
constexpr const char* item_id =
    "AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE+MVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAEN"
    "AADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA=";
constexpr const char* inbox_id =
    "AQMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwAuAAADUkllSq5hlEyRPjFSL6H4JQEA2RgAmUKUoEqcjZHsWHtm+wAAAgENAAAA";
}  // namespace

TEST(ews_notifications, streaming_created_newmail_modified) {
    const auto msgs = expect_value(ews::parse_events(parse_sample("getstreamingevents-created-newmail-modified.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].status.code, "NoError");
    EXPECT_EQ(msgs[0].connection, connection_status::none);
    ASSERT_EQ(msgs[0].notifications.size(), 1u);
    const auto& n = msgs[0].notifications[0];
    EXPECT_EQ(n.subscription_id, "f6bc657d-dde1-4f94-952d-143b95d6483d");
    EXPECT_EQ(n.previous_watermark, "");
    ASSERT_EQ(n.events.size(), 3u);
    EXPECT_EQ(n.events[0].type, event_type::created);
    EXPECT_EQ(n.events[1].type, event_type::new_mail);
    EXPECT_EQ(n.events[2].type, event_type::modified);
    for (std::size_t i : {0u, 1u}) {
        ASSERT_TRUE(n.events[i].item_id);
        EXPECT_EQ(n.events[i].item_id->id, item_id);
        EXPECT_EQ(n.events[i].item_id->change_key, "CQAAAA==");
        ASSERT_TRUE(n.events[i].parent_folder_id);
        EXPECT_EQ(n.events[i].parent_folder_id->id, inbox_id);
        EXPECT_EQ(n.events[i].timestamp, "2013-09-16T04:31:29Z");
        EXPECT_EQ(n.events[i].watermark, "");  // streaming events carry none
    }
    const auto& modified = n.events[2];
    EXPECT_FALSE(modified.item_id);
    ASSERT_TRUE(modified.folder_id);
    EXPECT_EQ(modified.folder_id->id, inbox_id);
    EXPECT_EQ(modified.unread_count, 1u);
    EXPECT_EQ(ews::to_string(modified.type), "ModifiedEvent");
}

TEST(ews_notifications, streaming_closed_frame) {
    const auto msgs =
        expect_value(ews::parse_events(parse_sample("getstreamingevents-closed-no-notifications.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].connection, connection_status::closed);
    EXPECT_TRUE(msgs[0].notifications.empty());
}

TEST(ews_notifications, streaming_error_frame_lists_failed_subscriptions) {
    const auto msgs = expect_value(
        ews::parse_events(parse_sample("getstreamingevents-error-invalidsubscription-errorsubscriptionids.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].status.code, "ErrorInvalidSubscription");
    EXPECT_EQ(msgs[0].error_subscription_ids,
              (std::vector<std::string>{"SomeErrorSubscriptionId_1", "SomeErrorSubscriptionId_2"}));
    EXPECT_EQ(msgs[0].connection, connection_status::closed);
}

TEST(ews_notifications, pull_events_with_watermarks) {
    const auto msgs = expect_value(ews::parse_events(parse_sample("getevents-response-two-newmail-watermarks.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    ASSERT_EQ(msgs[0].notifications.size(), 1u);
    const auto& n = msgs[0].notifications[0];
    EXPECT_EQ(n.subscription_id, "f6bc657d-dde1-4f94-952d-143b95d6483d");
    EXPECT_EQ(n.previous_watermark, "AAAAAMAGAAAAAAAAAQ==");
    EXPECT_EQ(n.more_events, false);
    ASSERT_EQ(n.events.size(), 2u);
    EXPECT_EQ(n.events[0].type, event_type::new_mail);
    EXPECT_EQ(n.events[0].watermark, "AAAAAM4GAAAAAAAAAQ==");
    EXPECT_EQ(n.events[0].item_id->id, "AQApAHR");
    EXPECT_EQ(n.events[1].watermark, "AAAAAOQGAAAAAAAAAQ==");
    EXPECT_EQ(n.events[1].item_id->id, "AQApAHRw");
    EXPECT_EQ(n.events[1].timestamp, "2006-08-22T01:00:50Z");
    EXPECT_EQ(n.events[1].parent_folder_id->id, "AQApAH");
}

TEST(ews_notifications, every_event_type_and_moved_fields) {
    // Hand-written from types.xsd (NotificationType, MovedCopiedEventType):
    // no real sample shows Moved/Copied/Deleted/Status/FreeBusyChanged events.
    const auto r = std::get<ews::response>(ews::response::parse(
        R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
        <m:GetStreamingEventsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
            xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>
        <m:GetStreamingEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>
        <m:Notifications><m:Notification><t:SubscriptionId>S1</t:SubscriptionId>
          <t:MovedEvent><t:TimeStamp>T1</t:TimeStamp><t:ItemId Id="new" ChangeKey="k"/><t:ParentFolderId Id="dst"/>
            <t:OldItemId Id="old"/><t:OldParentFolderId Id="src"/></t:MovedEvent>
          <t:CopiedEvent><t:TimeStamp>T2</t:TimeStamp><t:FolderId Id="f2"/><t:ParentFolderId Id="p"/>
            <t:OldFolderId Id="f1"/><t:OldParentFolderId Id="p0"/></t:CopiedEvent>
          <t:DeletedEvent><t:TimeStamp>T3</t:TimeStamp><t:ItemId Id="gone"/><t:ParentFolderId Id="p"/></t:DeletedEvent>
          <t:StatusEvent><t:Watermark>W</t:Watermark></t:StatusEvent>
          <t:FreeBusyChangedEvent><t:TimeStamp>T4</t:TimeStamp><t:ItemId Id="cal"/><t:ParentFolderId Id="c"/></t:FreeBusyChangedEvent>
          <x:NewMailEvent xmlns:x="urn:other"><t:ItemId Id="foreign"/></x:NewMailEvent>
        </m:Notification></m:Notifications><m:ConnectionStatus>OK</m:ConnectionStatus>
        </m:GetStreamingEventsResponseMessage></m:ResponseMessages></m:GetStreamingEventsResponse></s:Body></s:Envelope>)"));
    const auto msgs = expect_value(ews::parse_events(r));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].connection, connection_status::ok);
    const auto& ev = msgs[0].notifications.at(0).events;
    ASSERT_EQ(ev.size(), 5u);  // the NewMailEvent in another namespace is not an event
    EXPECT_EQ(ev[0].type, event_type::moved);
    EXPECT_EQ(ev[0].item_id->id, "new");
    EXPECT_EQ(ev[0].old_item_id->id, "old");
    EXPECT_EQ(ev[0].old_parent_folder_id->id, "src");
    EXPECT_EQ(ev[1].type, event_type::copied);
    EXPECT_EQ(ev[1].old_folder_id->id, "f1");
    EXPECT_EQ(ev[2].type, event_type::deleted);
    EXPECT_EQ(ev[3].type, event_type::status);
    EXPECT_EQ(ev[3].watermark, "W");
    EXPECT_EQ(ev[4].type, event_type::free_busy_changed);
}

TEST(ews_notifications, other_operations_are_errors) {
    EXPECT_NE(expect_error(ews::parse_events(parse_sample("subscribe-pull-response-watermark.xml")))
                  .find("not a GetStreamingEvents/GetEvents response"),
              std::string::npos);
}

TEST(ews_notifications, every_truncation_fails_cleanly_or_parses) {
    for (const char* name : {"getstreamingevents-created-newmail-modified.xml",
                             "getstreamingevents-error-invalidsubscription-errorsubscriptionids.xml",
                             "getevents-response-two-newmail-watermarks.xml"}) {
        const auto parsed = decode_every_prefix(name, [](const ews::response& r) {
            const auto msgs = expect_value(ews::parse_events(r));
            EXPECT_EQ(msgs.size(), 1u);
        });
        EXPECT_GE(parsed, 1u) << name;
    }
}
