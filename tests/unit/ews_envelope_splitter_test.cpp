#include "ews/envelope_splitter.hpp"
#include "ews/xml.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ews = ewstrigd::ews;
using ewstrigd::testing::read_test_data;

namespace {

using envelopes = std::vector<std::string>;

std::string without_trailing_space(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string without_declaration(const std::string& s) { return s.substr(s.find("?>") + 2); }

// A streaming body as Exchange sends it: a notification with the XML
// declaration, a keep-alive without one (derived from the real Closed frame),
// then the real Closed frame (which came with its own declaration).
struct stream_body {
    envelopes expected;
    std::string bytes;
};

stream_body real_stream() {
    const auto notification = without_trailing_space(read_test_data("ews/getstreamingevents-created-newmail-modified.xml"));
    const auto closed = without_trailing_space(read_test_data("ews/getstreamingevents-closed-no-notifications.xml"));
    auto keep_alive = without_declaration(closed);
    keep_alive.replace(keep_alive.find(">Closed<"), 8, ">OK<");
    keep_alive.erase(0, keep_alive.find('<'));
    return {{notification, keep_alive, closed}, notification + "\r\n" + keep_alive + "\n\n  " + closed + "\r\n"};
}

// Feeds `pieces` in order; records a test failure on any error.
envelopes feed_all(ews::envelope_splitter& s, const std::vector<std::string_view>& pieces) {
    envelopes out;
    for (const auto piece : pieces) {
        auto r = s.feed(piece);
        if (const auto* err = std::get_if<ews::splitter_error>(&r)) {
            ADD_FAILURE() << "error at " << err->offset << ": " << err->message;
            return out;
        }
        for (auto& e : std::get<envelopes>(r)) out.push_back(std::move(e));
    }
    return out;
}

// The same documents must come out whatever the split point, and byte by byte.
void expect_same_at_every_split(std::string_view body, const envelopes& expected) {
    for (std::size_t i = 0; i <= body.size(); ++i) {
        ews::envelope_splitter s;
        ASSERT_EQ(feed_all(s, {body.substr(0, i), body.substr(i)}), expected) << "split at " << i;
        EXPECT_TRUE(s.at_boundary()) << "split at " << i;
    }
    ews::envelope_splitter s;
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < body.size(); ++i) bytes.push_back(body.substr(i, 1));
    EXPECT_EQ(feed_all(s, bytes), expected) << "byte by byte";
}

ews::splitter_error expect_error(std::string_view body, std::size_t max_size = ews::envelope_splitter::default_max_envelope_size) {
    ews::envelope_splitter s(max_size);
    auto r = s.feed(body);
    if (!std::holds_alternative<ews::splitter_error>(r)) {
        ADD_FAILURE() << "no error for: " << body.substr(0, 80);
        return {};
    }
    EXPECT_TRUE(s.failed());
    // Once failed, it stays failed, even on valid input.
    EXPECT_TRUE(std::holds_alternative<ews::splitter_error>(s.feed("<a/>")));
    return std::get<ews::splitter_error>(r);
}

}  // namespace

TEST(ews_envelope_splitter, real_stream_same_envelopes_at_every_split_point) {
    const auto stream = real_stream();
    expect_same_at_every_split(stream.bytes, stream.expected);
}

TEST(ews_envelope_splitter, every_envelope_parses_as_a_soap_envelope) {
    const auto stream = real_stream();
    ews::envelope_splitter s;
    const auto out = feed_all(s, {stream.bytes});
    ASSERT_EQ(out.size(), 3u);
    for (const auto& text : out) {
        auto r = ews::document::parse(text);
        ASSERT_TRUE(std::holds_alternative<ews::document>(r)) << text;
        EXPECT_TRUE(std::get<ews::document>(r).root().is(ews::ns::soap, "Envelope"));
    }
}

TEST(ews_envelope_splitter, prefix_only_feed_produces_nothing_yet) {
    const auto stream = real_stream();
    const std::string_view body = stream.bytes;
    const auto first_end = stream.expected[0].size();
    ews::envelope_splitter s;
    EXPECT_TRUE(feed_all(s, {body.substr(0, first_end - 1)}).empty());
    EXPECT_FALSE(s.at_boundary());
    EXPECT_EQ(s.buffered(), first_end - 1);
    EXPECT_EQ(feed_all(s, {body.substr(first_end - 1, 1)}), envelopes{stream.expected[0]});
    EXPECT_EQ(s.buffered(), 0u);
    EXPECT_EQ(feed_all(s, {body.substr(first_end)}), (envelopes{stream.expected[1], stream.expected[2]}));
    EXPECT_TRUE(s.at_boundary());
}

TEST(ews_envelope_splitter, markup_that_looks_like_an_end_tag_does_not_end_the_envelope) {
    const std::string doc =
        "<?xml version=\"1.0\"?>\n<!-- </s:Envelope> -- > -->\n<?pi </s:Envelope> ?>"
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" a=\"x > </s:Envelope>\" b='\"/>'>"
        "<s:Body><x><![CDATA[</s:Envelope> ]] ]]]></x><!----><s:Envelope/><?p?>"
        "<s:Envelope><y z = \"<s:Envelope>\">&lt;/s:Envelope&gt;</y></s:Envelope></s:Body></s:Envelope>";
    const std::string other = "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"/>";
    expect_same_at_every_split(doc + "\n" + other, {doc, other});
}

TEST(ews_envelope_splitter, any_prefix_or_default_namespace) {
    for (const std::string doc : {
             R"(<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body/></Envelope >)",
             R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>)",
             R"(<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body/></S:Envelope>)",
             R"(<Ümlaut:Envelope xmlns:Ümlaut="http://schemas.xmlsoap.org/soap/envelope/"/>)",
         }) {
        expect_same_at_every_split(doc + doc, {doc, doc});
        auto r = ews::document::parse(doc);
        ASSERT_TRUE(std::holds_alternative<ews::document>(r)) << doc;
        EXPECT_TRUE(std::get<ews::document>(r).root().is(ews::ns::soap, "Envelope")) << doc;
    }
}

TEST(ews_envelope_splitter, byte_order_mark_at_stream_start_is_skipped) {
    ews::envelope_splitter s;
    EXPECT_EQ(feed_all(s, {"\xEF\xBB", "\xBF<a>", "</a>"}), envelopes{"<a></a>"});
}

TEST(ews_envelope_splitter, envelope_larger_than_the_limit_is_an_error) {
    const std::string doc = "<a>" + std::string(100, 'x') + "</a>";
    {
        ews::envelope_splitter s(doc.size());
        EXPECT_EQ(feed_all(s, {doc, doc}), (envelopes{doc, doc}));
    }
    EXPECT_EQ(expect_error(doc, doc.size() - 1).what, ews::splitter_error::kind::too_large);
    // Pending bytes are bounded too: the error comes before the envelope ends.
    ews::envelope_splitter s(64);
    EXPECT_TRUE(std::holds_alternative<envelopes>(s.feed("<a>")));
    const auto r = s.feed(std::string(100, 'x'));
    ASSERT_TRUE(std::holds_alternative<ews::splitter_error>(r));
    EXPECT_EQ(std::get<ews::splitter_error>(r).what, ews::splitter_error::kind::too_large);
    EXPECT_EQ(s.buffered(), 0u);
    // The same inside an attribute value, which is skipped over like text.
    ews::envelope_splitter in_attribute(64);
    const auto a = in_attribute.feed("<a b=\"" + std::string(100, 'x') + "\"/>");
    ASSERT_TRUE(std::holds_alternative<ews::splitter_error>(a));
    EXPECT_EQ(std::get<ews::splitter_error>(a).what, ews::splitter_error::kind::too_large);
}

TEST(ews_envelope_splitter, garbage_is_an_error_not_a_hang) {
    using kind = ews::splitter_error::kind;
    for (const std::string_view garbage : {
             std::string_view("HTTP/1.1 500 Internal Server Error"),
             std::string_view("<!DOCTYPE html><html></html>"),
             std::string_view("<a></b>"),
             std::string_view("<a/>trailing text"),
             std::string_view("</a>"),
             std::string_view("<a><</a>"),
             std::string_view("< a/>"),
             std::string_view("<a b=\"1\" / >"),
             std::string_view("<![CDATA[x]]>"),
             std::string_view("<!-x-->"),
             std::string_view("<a><![CDATX[</a>"),
             std::string_view("\xEF\xBB<a/>"),
             std::string_view("\x00\x01\x02", 3),
         }) {
        EXPECT_EQ(expect_error(garbage).what, kind::not_xml) << garbage;
    }
    EXPECT_EQ(expect_error("<a/>\n  junk").offset, 7u);
}

TEST(ews_envelope_splitter, linear_in_the_input_when_fed_in_small_pieces) {
    // A rescan per feed would make this quadratic (~10^10 steps) and time out.
    std::string big = "<a>";
    for (int i = 0; i < 20000; ++i) big += "<b c=\"d\">text</b>";
    big += "</a>";
    ews::envelope_splitter s;
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < big.size(); i += 7) pieces.push_back(std::string_view(big).substr(i, 7));
    EXPECT_EQ(feed_all(s, pieces), envelopes{big});
}
