// ews/response: envelopes, response messages and SOAP faults of real samples
// (tests/data/ews, origins in SOURCES.md there), malformed and foreign input.
#include "ews/response.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

using ewstrigd::ews::response;
using ewstrigd::ews::response_class;
using ewstrigd::testing::decode_every_prefix;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::parse_sample;

TEST(ews_response, streaming_error_frame_has_class_code_text_and_link_key) {
    const auto r = parse_sample("getstreamingevents-error-invalidsubscription-errorsubscriptionids.xml");
    EXPECT_EQ(r.operation(), "GetStreamingEvents");
    EXPECT_FALSE(r.fault());
    ASSERT_EQ(r.messages().size(), 1u);
    const auto& m = r.messages()[0];
    EXPECT_EQ(m.element_name, "GetStreamingEventsResponseMessage");
    EXPECT_EQ(m.klass, response_class::error);
    EXPECT_EQ(m.code, "ErrorInvalidSubscription");
    EXPECT_EQ(m.message_text, "Some Error");
    EXPECT_EQ(m.descriptive_link_key, "0");
}

TEST(ews_response, success_message_from_a_prefixless_streaming_envelope) {
    // Real Exchange 15.1: unprefixed Envelope, soap11: Header/Body.
    const auto r = parse_sample("getstreamingevents-closed-no-notifications.xml");
    EXPECT_EQ(r.operation(), "GetStreamingEvents");
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_EQ(r.messages()[0].klass, response_class::success);
    EXPECT_EQ(r.messages()[0].code, "NoError");
    EXPECT_FALSE(r.messages()[0].back_off_ms());
}

TEST(ews_response, server_busy_fault_with_padded_code_and_back_off) {
    const auto r = parse_sample("soapfault-errorserverbusy-backoffmilliseconds.xml");
    ASSERT_TRUE(r.fault());
    const auto& f = *r.fault();
    EXPECT_EQ(f.klass, response_class::error);
    EXPECT_EQ(f.code, "ErrorServerBusy");  // detail/e:ResponseCode, whitespace trimmed
    EXPECT_EQ(f.fault_code, "a:ErrorServerBusy");
    EXPECT_EQ(f.fault_string, "The server cannot service this request right now. Try again later.");
    EXPECT_EQ(f.message_text, "The server cannot service this request right now. Try again later.");
    EXPECT_EQ(f.back_off_ms(), 297749u);
    EXPECT_TRUE(r.messages().empty());
    EXPECT_EQ(r.operation(), "");
}

TEST(ews_response, schema_validation_fault_lists_its_message_xml) {
    const auto r = parse_sample("soapfault-errorschemavalidation.xml");
    ASSERT_TRUE(r.fault());
    EXPECT_EQ(r.fault()->code, "ErrorSchemaValidation");
    EXPECT_EQ(r.fault()->value("LineNumber"), "123");
    EXPECT_EQ(r.fault()->value("LinePosition"), "456");
    EXPECT_EQ(r.fault()->value("Violation"), "ZZZ");
    EXPECT_FALSE(r.fault()->back_off_ms());
}

TEST(ews_response, inner_error_values_and_field_uri_in_message_xml) {
    const auto del = parse_sample("deleteitem-error-internalservererror-innererror.xml");
    EXPECT_EQ(del.operation(), "DeleteItem");
    ASSERT_EQ(del.messages().size(), 1u);
    EXPECT_EQ(del.messages()[0].code, "ErrorInternalServerError");
    EXPECT_EQ(del.messages()[0].value("InnerErrorResponseCode"), "ErrorQuotaExceededOnDelete");
    EXPECT_EQ(del.messages()[0].value("InnerErrorDescriptiveLinkKey"), "0");

    const auto get = parse_sample("getitem-error-invalidpropertyrequest-messagexml.xml");
    ASSERT_EQ(get.messages().size(), 1u);
    EXPECT_EQ(get.messages()[0].code, "ErrorInvalidPropertyRequest");
    EXPECT_EQ(get.messages()[0].value("FieldURI"), "meeting:AssociatedCalendarItemId");
}

TEST(ews_response, response_without_xml_declaration) {
    const auto r = parse_sample("finditem-error-toomanyobjectsopened.xml");
    EXPECT_EQ(r.operation(), "FindFolder");
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_EQ(r.messages()[0].code, "ErrorTooManyObjectsOpened");
    EXPECT_EQ(r.messages()[0].message_text, "Too many concurrent connections opened.");
}

TEST(ews_response, docs_https_soap_namespace_is_accepted) {
    const auto r = parse_sample("subscribe-streaming-response-affinity-anchor.xml");
    EXPECT_EQ(r.operation(), "Subscribe");
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_EQ(r.messages()[0].code, "NoError");
}

TEST(ews_response, requests_are_recognised_as_requests) {
    auto parsed = response::parse(ewstrigd::testing::read_reference("ews/requests/getevents-request.xml"));
    ASSERT_TRUE(std::holds_alternative<response>(parsed));
    const auto& r = std::get<response>(parsed);
    EXPECT_TRUE(r.is_request());
    EXPECT_EQ(r.operation(), "GetEvents");
    EXPECT_TRUE(r.messages().empty());
}

TEST(ews_response, non_xml_and_non_soap_bodies_are_errors) {
    EXPECT_NE(expect_error(response::parse("")).find("malformed XML"), std::string::npos);
    EXPECT_NE(expect_error(response::parse("Service Unavailable")).find("malformed XML"), std::string::npos);
    EXPECT_NE(expect_error(response::parse("<html><body>Sign in</body></html>")).find("not a SOAP response"),
              std::string::npos);
    EXPECT_EQ(expect_error(response::parse(R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>)")),
              "SOAP envelope has no Body");
    const auto offset = std::get<ewstrigd::ews::parse_error>(response::parse("<a><b></a>")).offset;
    EXPECT_TRUE(offset.has_value());
}

TEST(ews_response, elements_in_other_namespaces_are_not_matched) {
    // Same local names, wrong namespaces: an Envelope outside SOAP, and a
    // ResponseCode / ResponseMessages in the types namespace.
    EXPECT_NE(expect_error(response::parse(R"(<s:Envelope xmlns:s="urn:not-soap"><s:Body/></s:Envelope>)"))
                  .find("not a SOAP response"),
              std::string::npos);
    const auto r = std::get<response>(response::parse(
        R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
        <m:GetEventsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                             xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
          <m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Error">
            <t:ResponseCode>ErrorServerBusy</t:ResponseCode>
            <m:MessageXml><x:Value xmlns:x="urn:x" Name="BackOffMilliseconds">5</x:Value></m:MessageXml>
          </m:GetEventsResponseMessage></m:ResponseMessages>
          <t:ResponseMessages><m:GetEventsResponseMessage/></t:ResponseMessages>
        </m:GetEventsResponse></s:Body></s:Envelope>)"));
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_EQ(r.messages()[0].code, "");
    EXPECT_FALSE(r.messages()[0].back_off_ms());
}

TEST(ews_response, every_truncation_of_every_sample_fails_cleanly_or_parses) {
    for (const char* name : {"getstreamingevents-created-newmail-modified.xml",
                             "soapfault-errorserverbusy-backoffmilliseconds.xml",
                             "deleteitem-error-internalservererror-innererror.xml",
                             "finditem-error-toomanyobjectsopened.xml"}) {
        const auto parsed = decode_every_prefix(name, [](const response& r) {
            for (const auto& m : r.messages()) (void)m.back_off_ms();
        });
        EXPECT_GE(parsed, 1u) << name;  // the whole file, maybe without its final newline
        EXPECT_LE(parsed, 2u) << name;
    }
}
