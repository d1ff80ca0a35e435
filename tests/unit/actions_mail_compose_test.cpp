// What a reply, forward or send action puts into the mail it sends.
#include "actions/mail_compose.hpp"
#include "actions_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ewstrigd::actions {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::sample_job;
using testing::templ;

config::action_config reply(std::string body, bool all = false, config::body_type type = config::body_type::text) {
    config::reply_action r;
    r.all = all;
    r.body = templ(body);
    r.type = type;
    return {r, std::nullopt, 5, {}};
}

std::vector<std::string> emails(const std::vector<ews::mail_recipient>& list) {
    std::vector<std::string> out;
    for (const auto& r : list) out.push_back(r.email);
    return out;
}

ews::outgoing_message composed_ok(const config::action_config& a, const job& j, std::string_view self = {}) {
    auto c = compose_mail(a, j, message_of(j), self);
    if (auto* e = std::get_if<compose_error>(&c)) {
        ADD_FAILURE() << e->message;
        return {};
    }
    return std::get<ews::outgoing_message>(c);
}

TEST(mail_compose, reply_answers_the_sender_and_quotes_the_original) {
    auto j = sample_job();
    j.data.message.headers.emplace_back("Message-ID", "<m1@supplier.example>");
    const auto m = composed_ok(reply("Invoice {{match.number}} received."), j);
    EXPECT_EQ(m.subject, "Re: Rechnung 4711 – Grüße");
    EXPECT_THAT(emails(m.to), ElementsAre("billing@supplier.example"));
    EXPECT_TRUE(m.cc.empty());
    EXPECT_FALSE(m.html);
    EXPECT_THAT(m.body, HasSubstr("Invoice 4711 received.\n\nOn 2026-11-28T10:11:12Z, Supplier AG "
                                  "<billing@supplier.example> wrote:\n> Please pay.\n"));
    EXPECT_EQ(m.in_reply_to, "<m1@supplier.example>");
    EXPECT_EQ(m.references, "<m1@supplier.example>");
    EXPECT_THAT(m.internet_headers, ElementsAre(Pair("X-Ewstrigd-Event", "ev-42/supplier-invoice/1"),
                                                Pair("Auto-Submitted", "auto-replied")));
}

TEST(mail_compose, reply_uses_reply_to_and_keeps_an_existing_prefix) {
    auto j = sample_job();
    j.data.message.subject = "RE: question";
    j.data.message.headers.emplace_back("Reply-To", "Help Desk <help@supplier.example>");
    j.data.message.headers.emplace_back("References", "<a@x>");
    j.data.message.headers.emplace_back("Message-Id", "<b@x>");
    auto a = reply("ok");
    std::get<config::reply_action>(a.what).keep_quote = false;
    const auto m = composed_ok(a, j);
    EXPECT_EQ(m.subject, "RE: question");
    EXPECT_THAT(emails(m.to), ElementsAre("help@supplier.example"));
    EXPECT_EQ(m.body, "ok");
    EXPECT_EQ(m.references, "<a@x> <b@x>");
}

TEST(mail_compose, reply_all_adds_the_recipients_but_not_the_mailbox_itself) {
    const auto m = composed_ok(reply("ok", true), sample_job(), "Invoices@Contoso.com");
    EXPECT_THAT(emails(m.to), ElementsAre("billing@supplier.example", "ap@contoso.com"));
    EXPECT_THAT(emails(m.cc), ElementsAre("boss@contoso.com"));
}

TEST(mail_compose, html_bodies_escape_inserted_values_only) {
    auto j = sample_job();
    j.data.message.subject = "<script>alert(1)</script> & co";
    const auto m = composed_ok(reply("<p>About: {{subject}}</p>", false, config::body_type::html), j);
    EXPECT_TRUE(m.html);
    EXPECT_THAT(m.body, HasSubstr("<p>About: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>"));
    EXPECT_THAT(m.body, HasSubstr("<blockquote"));
    EXPECT_THAT(m.body, ::testing::Not(HasSubstr("<script>")));
}

TEST(mail_compose, a_sender_without_address_is_a_clear_error) {
    auto j = sample_job();
    j.data.message.from = {"Nobody", ""};
    auto c = compose_mail(reply("x"), j, message_of(j), {});
    ASSERT_TRUE(std::holds_alternative<compose_error>(c));
    EXPECT_THAT(std::get<compose_error>(c).message, HasSubstr("no sender address"));
}

TEST(mail_compose, forward_takes_templated_recipients_and_a_comment) {
    config::forward_action f;
    f.to = {templ("accounting@contoso.com"), templ("{{from}}")};
    f.comment = templ("FYI: {{match.number}}");
    const auto m = composed_ok({f, std::nullopt, 5, {}}, sample_job());
    EXPECT_EQ(m.subject, "Fw: Rechnung 4711 – Grüße");
    EXPECT_THAT(emails(m.to), ElementsAre("accounting@contoso.com", "billing@supplier.example"));
    EXPECT_THAT(m.body, HasSubstr("FYI: 4711\n\n---------- Forwarded message ----------\nFrom: Supplier AG"));
    EXPECT_THAT(m.body, HasSubstr("\n\nPlease pay."));
    EXPECT_THAT(m.internet_headers, ElementsAre(Pair("X-Ewstrigd-Event", "ev-42/supplier-invoice/1"),
                                                Pair("Auto-Submitted", "auto-generated")));
}

TEST(mail_compose, send_splits_lists_and_rejects_what_is_not_an_address) {
    config::send_action s;
    s.to = {templ("{{to}}")};
    s.subject = templ("Invoice {{match.number}}\r\nBcc: evil@x");
    s.body = templ("Paid.");
    const auto m = composed_ok({s, std::nullopt, 5, {}}, sample_job());
    EXPECT_THAT(emails(m.to), ElementsAre("invoices@contoso.com", "ap@contoso.com"));
    EXPECT_EQ(m.subject, "Invoice 4711  Bcc: evil@x");  // one line: no header injection

    s.to = {templ("{{from_name}}")};
    auto c = compose_mail({s, std::nullopt, 5, {}}, sample_job(), message_of(sample_job()), {});
    ASSERT_TRUE(std::holds_alternative<compose_error>(c));
    EXPECT_EQ(std::get<compose_error>(c).message,
              "to[0]: '{{from_name}}' expanded to 'Supplier AG', which is not a mail address");
}

}  // namespace
}  // namespace ewstrigd::actions
