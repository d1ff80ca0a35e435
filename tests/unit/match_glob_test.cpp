#include "match/evaluate.hpp"

#include <gtest/gtest.h>

#include <string>

using ewstrigd::match::contains_text;
using ewstrigd::match::equals_text;
using ewstrigd::match::glob_match;

TEST(match_glob, literal_pattern_is_whole_string_equality) {
    EXPECT_TRUE(glob_match("invoice.pdf", "invoice.pdf"));
    EXPECT_FALSE(glob_match("invoice.pdf", "invoice.pdf.exe"));
    EXPECT_FALSE(glob_match("invoice.pdf", "my invoice.pdf"));
}

TEST(match_glob, empty_pattern_matches_only_empty_text) {
    EXPECT_TRUE(glob_match("", ""));
    EXPECT_FALSE(glob_match("", "a"));
}

TEST(match_glob, star_alone_matches_everything_including_empty) {
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*", "anything at all"));
    EXPECT_TRUE(glob_match("***", ""));
    EXPECT_TRUE(glob_match("***", "abc"));
}

TEST(match_glob, star_matches_any_run) {
    EXPECT_TRUE(glob_match("*@supplier.example", "billing@supplier.example"));
    EXPECT_TRUE(glob_match("*@supplier.example", "@supplier.example"));
    EXPECT_FALSE(glob_match("*@supplier.example", "billing@supplier.example.evil.com"));
    EXPECT_TRUE(glob_match("inv*.pdf", "invoice-2026-11.pdf"));
    EXPECT_TRUE(glob_match("inv*.pdf", "inv.pdf"));
    EXPECT_FALSE(glob_match("inv*.pdf", "invoice.pdf.zip"));
    EXPECT_TRUE(glob_match("*.pdf*", "a.pdf"));
    EXPECT_TRUE(glob_match("a*b*c", "a-b-b-c"));
    EXPECT_FALSE(glob_match("a*b*c", "a-c-b"));
}

TEST(match_glob, star_retries_after_a_false_start) {
    EXPECT_TRUE(glob_match("*@b.example", "a@c.example@b.example"));
    EXPECT_TRUE(glob_match("*aab", "aaab"));
    EXPECT_TRUE(glob_match("*ab*ab", "xabyabab"));
    EXPECT_FALSE(glob_match("*ab*ab", "xabyab_"));
    EXPECT_TRUE(glob_match("*@SUPPLIER.EXAMPLE", "x@Supplier.example"));
    EXPECT_TRUE(glob_match("*\xC3\xBC*", "gr\xC3\xBC\xC3\x9F" "e"));  // literal ü after a star
    EXPECT_TRUE(glob_match("*?b", "\xE2\x82\xAC" "ab"));
}

TEST(match_glob, trailing_and_leading_stars) {
    EXPECT_TRUE(glob_match("report*", "report"));
    EXPECT_TRUE(glob_match("report**", "report 2026"));
    EXPECT_TRUE(glob_match("**report", "weekly report"));
    EXPECT_FALSE(glob_match("report*", "the report"));
}

TEST(match_glob, question_mark_is_exactly_one_character) {
    EXPECT_TRUE(glob_match("INV-????.pdf", "INV-4711.pdf"));
    EXPECT_FALSE(glob_match("INV-????.pdf", "INV-471.pdf"));
    EXPECT_FALSE(glob_match("INV-????.pdf", "INV-47111.pdf"));
    EXPECT_FALSE(glob_match("?", ""));
    EXPECT_TRUE(glob_match("?*", "x"));
    EXPECT_FALSE(glob_match("?*", ""));
}

TEST(match_glob, question_mark_is_one_utf8_character_not_one_byte) {
    EXPECT_TRUE(glob_match("Rechnung f?r *", "Rechnung f\xC3\xBCr Oktober"));           // ü
    EXPECT_TRUE(glob_match("?", "\xE2\x82\xAC"));                                      // €
    EXPECT_TRUE(glob_match("?", "\xF0\x9F\x93\x8E"));                                  // 📎
    EXPECT_FALSE(glob_match("??", "\xE2\x82\xAC"));
    EXPECT_TRUE(glob_match("*?x", "\xC3\xA9x"));
    EXPECT_FALSE(glob_match("*??x", "\xC3\xA9x"));
}

TEST(match_glob, invalid_utf8_bytes_count_one_each) {
    EXPECT_TRUE(glob_match("??", "\xC3("));  // lead byte without continuation
    EXPECT_TRUE(glob_match("?", "\xFF"));
    EXPECT_FALSE(glob_match("a?", "a\xE2\x82"));  // truncated sequence: 2 bytes, 2 chars
    EXPECT_TRUE(glob_match("a??", "a\xE2\x82"));
}

TEST(match_glob, case_insensitive_by_default_ascii_only) {
    EXPECT_TRUE(glob_match("*@SUPPLIER.example", "Billing@Supplier.Example"));
    EXPECT_TRUE(glob_match("*.pdf", "SCAN.PDF"));
    EXPECT_FALSE(glob_match("*.pdf", "SCAN.PDF", true));
    EXPECT_TRUE(glob_match("*.PDF", "SCAN.PDF", true));
    EXPECT_FALSE(glob_match("\xC3\xBC", "\xC3\x9C"));  // ü vs Ü: no Unicode folding
}

TEST(match_glob, special_characters_of_other_syntaxes_are_literal) {
    EXPECT_TRUE(glob_match("[urgent]*", "[urgent] server down"));
    EXPECT_FALSE(glob_match("[urgent]*", "u server down"));
    EXPECT_TRUE(glob_match("a.b+c(d)", "a.b+c(d)"));
    EXPECT_FALSE(glob_match("a.b", "axb"));
}

TEST(match_glob, pathological_pattern_on_long_input_is_correct) {
    // Exponential for naive recursive globbing; linear-ish backtracking must
    // simply finish. Not a timed test.
    const std::string text(100'000, 'a');
    std::string pattern;
    for (int i = 0; i < 20; ++i) pattern += "a*";
    EXPECT_FALSE(glob_match(pattern + "b", text));
    EXPECT_TRUE(glob_match(pattern + "b", text + "b"));
    EXPECT_TRUE(glob_match(pattern, text));
    EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
}

TEST(match_contains, substring_anywhere_case_insensitive) {
    EXPECT_TRUE(contains_text("RE: URGENT server down", "urgent"));
    EXPECT_FALSE(contains_text("RE: URGENT server down", "urgent", true));
    EXPECT_TRUE(contains_text("RE: URGENT server down", "URGENT", true));
    EXPECT_FALSE(contains_text("urgen", "urgent"));
    EXPECT_TRUE(contains_text("anything", ""));
    EXPECT_TRUE(contains_text("", ""));
    EXPECT_FALSE(contains_text("", "x"));
}

TEST(match_equals, whole_string_case_insensitive) {
    EXPECT_TRUE(equals_text("Inbox", "inbox"));
    EXPECT_FALSE(equals_text("Inbox", "inbox", true));
    EXPECT_FALSE(equals_text("Inbox/Sub", "inbox"));
    EXPECT_FALSE(equals_text("inbo", "inbox"));
    EXPECT_TRUE(equals_text("", ""));
}
