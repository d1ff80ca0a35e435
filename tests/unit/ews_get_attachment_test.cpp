// GetAttachment: the request (tests/ews_schema validates it) and the answer,
// from the docs' sample (tests/data/ews/SOURCES.md) and hand-written ones.
#include "ews/get_attachment.hpp"
#include "ews_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using ewstrigd::testing::decode_every_prefix;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_value;
using ewstrigd::testing::parse_sample;
using ::testing::HasSubstr;

namespace {

ews::response parsed(const std::string& messages) {
    return std::get<ews::response>(ews::response::parse(
        R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>)"
        R"(<m:GetAttachmentResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" )"
        R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>)" +
        messages + "</m:ResponseMessages></m:GetAttachmentResponse></s:Body></s:Envelope>"));
}

}  // namespace

TEST(ews_get_attachment, asks_for_each_id_escaped) {
    const auto xml = ews::soap_request(ews::request_context{}, ews::get_attachment{{"AAMk=1", "a\"<b>"}});
    EXPECT_THAT(xml, HasSubstr(R"(<m:GetAttachment><m:AttachmentIds><t:AttachmentId Id="AAMk=1"/>)"
                               R"(<t:AttachmentId Id="a&quot;&lt;b&gt;"/></m:AttachmentIds></m:GetAttachment>)"));
}

TEST(ews_get_attachment, docs_sample_gives_name_id_and_base64_content) {
    const auto msgs = expect_value(ews::parse_attachments(parse_sample("getattachment-fileattachment-content.xml")));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].status.klass, ews::response_class::success);
    ASSERT_EQ(msgs[0].attachments.size(), 1u);
    const auto& a = msgs[0].attachments[0];
    EXPECT_EQ(a.info.kind, "FileAttachment");
    EXPECT_EQ(a.info.id, "5zTzlqU=");
    EXPECT_EQ(a.info.name, "FileAttachment.txt");
    EXPECT_EQ(a.content_base64, "VGhpcyBpcyBhIGZpbGUgYXR0YWNobWVudC4=");
}

TEST(ews_get_attachment, one_message_per_id_errors_and_item_attachments_without_content) {
    const auto msgs = expect_value(ews::parse_attachments(parsed(
        R"(<m:GetAttachmentResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>)"
        R"(<m:Attachments><t:ItemAttachment><t:AttachmentId Id="i1"/><t:Name>Fwd: order</t:Name>)"
        R"(<t:Message><t:Subject>order</t:Subject></t:Message></t:ItemAttachment></m:Attachments>)"
        R"(</m:GetAttachmentResponseMessage>)"
        R"(<m:GetAttachmentResponseMessage ResponseClass="Error"><m:MessageText>The attachment ID was invalid.</m:MessageText>)"
        R"(<m:ResponseCode>ErrorInvalidAttachmentId</m:ResponseCode><m:Attachments/></m:GetAttachmentResponseMessage>)")));
    ASSERT_EQ(msgs.size(), 2u);
    ASSERT_EQ(msgs[0].attachments.size(), 1u);
    EXPECT_EQ(msgs[0].attachments[0].info.kind, "ItemAttachment");
    EXPECT_FALSE(msgs[0].attachments[0].content_base64);
    EXPECT_EQ(msgs[1].status.code, "ErrorInvalidAttachmentId");
    EXPECT_TRUE(msgs[1].attachments.empty());
}

TEST(ews_get_attachment, faults_and_other_operations_are_errors) {
    EXPECT_THAT(expect_error(ews::parse_attachments(parse_sample("soapfault-errorserverbusy-backoffmilliseconds.xml"))),
                HasSubstr("ErrorServerBusy"));
    EXPECT_THAT(expect_error(ews::parse_attachments(parse_sample("moveitem-response.xml"))),
                HasSubstr("not a GetAttachment"));
}

TEST(ews_get_attachment, every_truncation_fails_cleanly_or_parses) {
    const auto parsed_prefixes = decode_every_prefix("getattachment-fileattachment-content.xml", [](const ews::response& r) {
        EXPECT_EQ(expect_value(ews::parse_attachments(r)).size(), 1u);
    });
    EXPECT_GE(parsed_prefixes, 1u);
}
