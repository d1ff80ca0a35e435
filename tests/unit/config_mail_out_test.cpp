// The reply, reply_all, forward and send actions as the admin writes them:
// defaults, every key, and the errors with FILE:LINE:COLUMN.
#include "config/mail_out.hpp"
#include "config_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ewstrigd::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::basic_mailbox;
using testing::config_dir;

// A trigger with a regex group `order` and the given actions (lines at 6 spaces).
std::string with_actions(const std::string& actions) {
    return std::string(basic_mailbox) +
           "triggers:\n  - name: orders\n    mailbox: invoices\n"
           "    when: { subject: { regex: 'Order (?P<order>[0-9]+)' } }\n    actions:\n" +
           actions;
}

TEST(config_mail_out, reply_shorthand_takes_the_defaults) {
    config_dir d;
    const auto cfg = d.load(with_actions("      - reply: 'Thanks for order {{match.order}}'\n"));
    ASSERT_EQ(cfg.triggers.size(), 1u);
    const auto& reply = std::get<reply_action>(cfg.triggers[0].actions[0].what);
    EXPECT_FALSE(reply.all);
    EXPECT_EQ(reply.body.text.source, "Thanks for order {{match.order}}");
    EXPECT_EQ(reply.type, body_type::text);
    EXPECT_TRUE(reply.keep_quote);
    EXPECT_TRUE(reply.send_as.empty());
    EXPECT_TRUE(reply.guard.loop_protection);
    EXPECT_EQ(reply.guard.rate_limit, 5);
    EXPECT_EQ(reply.guard.rate_window, std::chrono::hours(1));
}

TEST(config_mail_out, reply_all_reads_every_key) {
    config_dir d;
    const auto cfg = d.load(with_actions(
        "      - reply_all:\n          body: '<p>Order {{match.order}}</p>'\n          body_type: html\n"
        "          keep_quote: false\n          send_as: orders@contoso.example\n"
        "          loop_protection: false\n          rate_limit: 2\n          rate_window: 10m\n"));
    ASSERT_EQ(cfg.triggers.size(), 1u);
    const auto& reply = std::get<reply_action>(cfg.triggers[0].actions[0].what);
    EXPECT_TRUE(reply.all);
    EXPECT_EQ(reply.type, body_type::html);
    EXPECT_FALSE(reply.keep_quote);
    EXPECT_EQ(reply.send_as, "orders@contoso.example");
    EXPECT_FALSE(reply.guard.loop_protection);
    EXPECT_EQ(reply.guard.rate_limit, 2);
    EXPECT_EQ(reply.guard.rate_window, std::chrono::minutes(10));
}

TEST(config_mail_out, forward_and_send_read_recipients_literal_and_templated) {
    config_dir d;
    const auto cfg = d.load(with_actions(
        "      - forward: { to: accounting@contoso.example, cc: [a@contoso.example, '{{from}}'], comment: 'FYI {{subject}}' }\n"
        "      - send:\n          to: ['{{from}}']\n          bcc: audit@contoso.example\n"
        "          subject: 'Order {{match.order}}'\n          body: 'Received.'\n"
        "          attach_original: true\n          files: [/etc/hostname]\n"));
    ASSERT_EQ(cfg.triggers.size(), 1u);
    const auto& fwd = std::get<forward_action>(cfg.triggers[0].actions[0].what);
    ASSERT_EQ(fwd.to.size(), 1u);
    EXPECT_EQ(fwd.to[0].text.source, "accounting@contoso.example");
    ASSERT_EQ(fwd.cc.size(), 2u);
    EXPECT_EQ(fwd.cc[1].text.source, "{{from}}");
    EXPECT_EQ(fwd.comment.text.source, "FYI {{subject}}");
    const auto& send = std::get<send_action>(cfg.triggers[0].actions[1].what);
    EXPECT_EQ(send.to[0].text.source, "{{from}}");
    EXPECT_EQ(send.bcc[0].text.source, "audit@contoso.example");
    EXPECT_EQ(send.subject.text.source, "Order {{match.order}}");
    EXPECT_TRUE(send.attach_original);
    EXPECT_THAT(send.files, ElementsAre("/etc/hostname"));
    // Passing mail on to chosen recipients: no rate limit unless the admin sets one.
    EXPECT_EQ(fwd.guard.rate_limit, 0);
    EXPECT_EQ(send.guard.rate_limit, 0);
    EXPECT_TRUE(fwd.guard.loop_protection);
}

TEST(config_mail_out, forward_honours_a_configured_rate_limit) {
    config_dir d;
    const auto cfg = d.load(with_actions("      - forward: { to: accounting@contoso.example, rate_limit: 7 }\n"));
    ASSERT_EQ(cfg.triggers.size(), 1u);
    EXPECT_EQ(std::get<forward_action>(cfg.triggers[0].actions[0].what).guard.rate_limit, 7);
}

TEST(config_mail_out, literal_recipients_are_checked_at_load) {
    config_dir d;
    EXPECT_THAT(d.errors(with_actions("      - forward: { to: [ok@contoso.example, 'Bob Smith'] }\n")),
                ElementsAre("ewstrigd.yaml:10:45: triggers[0].actions[0].forward.to[1]: 'Bob Smith' is not a mail "
                            "address like name@example.com"));
    EXPECT_THAT(d.errors(with_actions("      - send: { to: 'x@', subject: s, body: b }\n")),
                ElementsAre(HasSubstr("ewstrigd.yaml:10:21: triggers[0].actions[0].send.to: 'x@' is not a mail address")));
    EXPECT_THAT(d.errors(with_actions("      - reply: { body: b, send_as: nobody }\n")),
                ElementsAre(HasSubstr("ewstrigd.yaml:10:36: triggers[0].actions[0].reply.send_as: 'nobody' is not a mail address")));
}

TEST(config_mail_out, missing_and_unknown_keys_are_named) {
    config_dir d;
    EXPECT_THAT(d.errors(with_actions("      - forward: { comment: x }\n")),
                ElementsAre(HasSubstr("triggers[0].actions[0].forward: name at least one recipient (to, cc or bcc)")));
    EXPECT_THAT(d.errors(with_actions("      - send: { to: a@contoso.example, body: b }\n")),
                ElementsAre(HasSubstr("triggers[0].actions[0].send: missing required key 'subject'")));
    EXPECT_THAT(d.errors(with_actions("      - reply: { body: b, keep_qoute: false }\n")),
                ElementsAre(HasSubstr("unknown key 'keep_qoute' (did you mean 'keep_quote'?)")));
    EXPECT_THAT(d.errors(with_actions("      - reply: { body: b, body_type: markdown }\n")),
                ElementsAre(HasSubstr("body_type must be one of text, html, not 'markdown'")));
    EXPECT_THAT(d.errors(with_actions("      - send: { to: a@contoso.example, subject: s, body: b, files: [rel.pdf] }\n")),
                ElementsAre(HasSubstr("files: 'rel.pdf' must be an absolute path")));
    EXPECT_THAT(d.errors(with_actions("      - reply: { body: b, rate_window: 0s }\n")),
                ElementsAre(HasSubstr("rate_window: must be at least 1s")));
}

TEST(config_mail_out, send_reads_attachment_name_globs_of_the_message) {
    config_dir d;
    const auto cfg = d.load(with_actions("      - send: { to: a@contoso.example, subject: s, body: b, "
                                         "attachments: ['*.pdf', 'invoice-?.xml'] }\n"
                                         "      - send: { to: a@contoso.example, subject: s, body: b, attachments: '*' }\n"
                                         "      - send: { to: a@contoso.example, subject: s, body: b }\n"));
    ASSERT_EQ(cfg.triggers.size(), 1u);
    const auto& actions = cfg.triggers[0].actions;
    EXPECT_THAT(std::get<send_action>(actions[0].what).attachments, ElementsAre("*.pdf", "invoice-?.xml"));
    EXPECT_THAT(std::get<send_action>(actions[1].what).attachments, ElementsAre("*"));
    EXPECT_TRUE(std::get<send_action>(actions[2].what).attachments.empty());

    EXPECT_THAT(d.errors(with_actions("      - send: { to: a@contoso.example, subject: s, body: b, attachments: [''] }\n")),
                ElementsAre(HasSubstr("send: attachments: an empty name pattern matches no attachment (use \"*\" for all)")));
    EXPECT_THAT(d.errors(with_actions("      - send: { to: a@contoso.example, subject: s, body: b, attachments: {a: 1} }\n")),
                ElementsAre(HasSubstr("send.attachments")));
}

TEST(config_mail_out, templates_are_checked_like_other_actions) {
    config_dir d;
    EXPECT_THAT(d.errors(with_actions("      - reply: 'Order {{match.number}}'\n")),
                ElementsAre(HasSubstr("unknown placeholder '{{match.number}}' (no regex of this trigger has a group named "
                                      "'number')")));
    EXPECT_THAT(d.errors(with_actions("      - send: { to: '{{form}}', subject: s, body: b }\n")),
                ElementsAre(HasSubstr("unknown placeholder '{{form}}' (did you mean 'from'?)")));
}

TEST(config_mail_out, is_mail_address_accepts_what_users_write) {
    EXPECT_TRUE(is_mail_address("a@b.example"));
    EXPECT_TRUE(is_mail_address("first.last+tag@sub.contoso.example"));
    EXPECT_FALSE(is_mail_address("Bob <bob@contoso.example>"));
    EXPECT_FALSE(is_mail_address("bob@"));
    EXPECT_FALSE(is_mail_address("@contoso.example"));
    EXPECT_FALSE(is_mail_address("bob smith@contoso.example"));
    EXPECT_FALSE(is_mail_address("bob@contoso..example"));
    EXPECT_FALSE(is_mail_address("a@b@c"));
    EXPECT_FALSE(is_mail_address(""));
}

}  // namespace
}  // namespace ewstrigd::config
