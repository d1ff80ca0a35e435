#include "match_builders.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::match {
namespace {

using namespace build;

TEST(match_text_test, each_kind_on_the_subject) {
    EXPECT_TRUE(matches(subject(glob("invoice *"))));
    EXPECT_FALSE(matches(subject(glob("invoice"))));
    EXPECT_TRUE(matches(subject(contains("4711"))));
    EXPECT_FALSE(matches(subject(contains("4712"))));
    EXPECT_TRUE(matches(subject(equals("invoice 4711 for october"))));
    EXPECT_FALSE(matches(subject(equals("Invoice 4711"))));
    EXPECT_TRUE(matches(subject(regex(R"(invoice \d+)"))));
    EXPECT_FALSE(matches(subject(regex(R"(^\d+)"))));
}

TEST(match_text_test, case_sensitivity_per_kind) {
    EXPECT_TRUE(matches(subject(glob("INVOICE*"))));
    EXPECT_FALSE(matches(subject(glob("INVOICE*", true))));
    EXPECT_TRUE(matches(subject(contains("OCTOBER"))));
    EXPECT_FALSE(matches(subject(contains("OCTOBER", true))));
    EXPECT_TRUE(matches(subject(contains("October", true))));
    EXPECT_FALSE(matches(subject(equals("invoice 4711 for october", true))));
    EXPECT_TRUE(matches(subject(regex("INVOICE"))));
    EXPECT_FALSE(matches(subject(regex("INVOICE", true))));
}

TEST(match_text_test, regex_searches_anywhere_and_honours_anchors) {
    EXPECT_TRUE(matches(subject(regex("for"))));
    EXPECT_TRUE(matches(subject(regex("^Invoice"))));
    EXPECT_TRUE(matches(subject(regex("October$"))));
    EXPECT_FALSE(matches(subject(regex("^for"))));
}

TEST(match_text_test, regex_named_groups_become_captures) {
    const auto v = evaluate(subject(regex(R"(Invoice (?P<number>\d+) for (?P<month>\w+))")),
                            invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named, (captures{{"number", "4711"}, {"month", "October"}}));
}

TEST(match_text_test, unnamed_and_unused_groups_are_not_captures) {
    const auto v = evaluate(subject(regex(R"((\d+)|(?P<never>xyz))")), invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_TRUE(v.named.empty());
}

TEST(match_text_test, regex_without_compiled_pattern_never_matches) {
    text_test t{text_test::kind::regex, ".*", false, nullptr};
    captures out;
    EXPECT_FALSE(test_text(t, "anything", &out));
}

TEST(match_text_test, failed_regex_leaves_captures_alone) {
    captures out{{"number", "1"}};
    EXPECT_FALSE(test_text(regex(R"(Order (?P<number>\d+))"), "Invoice 4711", &out));
    EXPECT_EQ(out, (captures{{"number", "1"}}));
    EXPECT_TRUE(test_text(regex(R"(Invoice (?P<number>\d+))"), "Invoice 4711", nullptr));
}

TEST(match_address, from_matches_email_name_or_both) {
    EXPECT_TRUE(matches(from(glob("*@supplier.example"))));
    EXPECT_TRUE(matches(from(equals("billing team"))));
    EXPECT_TRUE(matches(from(equals("Billing Team <billing@supplier.example>"))));
    EXPECT_TRUE(matches(from(glob("Billing* <*@supplier.example>"))));
    EXPECT_FALSE(matches(from(glob("*@contoso.com"))));
}

TEST(match_address, address_without_name_matches_by_email_only) {
    auto m = invoice_message();
    m.from = {"", "noreply@supplier.example"};
    EXPECT_TRUE(matches(from(equals("noreply@supplier.example")), m));
    EXPECT_FALSE(matches(from(equals(" <noreply@supplier.example>")), m));
    EXPECT_FALSE(matches(from(equals("")), invoice_message()));
}

TEST(match_address, to_and_cc_match_any_address_of_the_list) {
    EXPECT_TRUE(matches(to(equals("ap@contoso.com"))));
    EXPECT_TRUE(matches(to(equals("invoices"))));
    EXPECT_FALSE(matches(to(equals("jane.doe@contoso.com"))));
    EXPECT_TRUE(matches(cc(contains("jane"))));
    EXPECT_FALSE(matches(cc(equals("ap@contoso.com"))));
    auto m = invoice_message();
    m.cc.clear();
    EXPECT_FALSE(matches(cc(glob("*")), m));
}

TEST(match_address, regex_on_address_captures) {
    const auto v = evaluate(from(regex(R"((?P<user>[^@]+)@(?P<domain>.+)$)")), invoice_message(),
                            default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named.at("user"), "billing");
    EXPECT_EQ(v.named.at("domain"), "supplier.example");
}

TEST(match_text_field, body_and_folder) {
    EXPECT_TRUE(matches(body(contains("please find attached"))));
    EXPECT_TRUE(matches(body(regex(R"(^please)"))) == false);  // RE2 default: ^ is start of text
    EXPECT_TRUE(matches(body(regex(R"((?m)^please)"))));
    EXPECT_TRUE(matches(folder(equals("inbox"))));
    EXPECT_FALSE(matches(folder(equals("Inbox/Processed"))));
}

TEST(match_attachment, name_matches_any_attachment) {
    EXPECT_TRUE(matches(attachment_name(glob("*.pdf"))));
    EXPECT_TRUE(matches(attachment_name(equals("logo.png"))));
    EXPECT_FALSE(matches(attachment_name(glob("*.xlsx"))));
    auto m = invoice_message();
    m.attachments.clear();
    EXPECT_FALSE(matches(attachment_name(glob("*")), m));
}

TEST(match_attachment, size_bounds_are_inclusive_and_optional) {
    const auto size = [](std::optional<std::uint64_t> lo, std::optional<std::uint64_t> hi) {
        return condition{attachment_size_condition{lo, hi}};
    };
    EXPECT_TRUE(matches(size(48'213, std::nullopt)));
    EXPECT_FALSE(matches(size(48'214, std::nullopt)));
    EXPECT_TRUE(matches(size(std::nullopt, 2'048)));
    EXPECT_FALSE(matches(size(std::nullopt, 2'047)));
    EXPECT_TRUE(matches(size(2'048, 2'048)));
    EXPECT_FALSE(matches(size(3'000, 40'000)));  // neither attachment in range
    EXPECT_TRUE(matches(size(std::nullopt, std::nullopt)));
    auto m = invoice_message();
    m.attachments.clear();
    EXPECT_FALSE(matches(size(std::nullopt, std::nullopt), m));
}

TEST(match_flag, has_attachments_from_flag_or_list) {
    const condition has{flag_condition{flag_condition::flag::has_attachments, true}};
    const condition has_none{flag_condition{flag_condition::flag::has_attachments, false}};
    auto m = invoice_message();
    EXPECT_TRUE(matches(has, m));
    m.has_attachments = false;  // list alone is enough
    EXPECT_TRUE(matches(has, m));
    m.attachments.clear();
    EXPECT_FALSE(matches(has, m));
    EXPECT_TRUE(matches(has_none, m));
    m.has_attachments = true;  // EWS said so without listing them
    EXPECT_TRUE(matches(has, m));
}

TEST(match_flag, is_read) {
    const condition read{flag_condition{flag_condition::flag::is_read, true}};
    const condition unread{flag_condition{flag_condition::flag::is_read, false}};
    auto m = invoice_message();
    EXPECT_FALSE(matches(read, m));
    EXPECT_TRUE(matches(unread, m));
    m.is_read = true;
    EXPECT_TRUE(matches(read, m));
}

TEST(match_importance, equal_level) {
    auto m = invoice_message();
    EXPECT_TRUE(matches(condition{importance_condition{importance::normal}}, m));
    EXPECT_FALSE(matches(condition{importance_condition{importance::high}}, m));
    m.importance_level = importance::high;
    EXPECT_TRUE(matches(condition{importance_condition{importance::high}}, m));
    EXPECT_FALSE(matches(condition{importance_condition{importance::low}}, m));
}

TEST(match_categories, any_category) {
    EXPECT_TRUE(matches(categories(equals("finance"))));
    EXPECT_TRUE(matches(categories(equals("To Do"))));
    EXPECT_FALSE(matches(categories(equals("Legal"))));
    auto m = invoice_message();
    m.categories.clear();
    EXPECT_FALSE(matches(categories(glob("*")), m));
}

TEST(match_header, presence_by_case_insensitive_name) {
    EXPECT_TRUE(matches(condition{header_condition{"x-mailer", std::nullopt}}));
    EXPECT_TRUE(matches(condition{header_condition{"LIST-ID", std::nullopt}}));
    EXPECT_FALSE(matches(condition{header_condition{"X-Spam-Flag", std::nullopt}}));
}

TEST(match_header, value_of_any_header_with_that_name) {
    // The second Received header matches, the first does not.
    EXPECT_TRUE(matches(condition{header_condition{"received", contains("relay.contoso.com")}}));
    EXPECT_TRUE(matches(condition{header_condition{"X-Mailer", glob("SupplierERP *")}}));
    EXPECT_FALSE(matches(condition{header_condition{"X-Mailer", glob("Outlook*")}}));
    // The value must come from a header of that name, not any header.
    EXPECT_FALSE(matches(condition{header_condition{"X-Mailer", contains("relay")}}));
    const auto v = evaluate(condition{header_condition{"x-mailer", regex(R"(ERP (?P<ver>[\d.]+))")}},
                            invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named.at("ver"), "9.1");
}

TEST(match_combinator, empty_all_is_true_empty_any_is_false) {
    EXPECT_TRUE(matches(all({})));
    EXPECT_FALSE(matches(any({})));
    EXPECT_FALSE(matches(condition{combinator{combinator::kind::not_, {}}}));  // invalid: never fire
}

TEST(match_combinator, all_any_not) {
    const auto yes = subject(contains("invoice"));
    const auto no = subject(contains("urgent"));
    EXPECT_TRUE(matches(all({yes, yes})));
    EXPECT_FALSE(matches(all({yes, no})));
    EXPECT_TRUE(matches(any({no, yes})));
    EXPECT_FALSE(matches(any({no, no})));
    EXPECT_TRUE(matches(not_(no)));
    EXPECT_FALSE(matches(not_(yes)));
    EXPECT_TRUE(matches(not_(not_(yes))));
}

TEST(match_combinator, nested_trigger_like_the_design_example) {
    const auto rule = all({
        from(glob("*@supplier.example")),
        any({subject(regex(R"(Invoice (?P<number>\d+))")), subject(contains("credit note"))}),
        attachment_name(glob("*.pdf")),
        not_(categories(equals("processed"))),
    });
    const auto v = evaluate(rule, invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named, (captures{{"number", "4711"}}));

    auto m = invoice_message();
    m.categories.push_back("Processed");
    EXPECT_FALSE(matches(rule, m));
}

TEST(match_captures, first_matching_any_branch_wins) {
    const auto rule = any({
        subject(regex(R"(Order (?P<id>\d+))")),               // fails: its captures are irrelevant
        subject(regex(R"(Invoice (?P<id>\d+) (?P<word>\w+))")),  // decides
        subject(regex(R"((?P<id>\w+))")),                     // never evaluated
    });
    const auto v = evaluate(rule, invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named, (captures{{"id", "4711"}, {"word", "for"}}));
}

TEST(match_captures, all_merges_branches_and_first_definition_wins) {
    const auto rule = all({
        subject(regex(R"(Invoice (?P<number>\d+))")),
        from(regex(R"((?P<number>\w+)@(?P<domain>[\w.]+))")),
    });
    const auto v = evaluate(rule, invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named, (captures{{"number", "4711"}, {"domain", "supplier.example"}}));
}

TEST(match_captures, dropped_under_not_and_on_failure) {
    const auto under_not = all({
        subject(regex(R"(Invoice (?P<number>\d+))")),
        not_(not_(from(regex(R"((?P<user>\w+)@)")))),
    });
    auto v = evaluate(under_not, invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_EQ(v.named, (captures{{"number", "4711"}}));

    const auto failing_all = all({subject(regex(R"((?P<number>\d+))")), subject(contains("urgent"))});
    v = evaluate(failing_all, invoice_message(), default_now());
    EXPECT_FALSE(v.matched);
    EXPECT_TRUE(v.named.empty());

    // A branch of `any` that matched partially (inner all failed) leaves nothing.
    const auto partial = any({all({subject(regex(R"((?P<a>\d+))")), subject(contains("urgent"))}),
                              subject(contains("october"))});
    v = evaluate(partial, invoice_message(), default_now());
    ASSERT_TRUE(v.matched);
    EXPECT_TRUE(v.named.empty());
}

TEST(match_capture_group_names, every_regex_in_the_tree) {
    const auto rule = all({
        from(glob("*@supplier.example")),
        any({subject(regex(R"(Invoice (?P<number>\d+))")), body(regex(R"((?P<number>\d+)(?P<rest>.*))"))}),
        not_(condition{header_condition{"X-Ref", regex(R"((?P<ref>\w+))")}}),
        categories(regex(R"((\w+))")),
        condition{header_condition{"X-Mailer", std::nullopt}},
    });
    EXPECT_EQ(capture_group_names(rule), (std::vector<std::string>{"number", "ref", "rest"}));
    EXPECT_TRUE(capture_group_names(subject(glob("*"))).empty());
}

}  // namespace
}  // namespace ewstrigd::match
