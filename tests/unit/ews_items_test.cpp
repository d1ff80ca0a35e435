// ews/items on the docs' GetItem/MoveItem/UpdateItem responses
// (tests/data/ews/SOURCES.md) and the hand-written full GetItem of tests/data/mail.
#include "ews/items.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using ewstrigd::testing::decode_every_prefix;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_value;
using ewstrigd::testing::parse_sample;
using ewstrigd::testing::read_test_data;

namespace {
ews::item only_item(const std::string& xml) {
    const auto r = std::get<ews::response>(ews::response::parse(xml));
    const auto msgs = expect_value(ews::parse_items(r));
    if (msgs.size() != 1 || msgs[0].items.size() != 1) {
        ADD_FAILURE() << "expected one message with one item";
        return {};
    }
    return msgs[0].items[0];
}
}  // namespace

TEST(ews_items, message_properties_a_user_checks) {
    const auto it = only_item(read_test_data("mail/getitem-message-full.xml"));
    EXPECT_EQ(it.kind, "Message");
    ASSERT_TRUE(it.id);
    EXPECT_EQ(it.id->id, "AAMkADk0Zjc=");
    EXPECT_EQ(it.id->change_key, "CQAAABYAAAA=");
    EXPECT_EQ(it.subject, "Invoice 4711 & reminder");
    ASSERT_TRUE(it.from);
    EXPECT_EQ(it.from->email_address, "billing@supplier.example");
    ASSERT_EQ(it.to.size(), 2u);
    EXPECT_EQ(it.to[1].email_address, "ann@contoso.com");
    ASSERT_EQ(it.cc.size(), 1u);
    EXPECT_EQ(it.cc[0].name, "Doe, Jane");
    EXPECT_EQ(it.date_time_received, "2023-11-14T08:15:02Z");
    EXPECT_EQ(it.importance, "High");
    EXPECT_EQ(it.is_read, true);
    EXPECT_EQ(it.has_attachments, true);
    ASSERT_EQ(it.attachments.size(), 2u);
    EXPECT_EQ(it.attachments[0].name, "invoice-4711.pdf");
    EXPECT_EQ(it.attachments[0].id, "AAMkADk0Zjc=att1");
    EXPECT_EQ(it.attachments[0].kind, "FileAttachment");
    EXPECT_EQ(it.attachments[0].size, 52341u);
    EXPECT_EQ(it.attachments[1].is_inline, true);
    EXPECT_EQ(it.categories, (std::vector<std::string>{"Invoices", "Red category"}));
    ASSERT_EQ(it.internet_headers.size(), 2u);
    ASSERT_TRUE(it.body);
    EXPECT_EQ(it.body->body_type, "HTML");
    EXPECT_FALSE(it.mime_content);
}

TEST(ews_items, docs_getitem_with_mime_content) {
    // The docs sample with its HTML body escaped (tests/data/mail, see the fixture's comment).
    const auto it = only_item(read_test_data("mail/getitem-docs-htmlbody-escaped.xml"));
    EXPECT_EQ(it.id->id, "AAAlAFVz");
    ASSERT_TRUE(it.mime_content);
    EXPECT_EQ(*it.mime_content, "UmVjZWl");
    EXPECT_EQ(it.from->name, "User2");
    EXPECT_EQ(it.to.at(0).email_address, "User1@example.com");
    EXPECT_EQ(it.has_attachments, false);
    EXPECT_EQ(it.is_read, false);
    EXPECT_EQ(it.date_time_received, "");
}

TEST(ews_items, move_and_update_return_the_new_ids) {
    // moveitem-operation.md misspells t:ItemID; it is read all the same.
    const auto moved = expect_value(ews::parse_items(parse_sample("moveitem-response.xml")));
    ASSERT_EQ(moved.size(), 1u);
    ASSERT_EQ(moved[0].items.size(), 1u);
    EXPECT_EQ(moved[0].items[0].id->id, "AAMkAd");
    EXPECT_EQ(moved[0].items[0].id->change_key, "FwAAABY");
    const auto updated = expect_value(ews::parse_items(parse_sample("updateitem-response.xml")));
    EXPECT_EQ(updated.at(0).items.at(0).id->change_key, "CQAAABYAAA...");
}

TEST(ews_items, error_message_has_no_items) {
    const auto msgs = expect_value(ews::parse_items(parse_sample("getitem-error-invalidpropertyrequest-messagexml.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].status.code, "ErrorInvalidPropertyRequest");
    EXPECT_TRUE(msgs[0].items.empty());
}

TEST(ews_items, internet_message_id_and_foreign_namespaces) {
    const auto it = only_item(R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <m:FindItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
          xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>
      <m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>
      <m:RootFolder TotalItemsInView="1"><t:Items><t:Message><t:ItemId Id="F1"/>
        <t:InternetMessageId> &lt;abc@example.org&gt; </t:InternetMessageId>
        <x:Subject xmlns:x="urn:other">wrong</x:Subject>
        <t:Attachments><t:FileAttachment><t:Name>a.pdf</t:Name></t:FileAttachment>
          <x:FileAttachment xmlns:x="urn:other"><t:Name>foreign.pdf</t:Name></x:FileAttachment></t:Attachments>
      </t:Message></t:Items></m:RootFolder>
      </m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse></s:Body></s:Envelope>)");
    EXPECT_EQ(it.id->id, "F1");
    EXPECT_EQ(it.internet_message_id, "<abc@example.org>");
    EXPECT_EQ(it.subject, "");
    ASSERT_EQ(it.attachments.size(), 1u);
    EXPECT_EQ(it.attachments[0].name, "a.pdf");
    EXPECT_FALSE(it.mime_content);
}

TEST(ews_items, other_operations_are_errors) {
    EXPECT_NE(expect_error(ews::parse_items(parse_sample("subscribe-pull-response-watermark.xml")))
                  .find("not a GetItem/FindItem"),
              std::string::npos);
}

TEST(ews_items, every_truncation_fails_cleanly_or_parses) {
    for (const char* name : {"moveitem-response.xml", "getitem-error-invalidpropertyrequest-messagexml.xml"}) {
        const auto parsed = decode_every_prefix(name, [](const ews::response& r) {
            EXPECT_EQ(expect_value(ews::parse_items(r)).size(), 1u);
        });
        EXPECT_GE(parsed, 1u) << name;
    }
}
