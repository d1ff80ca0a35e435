// ews/sync on the docs' SyncFolderItems responses (tests/data/ews/SOURCES.md).
#include "ews/sync.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using ews::change_kind;
using ewstrigd::testing::decode_every_prefix;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_value;
using ewstrigd::testing::parse_sample;

TEST(ews_sync, create_meeting_request) {
    const auto msgs = expect_value(
        ews::parse_sync_folder_items(parse_sample("syncfolderitems-response-create-meetingrequest.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].sync_state, "H4sIAAAAA=");
    EXPECT_EQ(msgs[0].includes_last_item_in_range, true);
    ASSERT_EQ(msgs[0].changes.size(), 1u);
    const auto& c = msgs[0].changes[0];
    EXPECT_EQ(c.kind, change_kind::create);
    EXPECT_EQ(ews::to_string(c.kind), "Create");
    ASSERT_TRUE(c.item_id);
    EXPECT_EQ(c.item_id->id, "AQApAHRwA==");
    EXPECT_EQ(c.item_id->change_key, "CwAAABYA");
    ASSERT_TRUE(c.changed_item);
    EXPECT_EQ(c.changed_item->kind, "MeetingRequest");
    EXPECT_EQ(c.changed_item->subject, "Budget Q3");
}

TEST(ews_sync, invalid_sync_state_error_has_empty_state) {
    const auto msgs =
        expect_value(ews::parse_sync_folder_items(parse_sample("syncfolderitems-error-invalidsyncstatedata.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].status.klass, ews::response_class::error);
    EXPECT_EQ(msgs[0].status.code, "ErrorInvalidSyncStateData");
    EXPECT_EQ(msgs[0].sync_state, "");
    EXPECT_TRUE(msgs[0].changes.empty());
}

TEST(ews_sync, update_delete_and_read_flag_changes) {
    // Hand-written from types.xsd SyncFolderItemsChangesType; a Delete in a
    // foreign namespace must not count.
    const auto r = std::get<ews::response>(ews::response::parse(
        R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
        <m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
            xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>
        <m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>
        <m:SyncState>S2</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>
          <t:Update><t:Message><t:ItemId Id="u1" ChangeKey="k1"/><t:Subject>Hi</t:Subject><t:IsRead>true</t:IsRead></t:Message></t:Update>
          <t:Delete><t:ItemId Id="d1"/></t:Delete>
          <t:ReadFlagChange><t:ItemId Id="r1" ChangeKey="k2"/><t:IsRead>false</t:IsRead></t:ReadFlagChange>
          <x:Delete xmlns:x="urn:other"><t:ItemId Id="foreign"/></x:Delete>
        </m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>)"));
    const auto msgs = expect_value(ews::parse_sync_folder_items(r));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].includes_last_item_in_range, false);
    const auto& ch = msgs[0].changes;
    ASSERT_EQ(ch.size(), 3u);
    EXPECT_EQ(ch[0].kind, change_kind::update);
    EXPECT_EQ(ch[0].item_id->id, "u1");
    EXPECT_EQ(ch[0].changed_item->is_read, true);
    EXPECT_EQ(ch[1].kind, change_kind::remove);
    EXPECT_EQ(ch[1].item_id->id, "d1");
    EXPECT_FALSE(ch[1].changed_item);
    EXPECT_EQ(ch[2].kind, change_kind::read_flag_change);
    EXPECT_EQ(ch[2].item_id->change_key, "k2");
    EXPECT_EQ(ch[2].is_read, false);
}

TEST(ews_sync, other_operations_are_errors) {
    EXPECT_NE(expect_error(ews::parse_sync_folder_items(parse_sample("moveitem-response.xml")))
                  .find("not a SyncFolderItems response"),
              std::string::npos);
}

TEST(ews_sync, every_truncation_fails_cleanly_or_parses) {
    const auto parsed =
        decode_every_prefix("syncfolderitems-response-create-meetingrequest.xml", [](const ews::response& r) {
            const auto msgs = expect_value(ews::parse_sync_folder_items(r));
            ASSERT_EQ(msgs.size(), 1u);
            EXPECT_EQ(msgs[0].changes.size(), 1u);
        });
    EXPECT_GE(parsed, 1u);
}
