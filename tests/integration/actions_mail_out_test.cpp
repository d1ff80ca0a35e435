// The mail-out actions on the executor with a fake mail source: Sent Items
// first, then the send; what is skipped, retried or a dead letter.
#include "actions_fixture.hpp"

#include <gmock/gmock.h>

#include <fstream>

namespace ewstrigd::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class mail_out_action : public actions_fixture {
protected:
    static config::action_config reply(int rate_limit = 5) {
        config::reply_action r;
        r.body = templ("Invoice {{match.number}} received.");
        r.guard.rate_limit = rate_limit;
        return {r, std::nullopt, 5, {}};
    }
};

TEST_F(mail_out_action, looks_into_sent_items_then_sends_once) {
    actions::executor exec(ioc.get_executor(), options());
    const auto first = execute(exec, reply());
    EXPECT_EQ(first.result, actions::outcome::kind::done) << first.detail;
    EXPECT_THAT(source.calls, ElementsAre("find_sent ev-7/t/0", "send Re: Invoice 4711 – Grüße"));
    ASSERT_EQ(source.sent.size(), 1u);
    EXPECT_EQ(source.sent[0].to.at(0).email, "billing@supplier.example");
    EXPECT_THAT(log_text.str(), HasSubstr("sent reply to billing@supplier.example"));

    // The same row again (a crash lost the answer): found, not sent again.
    const auto again = execute(exec, reply());
    EXPECT_EQ(again.result, actions::outcome::kind::done);
    EXPECT_EQ(again.detail, "already sent (found in Sent Items)");
    EXPECT_EQ(source.sent.size(), 1u);
}

TEST_F(mail_out_action, automatic_mail_is_skipped_without_a_dead_letter) {
    actions::executor exec(ioc.get_executor(), options());
    auto j = sample_job();
    j.data.message.headers = {{"Auto-Submitted", "auto-replied"}};
    const auto o = execute(exec, reply(), j);
    EXPECT_EQ(o.result, actions::outcome::kind::done);
    EXPECT_THAT(o.detail, HasSubstr("skipped"));
    EXPECT_TRUE(source.calls.empty());
    EXPECT_THAT(log_text.str(), HasSubstr("reply skipped: not answering billing@supplier.example automatically"));

    auto off = reply();
    std::get<config::reply_action>(off.what).guard.loop_protection = false;
    EXPECT_EQ(execute(exec, off, j).result, actions::outcome::kind::done);
    EXPECT_EQ(source.sent.size(), 1u) << "loop_protection: false answers it";
}

TEST_F(mail_out_action, the_rate_limit_holds_back_a_chatty_sender) {
    actions::executor exec(ioc.get_executor(), options());
    for (int i = 0; i < 3; ++i) {
        auto j = sample_job();
        j.event_id = "ev-" + std::to_string(i);
        EXPECT_EQ(execute(exec, reply(2), j).result, actions::outcome::kind::done);
    }
    EXPECT_EQ(source.sent.size(), 2u);
    EXPECT_THAT(log_text.str(), HasSubstr("skipped: rate limit of 2 per 3600s for sender billing@supplier.example"));
}

TEST_F(mail_out_action, transient_errors_retry_and_refused_mail_is_dead) {
    actions::executor exec(ioc.get_executor(), options());
    source.outcomes = {{ews::next_step::transient, {}, "ErrorServerBusy", "busy"}};
    const auto busy = execute(exec, reply());
    EXPECT_EQ(busy.result, actions::outcome::kind::retry);
    EXPECT_THAT(busy.detail, HasSubstr("busy"));

    source.outcomes = {{ews::next_step::permanent, {}, "ErrorInvalidRecipients", "no such recipient"}};
    const auto refused = execute(exec, reply());
    EXPECT_EQ(refused.result, actions::outcome::kind::dead);
    EXPECT_THAT(refused.detail, HasSubstr("no such recipient"));
    EXPECT_TRUE(source.sent.empty());
}

TEST_F(mail_out_action, forward_attaches_the_original_and_send_attaches_files) {
    actions::executor exec(ioc.get_executor(), options());
    config::forward_action f;
    f.to = {templ("ap@contoso.com")};
    EXPECT_EQ(execute(exec, {f, std::nullopt, 5, {}}).result, actions::outcome::kind::done);
    ASSERT_EQ(source.sent.size(), 1u);
    ASSERT_EQ(source.sent[0].attachments.size(), 1u);
    EXPECT_EQ(source.sent[0].attachments[0].name, "Invoice 4711 – Grüße.eml");
    EXPECT_EQ(source.sent[0].attachments[0].content_type, "message/rfc822");

    const auto file = tmp.path() / "report.txt";
    std::ofstream(file) << "hi";
    config::send_action s;
    s.to = {templ("{{from}}")};
    s.subject = templ("Report");
    s.body = templ("See attached.");
    s.files = {file.string()};
    auto j = sample_job();
    j.action_index = 1;
    EXPECT_EQ(execute(exec, {s, std::nullopt, 5, {}}, j).result, actions::outcome::kind::done);
    ASSERT_EQ(source.sent.size(), 2u);
    ASSERT_EQ(source.sent[1].attachments.size(), 1u);
    EXPECT_EQ(source.sent[1].attachments[0].name, "report.txt");
    EXPECT_EQ(source.sent[1].attachments[0].content_base64, "aGk=");

    s.files = {(tmp.path() / "missing.pdf").string()};
    const auto missing = execute(exec, {s, std::nullopt, 5, {}}, j);
    EXPECT_EQ(missing.result, actions::outcome::kind::retry);
    EXPECT_THAT(missing.detail, HasSubstr("missing.pdf"));
}

TEST_F(mail_out_action, a_templated_recipient_that_is_no_address_is_dead) {
    actions::executor exec(ioc.get_executor(), options());
    config::send_action s;
    s.to = {templ("{{from_name}}")};
    s.subject = templ("x");
    s.body = templ("y");
    const auto o = execute(exec, {s, std::nullopt, 5, {}});
    EXPECT_EQ(o.result, actions::outcome::kind::dead);
    EXPECT_EQ(o.detail, "send: to[0]: '{{from_name}}' expanded to 'Supplier', which is not a mail address");
    EXPECT_TRUE(source.calls.empty());
}

}  // namespace
}  // namespace ewstrigd::test
