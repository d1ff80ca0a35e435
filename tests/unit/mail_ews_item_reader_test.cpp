#include "mail/message_file.hpp"
#include "mail_test_util.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

using ewstrigd::mail::parse_ews_get_item;
using ewstrigd::match::importance;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_message;
using ewstrigd::testing::read_reference;
using ewstrigd::testing::read_test_data;
using namespace std::chrono;

TEST(ews_item_reader, full_message_properties) {
    const auto m = expect_message(parse_ews_get_item(read_test_data("mail/getitem-message-full.xml")));
    EXPECT_EQ(m.item_id, "AAMkADk0Zjc=");
    EXPECT_EQ(m.subject, "Invoice 4711 & reminder");
    EXPECT_EQ(m.from.name, "Jürgen Müller");
    EXPECT_EQ(m.from.email, "billing@supplier.example");
    ASSERT_EQ(m.to.size(), 2u);
    EXPECT_EQ(m.to[1].email, "ann@contoso.com");
    ASSERT_EQ(m.cc.size(), 1u);
    EXPECT_EQ(m.cc[0].name, "Doe, Jane");
    EXPECT_EQ(m.body, "Please pay 1.234,00 EUR");  // BodyType="HTML" reduced to text
    EXPECT_TRUE(m.is_read);
    EXPECT_EQ(m.importance_level, importance::high);
    EXPECT_EQ(m.categories, (std::vector<std::string>{"Invoices", "Red category"}));
    ASSERT_TRUE(m.received.has_value());
    EXPECT_EQ(*m.received, sys_days{2023y / November / 14} + 8h + 15min + 2s);
    ASSERT_EQ(m.headers.size(), 2u);
    EXPECT_EQ(m.headers[1], (std::pair<std::string, std::string>{"X-Mailer", "ERP 9.1"}));
}

TEST(ews_item_reader, attachments_from_xml) {
    const auto m = expect_message(parse_ews_get_item(read_test_data("mail/getitem-message-full.xml")));
    EXPECT_TRUE(m.has_attachments);
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].name, "invoice-4711.pdf");
    EXPECT_EQ(m.attachments[0].size, 52341u);
    EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
    EXPECT_FALSE(m.attachments[0].is_inline);
    EXPECT_EQ(m.attachments[1].name, "logo.png");
    EXPECT_TRUE(m.attachments[1].is_inline);
}

TEST(ews_item_reader, mime_content_fills_what_the_xml_lacks) {
    const auto m = expect_message(parse_ews_get_item(read_test_data("mail/getitem-mimecontent-only.xml")));
    EXPECT_EQ(m.item_id, "AAMkMimeOnly=");
    EXPECT_EQ(m.subject, "Grüße aus Köln");
    EXPECT_EQ(m.from.email, "kiosk@example.org");
    EXPECT_EQ(m.body, "Schöne Grüße aus Köln");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].name, "Rechnung März 2023.pdf");
    EXPECT_TRUE(m.has_attachments);
    EXPECT_EQ(m.importance_level, importance::low);
    EXPECT_FALSE(m.headers.empty());
    // The XML's DateTimeReceived (with an offset) wins over the MIME Date:.
    ASSERT_TRUE(m.received.has_value());
    EXPECT_EQ(*m.received, sys_days{2023y / March / 1} + 23h);
}

TEST(ews_item_reader, docs_sample_with_escaped_body) {
    // MicrosoftDocs getitem-operation-email-message.md, body escaped (see the fixture's comment).
    const auto m = expect_message(parse_ews_get_item(read_test_data("mail/getitem-docs-htmlbody-escaped.xml")));
    EXPECT_EQ(m.item_id, "AAAlAFVz");
    EXPECT_EQ(m.subject, "");
    EXPECT_EQ(m.from.name, "User2");
    EXPECT_EQ(m.from.email, "User2@example.com");
    ASSERT_EQ(m.to.size(), 1u);
    EXPECT_EQ(m.to[0].email, "User1@example.com");
    EXPECT_EQ(m.body, "");  // only a style block and an &nbsp;
    EXPECT_FALSE(m.has_attachments);
    EXPECT_FALSE(m.is_read);
    EXPECT_FALSE(m.received.has_value());  // the sample has DateTimeSent only
}

TEST(ews_item_reader, docs_sample_as_published_is_malformed) {
    // MicrosoftDocs getitem-operation-email-message.md (SOURCES.md: not
    // well-formed, raw <meta> inside t:Body): an error, not a crash.
    const std::string err =
        expect_error(parse_ews_get_item(read_reference("ews/getitem-message-mimecontent-htmlbody.xml")));
    EXPECT_NE(err.find("malformed XML at byte"), std::string::npos) << err;
}

TEST(ews_item_reader, error_response_names_code_and_text) {
    // MicrosoftDocs getitem-operation-email-message.md, error response sample.
    const std::string err =
        expect_error(parse_ews_get_item(read_reference("ews/getitem-error-invalidpropertyrequest-messagexml.xml")));
    EXPECT_EQ(err, "GetItem failed: ErrorInvalidPropertyRequest: Property is not valid for this object type.");
}

TEST(ews_item_reader, soap_fault_names_the_response_code) {
    // exchangelib tests/test_services.py test_error_server_busy.
    const std::string err =
        expect_error(parse_ews_get_item(read_reference("ews/soapfault-errorserverbusy-backoffmilliseconds.xml")));
    EXPECT_EQ(err, "SOAP fault ErrorServerBusy: The server cannot service this request right now. Try again later.");
}

TEST(ews_item_reader, other_responses_and_non_soap_are_errors) {
    // MicrosoftDocs syncfolderitems-operation.md: a SOAP envelope, but not GetItem.
    EXPECT_NE(expect_error(parse_ews_get_item(read_reference("ews/syncfolderitems-response-create-meetingrequest.xml")))
                  .find("not a GetItem response"),
              std::string::npos);
    EXPECT_NE(expect_error(parse_ews_get_item("<html><body>Sign in</body></html>")).find("not a SOAP response"),
              std::string::npos);
    EXPECT_NE(expect_error(parse_ews_get_item("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>"))
                  .find("no Body"),
              std::string::npos);
    EXPECT_NE(expect_error(parse_ews_get_item("<a><b></a>")).find("malformed XML"), std::string::npos);
    EXPECT_NE(expect_error(parse_ews_get_item("")).find("malformed XML"), std::string::npos);
}

TEST(ews_item_reader, success_without_items_is_an_error) {
    const std::string xml = R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages>
      <m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items/>
      </m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>)";
    EXPECT_EQ(expect_error(parse_ews_get_item(xml)), "GetItem response contains no item");
}

TEST(ews_item_reader, any_item_kind_is_accepted) {
    const std::string xml = R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                         xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>
      <m:GetItemResponseMessage ResponseClass="Success"><m:Items><t:MeetingRequest><t:ItemId Id="MR1"/>
      <t:Subject>Budget Q3</t:Subject><t:Body BodyType="Text">Agenda:  a</t:Body><t:Importance>Low</t:Importance>
      </t:MeetingRequest></m:Items></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>)";
    const auto m = expect_message(parse_ews_get_item(xml));
    EXPECT_EQ(m.item_id, "MR1");
    EXPECT_EQ(m.subject, "Budget Q3");
    EXPECT_EQ(m.body, "Agenda:  a");  // Text bodies are kept verbatim
    EXPECT_EQ(m.importance_level, importance::low);
}

TEST(ews_item_reader, every_prefix_of_a_response_fails_cleanly_or_parses) {
    for (const std::string& full : {read_test_data("mail/getitem-message-full.xml"),
                                    read_test_data("mail/getitem-mimecontent-only.xml")}) {
        std::size_t parsed = 0;
        for (std::size_t i = 0; i <= full.size(); ++i) {
            const auto r = parse_ews_get_item(std::string_view(full).substr(0, i));
            if (std::holds_alternative<ewstrigd::match::message>(r)) ++parsed;
        }
        // Only prefixes that are complete documents (the whole file, maybe
        // without its final newline) parse.
        EXPECT_GE(parsed, 1u);
        EXPECT_LE(parsed, 2u);
    }
}
