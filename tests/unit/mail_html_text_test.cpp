#include "mail/html_text.hpp"

#include <gtest/gtest.h>

#include <string>

using ewstrigd::mail::html_to_text;

TEST(html_text, strips_tags_and_breaks_lines_at_blocks) {
    EXPECT_EQ(html_to_text("<html><body><p>Hello <b>World</b></p><div>second</div></body></html>"),
              "Hello World\nsecond");
    EXPECT_EQ(html_to_text("one<br>two<BR/>three"), "one\ntwo\nthree");
    EXPECT_EQ(html_to_text("<table><tr><td>a</td><td>b</td></tr></table>"), "a b");
}

TEST(html_text, drops_script_style_title_and_comments) {
    EXPECT_EQ(html_to_text("<head><title>T</title><style>p{color:red}</style></head>"
                           "<body>visible<script type=\"x\">if (a<b) alert('</p>')</script> text<!-- hidden --></body>"),
              "visible text");
    EXPECT_EQ(html_to_text("<SCRIPT>x</Script>after"), "after");
    EXPECT_EQ(html_to_text("before<style>never closed"), "before");
    EXPECT_EQ(html_to_text("<!DOCTYPE html><?xml version=\"1.0\"?>ok<!-- open comment"), "ok");
}

TEST(html_text, decodes_named_and_numeric_entities) {
    EXPECT_EQ(html_to_text("Fish &amp; Chips &lt;3 &quot;x&quot; &apos;y&apos;"), "Fish & Chips <3 \"x\" 'y'");
    EXPECT_EQ(html_to_text("Gr&uuml;&szlig;e &euro;5 &mdash; caf&eacute;"), "Grüße €5 — café");
    EXPECT_EQ(html_to_text("&#233;&#xE9;&#X1F600;&#65;"), "éé😀A");
    EXPECT_EQ(html_to_text("a&nbsp;&nbsp;b&#160;c"), "a b c");
    EXPECT_EQ(html_to_text("in&shy;voice"), "invoice");
}

TEST(html_text, keeps_unknown_or_invalid_entities_readable) {
    EXPECT_EQ(html_to_text("AT&T &bogus; & &#;"), "AT&T &bogus; & &#;");
    EXPECT_EQ(html_to_text("&#0;|&#xD800;|&#99999999999;"), "\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD");
}

TEST(html_text, collapses_whitespace_and_trims) {
    EXPECT_EQ(html_to_text("  \n\t a \r\n  b  \n"), "a b");
    EXPECT_EQ(html_to_text("<p> a </p>\n\n<p>\n b</p>"), "a\nb");
    EXPECT_EQ(html_to_text(""), "");
    EXPECT_EQ(html_to_text("<p></p><br><br>"), "");
}

TEST(html_text, treats_lone_angle_brackets_as_text) {
    EXPECT_EQ(html_to_text("1 < 2 and 3 > 2, a <= b"), "1 < 2 and 3 > 2, a <= b");
    EXPECT_EQ(html_to_text("<a href=\"x>y\">link</a>"), "link");
    EXPECT_EQ(html_to_text("trailing <"), "trailing <");
    EXPECT_EQ(html_to_text("<img src='unterminated"), "");
}

TEST(html_text, is_linear_on_pathological_input) {
    // Each of these would be quadratic with an unbounded look-ahead per byte.
    const std::string amps(1 << 20, '&');
    EXPECT_EQ(html_to_text(amps).size(), amps.size());
    std::string closers;
    for (int i = 0; i < 100000; ++i) closers += "</scrip";
    EXPECT_EQ(html_to_text("<script>" + closers), "");
    std::string opens;
    for (int i = 0; i < 100000; ++i) opens += "<b>x";
    EXPECT_EQ(html_to_text(opens).size(), 100000u);
}
