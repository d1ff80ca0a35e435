// The mail-out requests: what goes where (tests/ews_schema validates them).
#include "ews/create_item.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ewstrigd::ews {
namespace {

using ::testing::HasSubstr;

TEST(ews_create_item, sends_and_saves_a_copy_with_headers_as_extended_properties) {
    outgoing_message m;
    m.subject = "Re: <Order>";
    m.body = "a & b";
    m.to = {{"", "buyer@example.com"}};
    m.internet_headers = {{"X-Ewstrigd-Event", "ev/t/0"}};
    const auto xml = soap_request(request_context{}, send_message{m});
    EXPECT_THAT(xml, HasSubstr(R"(<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId>)"
                               R"(<t:DistinguishedFolderId Id="sentitems"/>)"));
    EXPECT_THAT(xml, HasSubstr("<t:Subject>Re: &lt;Order&gt;</t:Subject><t:Body BodyType=\"Text\">a &amp; b</t:Body>"));
    EXPECT_THAT(xml, HasSubstr(R"(<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="InternetHeaders" )"
                               R"(PropertyName="X-Ewstrigd-Event" PropertyType="String"/><t:Value>ev/t/0</t:Value>)"));
    EXPECT_THAT(xml, HasSubstr("<t:ToRecipients><t:Mailbox><t:EmailAddress>buyer@example.com</t:EmailAddress>"));
    EXPECT_THAT(xml, ::testing::Not(HasSubstr("CcRecipients")));
    EXPECT_THAT(xml, ::testing::Not(HasSubstr("<t:From>")));
}

TEST(ews_create_item, finds_sent_mail_by_header_value) {
    const auto xml = soap_request(request_context{}, find_by_header{distinguished_folder{"sentitems", std::nullopt},
                                                                    "X-Ewstrigd-Event", "a\"b"});
    EXPECT_THAT(xml, HasSubstr(R"(<m:Restriction><t:IsEqualTo><t:ExtendedFieldURI DistinguishedPropertySetId=)"
                               R"("InternetHeaders" PropertyName="X-Ewstrigd-Event" PropertyType="String"/>)"
                               R"(<t:FieldURIOrConstant><t:Constant Value="a&quot;b"/>)"));
    EXPECT_THAT(xml, HasSubstr(R"(MaxEntriesReturned="1")"));
}

}  // namespace
}  // namespace ewstrigd::ews

namespace ewstrigd::ews {
namespace {

ews_status error(std::string code, std::string text = {}) {
    ews_status s;
    s.klass = response_class::error;
    s.code = std::move(code);
    s.message_text = std::move(text);
    return s;
}

TEST(ews_create_item, a_refused_recipient_is_permanent_a_busy_server_is_not) {
    const auto refused = classify_send_error(error("ErrorInvalidRecipients", "At least one recipient is not valid."));
    EXPECT_EQ(refused.step, next_step::permanent);
    EXPECT_EQ(refused.code, "ErrorInvalidRecipients");
    EXPECT_THAT(refused.reason, HasSubstr("At least one recipient is not valid."));
    EXPECT_EQ(classify_send_error(error("ErrorSendAsDenied")).step, next_step::permanent);
    EXPECT_EQ(classify_send_error(error("ErrorInvalidSmtpAddress")).step, next_step::permanent);
    EXPECT_NE(classify_send_error(error("ErrorServerBusy")).step, next_step::permanent);
    EXPECT_NE(classify_send_error(error("ErrorInternalServerTransientError")).step, next_step::permanent);
}

}  // namespace
}  // namespace ewstrigd::ews
