#include "match/template.hpp"
#include "match_builders.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::match {
namespace {

using namespace build;

template_text parsed(std::string_view text) {
    auto r = parse_template(text);
    if (auto* e = std::get_if<template_error>(&r)) {
        ADD_FAILURE() << "unexpected error at " << e->offset << ": " << e->message;
        return {};
    }
    return std::get<template_text>(std::move(r));
}

std::size_t error_offset(std::string_view text) {
    auto r = parse_template(text);
    if (!std::holds_alternative<template_error>(r)) {
        ADD_FAILURE() << "expected an error for: " << text;
        return std::string_view::npos;
    }
    EXPECT_FALSE(std::get<template_error>(r).message.empty());
    return std::get<template_error>(r).offset;
}

TEST(match_template_parse, literals_and_placeholders_with_offsets) {
    const auto t = parsed("/srv/{{ match.number }}-{{subject}}.eml");
    ASSERT_EQ(t.parts.size(), 5u);
    EXPECT_FALSE(t.parts[0].is_placeholder);
    EXPECT_EQ(t.parts[0].text, "/srv/");
    EXPECT_EQ(t.parts[0].offset, 0u);
    EXPECT_TRUE(t.parts[1].is_placeholder);
    EXPECT_EQ(t.parts[1].text, "match.number");
    EXPECT_EQ(t.parts[1].offset, 5u);
    EXPECT_EQ(t.parts[2].text, "-");
    EXPECT_EQ(t.parts[2].offset, 23u);
    EXPECT_EQ(t.parts[3].text, "subject");
    EXPECT_EQ(t.parts[3].offset, 24u);
    EXPECT_EQ(t.parts[4].text, ".eml");
    EXPECT_EQ(t.source, "/srv/{{ match.number }}-{{subject}}.eml");
}

TEST(match_template_parse, plain_text_and_empty_text) {
    const auto t = parsed("no placeholders here");
    ASSERT_EQ(t.parts.size(), 1u);
    EXPECT_EQ(t.parts[0].text, "no placeholders here");
    EXPECT_TRUE(parsed("").parts.empty());
}

TEST(match_template_parse, lone_closing_braces_are_literal) {
    const auto t = parsed("a }} b } {c}");
    ASSERT_EQ(t.parts.size(), 1u);
    EXPECT_EQ(t.parts[0].text, "a }} b } {c}");
    const auto u = parsed("{{from}}}}");
    ASSERT_EQ(u.parts.size(), 2u);
    EXPECT_EQ(u.parts[0].text, "from");
    EXPECT_EQ(u.parts[1].text, "}}");
}

TEST(match_template_parse, adjacent_placeholders_and_tabs) {
    const auto t = parsed("{{from}}{{\tto\t}}");
    ASSERT_EQ(t.parts.size(), 2u);
    EXPECT_EQ(t.parts[0].text, "from");
    EXPECT_EQ(t.parts[1].text, "to");
}

TEST(match_template_parse, errors_point_at_the_opening_braces) {
    EXPECT_EQ(error_offset("abc {{subject"), 4u);
    EXPECT_EQ(error_offset("{{subject} }"), 0u);
    EXPECT_EQ(error_offset("ok {{from}} then {{}}"), 17u);
    EXPECT_EQ(error_offset("x{{   }}"), 1u);
    EXPECT_EQ(error_offset("x {{sub ject}}"), 2u);
    EXPECT_EQ(error_offset("{{match-number}}"), 0u);
    EXPECT_EQ(error_offset("{{ {{subject}} }}"), 0u);
    EXPECT_EQ(error_offset("{{{subject}}}"), 0u);
    EXPECT_EQ(error_offset("{{sub\xC3\xBCject}}"), 0u);
}

TEST(match_template_parse, placeholder_names_once_in_order) {
    const auto t = parsed("{{subject}} {{match.n}} {{subject}} {{ from }}");
    EXPECT_EQ(placeholder_names(t), (std::vector<std::string>{"subject", "match.n", "from"}));
    EXPECT_TRUE(placeholder_names(parsed("literal")).empty());
}

TEST(match_template, standard_placeholders_are_the_documented_set) {
    const auto& names = standard_placeholders();
    for (const char* n : {"subject", "from", "from_name", "to", "cc", "received", "item_id", "event_id",
                          "mailbox", "trigger", "folder", "importance", "attachments"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    }
    EXPECT_EQ(names.size(), 13u);
    EXPECT_EQ(std::find(names.begin(), names.end(), "message_file"), names.end());
}

TEST(match_template_expand, every_placeholder) {
    const auto m = invoice_message();
    const captures named{{"number", "4711"}};
    template_context ctx;
    ctx.msg = &m;
    ctx.named = &named;
    ctx.trigger = "supplier-invoice";
    ctx.mailbox = "invoices";
    ctx.event_id = "ev-0001";
    ctx.message_file = "/var/lib/ewstrigd/spool/ev-0001.eml";

    const auto x = [&](std::string_view text) { return expand(parsed(text), ctx); };
    EXPECT_EQ(x("{{subject}}"), "Invoice 4711 for October");
    EXPECT_EQ(x("{{from}}"), "billing@supplier.example");
    EXPECT_EQ(x("{{from_name}}"), "Billing Team");
    EXPECT_EQ(x("{{to}}"), "invoices@contoso.com, ap@contoso.com");
    EXPECT_EQ(x("{{cc}}"), "jane.doe@contoso.com");
    EXPECT_EQ(x("{{received}}"), "2026-11-28T10:11:12Z");
    EXPECT_EQ(x("{{item_id}}"), "AAMkAGI2TG93AAA=");
    EXPECT_EQ(x("{{event_id}}"), "ev-0001");
    EXPECT_EQ(x("{{mailbox}}"), "invoices");
    EXPECT_EQ(x("{{trigger}}"), "supplier-invoice");
    EXPECT_EQ(x("{{folder}}"), "Inbox");
    EXPECT_EQ(x("{{importance}}"), "normal");
    EXPECT_EQ(x("{{attachments}}"), "INV-4711.PDF, logo.png");
    EXPECT_EQ(x("{{message_file}}"), "/var/lib/ewstrigd/spool/ev-0001.eml");
    EXPECT_EQ(x("{{match.number}}"), "4711");
    EXPECT_EQ(x("/srv/invoices/{{ match.number }}.eml"), "/srv/invoices/4711.eml");
}

TEST(match_template_expand, unknown_missing_and_empty_values_expand_to_nothing) {
    auto m = invoice_message();
    m.received.reset();
    m.cc.clear();
    m.attachments.clear();
    m.importance_level = importance::high;
    template_context ctx;
    ctx.msg = &m;
    const auto x = [&](std::string_view text) { return expand(parsed(text), ctx); };
    EXPECT_EQ(x("[{{no_such_name}}]"), "[]");
    EXPECT_EQ(x("[{{match.number}}]"), "[]");  // no captures at all
    EXPECT_EQ(x("[{{received}}|{{cc}}|{{attachments}}|{{event_id}}]"), "[|||]");
    EXPECT_EQ(x("{{importance}}"), "high");

    const captures named{{"other", "x"}};
    ctx.named = &named;
    EXPECT_EQ(x("[{{match.number}}]"), "[]");
    ctx.msg = nullptr;
    EXPECT_EQ(x("[{{subject}}]"), "[]");
}

TEST(match_template_expand, values_are_inserted_verbatim) {
    message m;
    m.subject = "{{from}} $(rm -rf /) ; `id`";
    m.from.email = "x@y";
    m.importance_level = importance::low;
    m.received = at(1999, 1, 2, 3, 4, 5);
    template_context ctx;
    ctx.msg = &m;
    EXPECT_EQ(expand(parsed("{{subject}}"), ctx), "{{from}} $(rm -rf /) ; `id`");
    EXPECT_EQ(expand(parsed("{{received}} {{importance}}"), ctx), "1999-01-02T03:04:05Z low");
}

}  // namespace
}  // namespace ewstrigd::match
