// The mail-out actions on the executor with a fake mail source: Sent Items
// first, then the send; what is skipped, retried or a dead letter.
#include "actions_fixture.hpp"
#include "util/base64.hpp"

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
    EXPECT_THAT(log_text.str(), HasSubstr("skipped: rate limit of 2 per 3600s for billing@supplier.example reached"));

    // Another mail-out action of the same trigger has its own count.
    auto second_action = sample_job();
    second_action.event_id = "ev-3";
    second_action.action_index = 1;
    EXPECT_EQ(execute(exec, reply(2), second_action).result, actions::outcome::kind::done);
    EXPECT_EQ(source.sent.size(), 3u);
}

TEST_F(mail_out_action, a_reply_counts_against_its_recipient_not_the_from_address) {
    actions::executor exec(ioc.get_executor(), options());
    for (int i = 0; i < 3; ++i) {  // three From addresses, one Reply-To: one recipient flooded
        auto j = sample_job();
        j.event_id = "ev-" + std::to_string(i);
        j.data.message.from.email = "robot" + std::to_string(i) + "@supplier.example";
        j.data.message.headers = {{"Reply-To", "target@victim.example"}};
        EXPECT_EQ(execute(exec, reply(2), j).result, actions::outcome::kind::done);
    }
    EXPECT_EQ(source.sent.size(), 2u);
    EXPECT_THAT(log_text.str(), HasSubstr("rate limit of 2 per 3600s for target@victim.example reached"));
}

TEST_F(mail_out_action, machine_sent_mail_is_still_forwarded_but_ewstrigd_mail_is_not) {
    actions::executor exec(ioc.get_executor(), options());
    config::forward_action f;
    f.to = {templ("accounting@contoso.com")};
    const config::action_config forward{f, std::nullopt, 5, {}};
    auto invoice = sample_job();
    invoice.data.message.headers = {{"Auto-Submitted", "auto-generated"}, {"Precedence", "bulk"}};
    EXPECT_EQ(execute(exec, forward, invoice).result, actions::outcome::kind::done);
    EXPECT_EQ(source.sent.size(), 1u) << "an ERP's invoice is forwarded";

    auto own = sample_job();
    own.event_id = "ev-8";
    own.data.message.headers = {{"X-Ewstrigd-Event", "ev-1/t/0"}};
    const auto o = execute(exec, forward, own);
    EXPECT_EQ(o.result, actions::outcome::kind::done);
    EXPECT_THAT(o.detail, HasSubstr("sent by ewstrigd"));
    EXPECT_EQ(source.sent.size(), 1u) << "mail of an ewstrigd is never passed on";
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
    EXPECT_EQ(source.sent[0].attachments[0].content_base64, util::base64_encode(source.mime))
        << "the source's base64 of the original, as it came";
    EXPECT_THAT(source.calls, ::testing::Contains("original item-1"));

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

// An attachment as the source hands it over: base64 and its decoded size.
source::attachment_file file(std::string name, std::string content_type, std::string_view bytes) {
    return {std::move(name), std::move(content_type), {util::base64_encode(bytes), bytes.size()}};
}

class send_with_attachments : public mail_out_action {
protected:
    send_with_attachments() {
        source.attachments = {file("a.pdf", "application/pdf", "%PDF-1.4 a"), file("b.txt", "text/plain", "b"),
                              file("SCAN.PDF", "application/pdf", std::string("\0\xff\x01", 3))};
    }
    static config::action_config send(std::vector<std::string> globs) {
        config::send_action s;
        s.to = {templ("accounting@contoso.com")};
        s.subject = templ("Invoice {{subject}}");
        s.body = templ("Attached.");
        s.attachments = std::move(globs);
        return {s, std::nullopt, 5, {}};
    }
    std::vector<std::string> sent_names() const {
        std::vector<std::string> names;
        for (const auto& a : source.sent.at(0).attachments) names.push_back(a.name);
        return names;
    }
};

TEST_F(send_with_attachments, attaches_only_the_attachments_whose_names_match) {
    actions::executor exec(ioc.get_executor(), options());
    const auto o = execute(exec, send({"*.pdf"}));
    EXPECT_EQ(o.result, actions::outcome::kind::done) << o.detail;
    EXPECT_THAT(source.calls, ElementsAre("find_sent ev-7/t/0", "list_attachments item-1",
                                          "fetch_attachments att-a.pdf,att-SCAN.PDF", "send Invoice Invoice 4711 – Grüße"));
    ASSERT_EQ(source.sent.size(), 1u);
    EXPECT_THAT(sent_names(), ElementsAre("a.pdf", "SCAN.PDF")) << "globs ignore case, like attachment_name";
    EXPECT_EQ(source.sent[0].attachments[0].content_type, "application/pdf");
    EXPECT_EQ(source.sent[0].attachments[0].content_base64, "JVBERi0xLjQgYQ==");
    EXPECT_EQ(source.sent[0].attachments[1].content_base64, "AP8B") << "binary bytes unchanged";
}

TEST_F(send_with_attachments, no_matching_attachment_sends_without_and_says_so) {
    actions::executor exec(ioc.get_executor(), options());
    const auto o = execute(exec, send({"*.xml", "*.csv"}));
    EXPECT_EQ(o.result, actions::outcome::kind::done) << o.detail;
    ASSERT_EQ(source.sent.size(), 1u);
    EXPECT_TRUE(source.sent[0].attachments.empty());
    EXPECT_THAT(source.calls, ::testing::Not(::testing::Contains(HasSubstr("fetch_attachments"))));
    EXPECT_THAT(log_text.str(), HasSubstr("send: no attachment of the message matches *.xml, *.csv "
                                          "(it has a.pdf, b.txt, SCAN.PDF); sending without"));
}

TEST_F(send_with_attachments, more_than_25_mib_is_a_dead_letter_before_and_after_fetching) {
    actions::executor exec(ioc.get_executor(), options());
    source.stated_size = std::uint64_t{15} << 20;  // two PDFs: 30 MiB as listed
    const auto listed = execute(exec, send({"*.pdf"}));
    EXPECT_EQ(listed.result, actions::outcome::kind::dead);
    EXPECT_EQ(listed.detail, "send: the matching attachments of the message add up to 30.0 MiB, more than the "
                             "25.0 MiB one mail may carry (a.pdf 15.0 MiB, SCAN.PDF 15.0 MiB)");
    EXPECT_THAT(source.calls, ::testing::Not(::testing::Contains(HasSubstr("fetch_attachments"))));
    EXPECT_THAT(log_text.str(), HasSubstr("send cannot be sent: the matching attachments"));

    // A server that states no size: the fetched contents are counted, by
    // their decoded size. One byte over 25 MiB is too much; exactly 25 MiB is not.
    source.stated_size = 0;
    source.attachments[0] = file("a.pdf", "application/pdf", std::string((std::size_t{25} << 20) + 1, 'x'));
    const auto fetched = execute(exec, send({"a.pdf"}));
    EXPECT_EQ(fetched.result, actions::outcome::kind::dead);
    EXPECT_THAT(fetched.detail, HasSubstr("add up to 25.0 MiB, more than the 25.0 MiB"));
    EXPECT_THAT(source.calls, ::testing::Contains("fetch_attachments att-a.pdf"));
    EXPECT_TRUE(source.sent.empty());

    source.attachments[0] = file("a.pdf", "application/pdf", std::string(std::size_t{25} << 20, 'x'));
    const auto at_limit = execute(exec, send({"a.pdf"}));
    EXPECT_EQ(at_limit.result, actions::outcome::kind::done) << at_limit.detail;
    ASSERT_EQ(source.sent.size(), 1u);
    EXPECT_EQ(source.sent[0].attachments.at(0).content_base64, source.attachments[0].content.text)
        << "the source's base64 goes into CreateItem as it came";
}

TEST_F(send_with_attachments, a_busy_server_is_retried_and_a_gone_message_is_dead) {
    actions::executor exec(ioc.get_executor(), options());
    // find_sent takes no outcome from the list; the listing gets the first.
    source.outcomes = {{ews::next_step::transient, {}, "ErrorServerBusy", "busy"}};
    const auto busy = execute(exec, send({"*.pdf"}));
    EXPECT_EQ(busy.result, actions::outcome::kind::retry);
    EXPECT_EQ(busy.detail, "listing the message's attachments failed: busy");

    source.outcomes = {{}, {ews::next_step::permanent, {}, "ErrorInvalidAttachmentId", "attachment gone"}};
    const auto gone = execute(exec, send({"*.pdf"}));
    EXPECT_EQ(gone.result, actions::outcome::kind::dead);
    EXPECT_EQ(gone.detail, "fetching the message's attachments failed: attachment gone");
    EXPECT_TRUE(source.sent.empty());
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
