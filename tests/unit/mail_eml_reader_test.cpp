#include "mail/message_file.hpp"
#include "mail_test_util.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

using ewstrigd::mail::parse_eml;
using ewstrigd::match::importance;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_message;
using ewstrigd::testing::read_test_data;
using namespace std::chrono;

namespace {
constexpr std::uint64_t invoice_pdf_size = 333;  // bytes of the base64 part in multipart-invoice.eml
}

TEST(eml_reader, multipart_invoice_fields_a_trigger_would_check) {
    const auto m = expect_message(parse_eml(read_test_data("mail/multipart-invoice.eml")));
    EXPECT_EQ(m.subject, "Rechnung 4711 – Zahlung fällig");  // =?UTF-8?B?...?=
    EXPECT_EQ(m.from.name, "Jürgen Müller");                 // =?ISO-8859-1?Q?...?=
    EXPECT_EQ(m.from.email, "billing@supplier.example");
    ASSERT_EQ(m.to.size(), 3u);  // the "accounting:" group is flattened
    EXPECT_EQ(m.to[0].name, "Invoices");
    EXPECT_EQ(m.to[0].email, "invoices@contoso.com");
    EXPECT_EQ(m.to[1].email, "ann@contoso.com");
    EXPECT_EQ(m.to[2].email, "bob@contoso.com");
    ASSERT_EQ(m.cc.size(), 1u);
    EXPECT_EQ(m.cc[0].name, "Doe, Jane");
    EXPECT_TRUE(m.item_id.empty());
}

TEST(eml_reader, prefers_the_text_plain_alternative_and_decodes_it) {
    const auto m = expect_message(parse_eml(read_test_data("mail/multipart-invoice.eml")));
    EXPECT_NE(m.body.find("anbei die Rechnung 4711 über 1.234,00 EUR."), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("Grüße"), std::string::npos);
    EXPECT_EQ(m.body.find("<p>"), std::string::npos);
}

TEST(eml_reader, pdf_attachment_name_size_and_type) {
    const auto m = expect_message(parse_eml(read_test_data("mail/multipart-invoice.eml")));
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].name, "invoice-4711.pdf");
    EXPECT_EQ(m.attachments[0].size, invoice_pdf_size);  // decoded, not the base64 length
    EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
    EXPECT_FALSE(m.attachments[0].is_inline);
    EXPECT_TRUE(m.has_attachments);
}

TEST(eml_reader, importance_keywords_date_and_headers) {
    const auto m = expect_message(parse_eml(read_test_data("mail/multipart-invoice.eml")));
    EXPECT_EQ(m.importance_level, importance::high);
    EXPECT_EQ(m.categories, (std::vector<std::string>{"Invoices", "Supplier"}));
    ASSERT_TRUE(m.received.has_value());
    EXPECT_EQ(*m.received, sys_days{2023y / November / 14} + 8h + 15min);  // 09:15:00 +0100
    ASSERT_GE(m.headers.size(), 10u);
    EXPECT_EQ(m.headers[0].first, "Return-Path");
    EXPECT_EQ(m.headers[1].first, "Received");
    EXPECT_NE(m.headers[1].second.find("by mail.contoso.com"), std::string::npos);  // unfolded
    EXPECT_EQ(m.headers[5].first, "Subject");
    EXPECT_EQ(m.headers[5].second, "Rechnung 4711 – Zahlung fällig");
    EXPECT_EQ(m.headers.back(), (std::pair<std::string, std::string>{
                                    "Content-Type", "multipart/mixed; boundary=\"outer-boundary\""}));
}

TEST(eml_reader, content_headers_keep_their_place_among_the_others) {
    const auto m = expect_message(parse_eml("Content-Type: text/plain\nSubject: s\nContent-Transfer-Encoding: 8bit\n\nb"));
    ASSERT_EQ(m.headers.size(), 3u);
    EXPECT_EQ(m.headers[0].first, "Content-Type");
    EXPECT_EQ(m.headers[1].first, "Subject");
    EXPECT_EQ(m.headers[2].first, "Content-Transfer-Encoding");
}

TEST(eml_reader, rfc2231_filename_html_only_body_and_inline_image) {
    const auto m = expect_message(parse_eml(read_test_data("mail/rfc2231-html-only.eml")));
    EXPECT_EQ(m.subject, "Grüße aus Köln");
    EXPECT_EQ(m.body, "Schöne Grüße aus Köln");  // QP + ISO-8859-1 + entities, style/script dropped
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].name, "Rechnung März 2023.pdf");  // filename*0*/filename*1* continuation
    EXPECT_EQ(m.attachments[0].size, 12u);                       // "Hello World!"
    EXPECT_EQ(m.attachments[0].content_type, "application/octet-stream");
    EXPECT_FALSE(m.attachments[0].is_inline);
    EXPECT_EQ(m.attachments[1].name, "lögo.png");  // RFC 2047 in Content-Type name
    EXPECT_EQ(m.attachments[1].size, 8u);
    EXPECT_TRUE(m.attachments[1].is_inline);
    EXPECT_TRUE(m.has_attachments);
    EXPECT_EQ(m.importance_level, importance::low);  // X-Priority: 5 (Lowest)
    ASSERT_TRUE(m.received.has_value());
    EXPECT_EQ(*m.received, sys_days{2023y / March / 1} + 23h + 59min + 59s);
}

TEST(eml_reader, x_priority_and_missing_or_bad_date) {
    const auto high = expect_message(parse_eml("From: a@b.example\r\nX-Priority: 1 (Highest)\r\nDate: not a date\r\n\r\nhi\r\n"));
    EXPECT_EQ(high.importance_level, importance::high);
    EXPECT_FALSE(high.received.has_value());
    EXPECT_EQ(high.body, "hi\r\n");
    EXPECT_FALSE(high.has_attachments);

    const auto normal = expect_message(parse_eml("Subject: plain\n\nbody"));
    EXPECT_EQ(normal.importance_level, importance::normal);
    EXPECT_EQ(normal.subject, "plain");
    EXPECT_TRUE(normal.from.email.empty());
    EXPECT_FALSE(normal.received.has_value());
}

TEST(eml_reader, only_inline_parts_do_not_count_as_attachments) {
    const auto m = expect_message(parse_eml(
        "From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=x\n\n"
        "--x\nContent-Type: text/html\n\n<p>see <img src=cid:i></p>\n"
        "--x\nContent-Type: image/gif\nContent-ID: <i>\nContent-Transfer-Encoding: base64\n\nR0lGODlh\n--x--\n"));
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_TRUE(m.attachments[0].is_inline);
    EXPECT_EQ(m.attachments[0].size, 6u);
    EXPECT_FALSE(m.has_attachments);
    EXPECT_EQ(m.body, "see");
}

TEST(eml_reader, forwarded_message_is_an_attachment) {
    const auto m = expect_message(parse_eml(
        "From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n"
        "--x\nContent-Type: text/plain\n\nFYI\n"
        "--x\nContent-Type: message/rfc822\n\nSubject: Original\nFrom: c@d.example\n\ninner body\n--x--\n"));
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].name, "Original");
    EXPECT_EQ(m.attachments[0].content_type, "message/rfc822");
    EXPECT_GT(m.attachments[0].size, 0u);
    EXPECT_EQ(m.body, "FYI");
}

TEST(eml_reader, garbage_and_empty_input_are_errors) {
    EXPECT_NE(expect_error(parse_eml("")).find("empty"), std::string::npos);
    EXPECT_NE(expect_error(parse_eml(" \r\n\t ")).find("empty"), std::string::npos);
    EXPECT_FALSE(expect_error(parse_eml("\x01\x02\x03\xff\xfe binary junk")).empty());
    EXPECT_FALSE(expect_error(parse_eml(std::string("\0\0\0\0", 4))).empty());
}

TEST(eml_reader, truncated_message_keeps_what_arrived) {
    const std::string full = read_test_data("mail/multipart-invoice.eml");
    const auto cut = full.find("JVBERi0x");  // inside the PDF part's base64
    ASSERT_NE(cut, std::string::npos);
    const auto m = expect_message(parse_eml(std::string_view(full).substr(0, cut + 20)));
    EXPECT_EQ(m.subject, "Rechnung 4711 – Zahlung fällig");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].name, "invoice-4711.pdf");
    EXPECT_LT(m.attachments[0].size, invoice_pdf_size);
}

TEST(eml_reader, every_prefix_parses_or_fails_cleanly) {
    const std::string full = read_test_data("mail/rfc2231-html-only.eml");
    for (std::size_t i = 0; i <= full.size(); ++i) {
        const auto r = parse_eml(std::string_view(full).substr(0, i));
        if (const auto* m = std::get_if<ewstrigd::match::message>(&r)) {
            EXPECT_FALSE(m->headers.empty()) << i;
        }
    }
}
