// ews/xml is tested here because ewstrigd_mail is its only user so far
// (there is no unit_ews_tests binary yet).

#include "ews/xml.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace ews = ewstrigd::ews;
namespace ns = ewstrigd::ews::ns;
using ewstrigd::testing::read_reference;

namespace {

ews::document parse_ok(std::string_view text) {
    auto r = ews::document::parse(text);
    if (auto* err = std::get_if<ews::xml_error>(&r)) {
        ADD_FAILURE() << "parse failed at " << err->offset << ": " << err->message;
        return std::get<ews::document>(ews::document::parse("<empty/>"));
    }
    return std::move(std::get<ews::document>(r));
}

}  // namespace

TEST(ews_xml, matches_by_namespace_uri_whatever_the_prefix) {
    // Same structure, three prefix styles: default namespace, t:, and a
    // prefix rebound on an inner element.
    for (const char* text : {
             R"(<Root xmlns="urn:a"><Item><Name>x</Name></Item></Root>)",
             R"(<t:Root xmlns:t="urn:a"><t:Item><t:Name>x</t:Name></t:Item></t:Root>)",
             R"(<p:Root xmlns:p="urn:a"><q:Item xmlns:q="urn:a"><p:Name xmlns:p="urn:a">x</p:Name></q:Item></p:Root>)",
         }) {
        const auto doc = parse_ok(text);
        const auto root = doc.root();
        EXPECT_TRUE(root.is("urn:a", "Root")) << text;
        EXPECT_EQ(root.child("urn:a", "Item").child("urn:a", "Name").text(), "x") << text;
        EXPECT_EQ(root.descendant("urn:a", "Name").text(), "x") << text;
    }
}

TEST(ews_xml, never_matches_on_prefix_alone) {
    const auto doc = parse_ok(R"(<t:Root xmlns:t="urn:other"><t:Item/><u:Item/></t:Root>)");
    EXPECT_FALSE(doc.root().is(ns::types, "Root"));
    EXPECT_FALSE(doc.root().child(ns::types, "Item"));
    // u: is undeclared: it has no namespace and matches nothing namespaced.
    EXPECT_EQ(doc.root().first_child().next_sibling().namespace_uri(), "");
    EXPECT_FALSE(doc.root().child("urn:other", "Item").next_sibling().is("urn:other", "Item"));
}

TEST(ews_xml, unprefixed_elements_take_the_default_namespace_or_none) {
    const auto doc = parse_ok(R"(<a:Root xmlns:a="urn:a"><plain/><inner xmlns="urn:d"><x/><y xmlns=""/></inner></a:Root>)");
    const auto root = doc.root();
    EXPECT_TRUE(root.child({}, "plain"));
    const auto inner = root.child("urn:d", "inner");
    ASSERT_TRUE(inner);
    EXPECT_TRUE(inner.child("urn:d", "x"));
    EXPECT_TRUE(inner.child({}, "y"));
}

TEST(ews_xml, attributes_text_and_children) {
    const auto doc = parse_ok(
        R"(<r xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Id="a&amp;b" xsi:nil="true">)"
        R"(one <t:s>A</t:s><t:s>B</t:s><![CDATA[<two>]]> &lt;three&gt;</r>)");
    const auto r = doc.root();
    EXPECT_EQ(r.attribute("Id").value_or(""), "a&b");
    EXPECT_FALSE(r.attribute("Missing").has_value());
    EXPECT_EQ(r.attribute("http://www.w3.org/2001/XMLSchema-instance", "nil").value_or(""), "true");
    EXPECT_EQ(r.text(), "one <two> <three>");
    const auto strings = r.children("urn:t", "s");
    ASSERT_EQ(strings.size(), 2u);
    EXPECT_EQ(strings[0].text() + strings[1].text(), "AB");
    EXPECT_EQ(strings[1].parent().native(), r.native());
}

TEST(ews_xml, null_elements_chain_safely) {
    const auto doc = parse_ok("<r/>");
    const auto missing = doc.root().child("urn:x", "a").child("urn:x", "b");
    EXPECT_FALSE(missing);
    EXPECT_EQ(missing.text(), "");
    EXPECT_EQ(missing.local_name(), "");
    EXPECT_FALSE(missing.attribute("Id"));
    EXPECT_TRUE(missing.children("urn:x", "c").empty());
    EXPECT_FALSE(missing.descendant("urn:x", "c"));
}

TEST(ews_xml, descendant_stays_inside_the_subtree) {
    const auto doc = parse_ok("<r><a><b/></a><c><d/></c></r>");
    const auto a = doc.root().child({}, "a");
    EXPECT_TRUE(a.descendant({}, "b"));
    EXPECT_FALSE(a.descendant({}, "d"));
    EXPECT_TRUE(doc.root().descendant({}, "d"));
}

TEST(ews_xml, reports_malformed_input_with_offset) {
    for (const char* bad : {"", "   ", "<", "<a>", "<a></b>", "<a x=1/>", "<a>&#xFFFFFFFF;</a>", "text", "<a><b></a>"}) {
        auto r = ews::document::parse(bad);
        ASSERT_TRUE(std::holds_alternative<ews::xml_error>(r)) << "accepted: " << bad;
        const auto& err = std::get<ews::xml_error>(r);
        EXPECT_FALSE(err.message.empty());
        EXPECT_LE(err.offset, std::string_view(bad).size());
    }
}

TEST(ews_xml, rejects_deep_nesting_instead_of_overflowing_the_stack) {
    std::string deep;
    for (std::size_t i = 0; i < 100000; ++i) deep += "<a>";
    auto r = ews::document::parse(deep);
    ASSERT_TRUE(std::holds_alternative<ews::xml_error>(r));
    EXPECT_NE(std::get<ews::xml_error>(r).message.find("nested"), std::string::npos);

    std::string ok;
    for (std::size_t i = 0; i < ews::document::max_depth; ++i) ok += "<a x='>' y=\"/>\">";
    for (std::size_t i = 0; i < ews::document::max_depth; ++i) ok += "</a>";
    EXPECT_TRUE(std::holds_alternative<ews::document>(ews::document::parse(ok)));
    // Self-closing siblings and comments do not add depth.
    std::string flat = "<r>";
    for (int i = 0; i < 10000; ++i) flat += "<e/><!-- <a> -->";
    EXPECT_TRUE(std::holds_alternative<ews::document>(ews::document::parse(flat + "</r>")));
}

TEST(ews_xml, reads_real_responses_with_varying_prefixes) {
    // MicrosoftDocs office-developer-exchange-docs syncfolderitems-operation.md
    // (see /work/shared/reference/ews/SOURCES.md): m:/t: plus a default namespace.
    const auto doc = parse_ok(read_reference("ews/syncfolderitems-response-create-meetingrequest.xml"));
    const auto body = doc.root().child(ns::soap, "Body");
    ASSERT_TRUE(body);
    EXPECT_EQ(body.descendant(ns::messages, "SyncState").text(), "H4sIAAAAA=");
    EXPECT_EQ(body.descendant(ns::types, "MeetingRequest").child(ns::types, "Subject").text(), "Budget Q3");

    // WinRb/Viewpoint ews_soap_get_streaming_events_spec.rb: unprefixed
    // <Envelope> with soap11: Header/Body.
    const auto closed = parse_ok(read_reference("ews/getstreamingevents-closed-no-notifications.xml"));
    EXPECT_TRUE(closed.root().is(ns::soap, "Envelope"));
    EXPECT_TRUE(closed.root().child(ns::soap, "Body"));
    EXPECT_EQ(closed.root().descendant(ns::messages, "ConnectionStatus").text(), "Closed");
}

TEST(ews_xml, never_crashes_on_any_prefix_of_a_response) {
    // exchangelib tests/test_services.py test_error_server_busy (SOURCES.md).
    const std::string text = read_reference("ews/soapfault-errorserverbusy-backoffmilliseconds.xml");
    std::size_t parsed = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        auto r = ews::document::parse(std::string_view(text).substr(0, i));
        if (auto* doc = std::get_if<ews::document>(&r)) {
            ++parsed;
            (void)doc->root().descendant(ns::errors, "ResponseCode").text();
        }
    }
    EXPECT_GE(parsed, 1u);  // at least the complete document
}
