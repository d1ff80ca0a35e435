// The check and test subcommands as an admin runs them: exit codes, what is
// printed where, and that secrets never appear in any output.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "config_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <vector>

namespace ewstrigd::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct run_result {
    int code;
    std::string out;
    std::string err;
};

run_result run(std::vector<std::string> args) {
    args.insert(args.begin(), "ewstrigd");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

// A config whose secrets come from files, with an invoice trigger.
struct invoice_setup {
    testing::config_dir d;
    std::string main;

    invoice_setup() {
        d.dir.write("secrets/password", "hunter2-password\n");
        d.dir.write("secrets/hook-token", "tok-0123456789\n");
        main = d.dir.write("ewstrigd.yaml", R"(mailboxes:
  - id: invoices
    address: invoices@contoso.com
    auth: { kind: basic, username: svc, password: "${file:secrets/password}" }
triggers:
  - name: supplier-invoice
    mailbox: invoices
    when:
      from: "*@supplier.example"
      subject: { regex: 'Rechnung (?P<number>\d+)' }
      attachment_name: "*.pdf"
    actions:
      - run: ["/opt/erp/import", "{{match.number}}", "{{message_file}}", "${file:secrets/hook-token}"]
        timeout: 5m
      - webhook:
          url: "https://hooks.example.com/in?n={{match.number}}"
          headers: { Authorization: "Bearer ${file:secrets/hook-token}", X-Invoice: "{{match.number}}" }
      - save: { dir: /srv/invoices, name: "{{match.number}}.eml" }
      - mark_read: true
      - move_to: Inbox/Processed
  - name: newsletters
    mailbox: invoices
    when: { subject: "*newsletter*" }
    actions:
      - log: "newsletter {{subject}}"
)").string();
    }
};

TEST(cli_check, valid_config_prints_a_summary_and_exits_0) {
    invoice_setup s;
    auto r = run({"check", "-c", s.main});
    EXPECT_EQ(r.code, exit_code::ok);
    EXPECT_THAT(r.out, HasSubstr("OK, 1 mailbox, 2 triggers"));
    EXPECT_EQ(r.err, "");
}

TEST(cli_check, invalid_config_prints_every_error_on_stderr_and_exits_1) {
    testing::config_dir d;
    auto file = d.dir.write("ewstrigd.yaml", "mailboxes:\n  - id: a\n    address: nobody\n    auth: { kind: basic }\n");
    auto r = run({"check", "-c", file.string()});
    EXPECT_EQ(r.code, exit_code::invalid_config);
    EXPECT_EQ(r.out, "");
    const std::string prefix = file.string() + ":";
    EXPECT_THAT(r.err, HasSubstr(prefix + "3:14: mailboxes[0].address: 'nobody' is not an email address\n"));
    EXPECT_THAT(r.err, HasSubstr(prefix + "4:11: mailboxes[0].auth: 'username' is required for auth kind basic\n"));
    EXPECT_THAT(r.err, HasSubstr("ewstrigd: 3 errors in the configuration\n"));
}

TEST(cli_check, secrets_never_appear_even_in_errors) {
    invoice_setup s;
    // Break the config in a place next to the secrets.
    s.d.dir.write("ewstrigd.yaml", "variables:\n  token: ${file:secrets/hook-token}\n" +
                                       testing::read_file(s.main) + "    bogus: 1\n");
    auto r = run({"check", "-c", s.main});
    EXPECT_EQ(r.code, exit_code::invalid_config);
    for (const auto& text : {r.out, r.err}) {
        EXPECT_THAT(text, Not(HasSubstr("hunter2")));
        EXPECT_THAT(text, Not(HasSubstr("tok-0123")));
    }
}

TEST(cli_test, dry_run_of_a_matching_eml_shows_captures_and_expanded_actions) {
    invoice_setup s;
    const std::string message = std::string(EWSTRIGD_TEST_DATA) + "/mail/multipart-invoice.eml";
    auto r = run({"test", "-c", s.main, "--message", message, "--json"});
    ASSERT_EQ(r.code, exit_code::ok) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["matched"].size(), 1u);
    const auto& hit = doc["matched"][0];
    EXPECT_EQ(hit["trigger"], "supplier-invoice");
    EXPECT_EQ(hit["captures"]["number"], "4711");
    const auto& actions = hit["actions"];
    ASSERT_EQ(actions.size(), 5u);
    EXPECT_EQ(actions[0]["type"], "run");
    EXPECT_EQ(actions[0]["argv"][0], "/opt/erp/import");
    EXPECT_EQ(actions[0]["argv"][1], "4711");
    EXPECT_EQ(actions[0]["argv"][2], message);
    EXPECT_EQ(actions[0]["argv"][3], "<redacted>");  // came from ${file:}
    EXPECT_EQ(actions[0]["timeout"], "5m");
    EXPECT_EQ(actions[1]["url"], "https://hooks.example.com/in?n=4711");
    EXPECT_EQ(actions[1]["headers"]["Authorization"], "<redacted>");
    EXPECT_EQ(actions[1]["headers"]["X-Invoice"], "4711");
    EXPECT_EQ(actions[2]["path"], "/srv/invoices/4711.eml");
    EXPECT_EQ(actions[3]["type"], "mark_read");
    EXPECT_EQ(actions[4]["folder"], "Inbox/Processed");
    EXPECT_EQ(doc["message"]["subject"], "Rechnung 4711 \u2013 Zahlung f\u00e4llig");
    EXPECT_THAT(r.out, Not(HasSubstr("tok-0123")));
}

TEST(cli_test, text_output_says_nothing_was_executed) {
    invoice_setup s;
    auto r = run({"test", "-c", s.main, "-m", std::string(EWSTRIGD_TEST_DATA) + "/mail/multipart-invoice.eml"});
    ASSERT_EQ(r.code, exit_code::ok) << r.err;
    EXPECT_THAT(r.out, HasSubstr("matched 1 of 2 triggers"));
    EXPECT_THAT(r.out, HasSubstr("supplier-invoice (mailbox invoices)"));
    EXPECT_THAT(r.out, HasSubstr("captures: number=4711"));
    EXPECT_THAT(r.out, HasSubstr("run: /opt/erp/import 4711 "));
    EXPECT_THAT(r.out, HasSubstr("nothing was executed (dry run)"));
    EXPECT_THAT(r.out, Not(HasSubstr("tok-0123")));
}

TEST(cli_test, folder_and_mailbox_filters_apply) {
    invoice_setup s;
    const std::string message = std::string(EWSTRIGD_TEST_DATA) + "/mail/multipart-invoice.eml";
    // The invoice triggers name no folder, so they cover what the mailbox
    // watches (inbox); an unknown mailbox id is a usage error.
    EXPECT_EQ(run({"test", "-c", s.main, "-m", message, "--folder", "inbox", "--mailbox", "invoices"}).code, exit_code::ok);
    // A folder the mailbox does not watch is never seen by its triggers.
    auto junk = run({"test", "-c", s.main, "-m", message, "--folder", "junkemail", "--json"});
    EXPECT_EQ(junk.code, exit_code::no_match);
    EXPECT_EQ(nlohmann::json::parse(junk.out)["evaluated"], 0);
    auto r = run({"test", "-c", s.main, "-m", message, "--mailbox", "payroll"});
    EXPECT_EQ(r.code, exit_code::usage);
    EXPECT_THAT(r.err, HasSubstr("--mailbox: no mailbox has id 'payroll'"));
}

TEST(cli_test, no_match_exits_3) {
    invoice_setup s;
    auto msg = s.d.dir.write("plain.eml", "From: a@b.example\r\nSubject: hello\r\n\r\nhi\r\n");
    auto r = run({"test", "-c", s.main, "-m", msg.string(), "--json"});
    EXPECT_EQ(r.code, exit_code::no_match);
    EXPECT_EQ(nlohmann::json::parse(r.out)["matched"].size(), 0u);
}

TEST(cli_test, unreadable_message_exits_4_naming_the_file) {
    invoice_setup s;
    auto r = run({"test", "-c", s.main, "-m", "/nonexistent/mail.eml"});
    EXPECT_EQ(r.code, exit_code::bad_message);
    EXPECT_THAT(r.err, HasSubstr("/nonexistent/mail.eml"));
}

TEST(cli_test, invalid_config_exits_1_before_reading_the_message) {
    testing::config_dir d;
    auto file = d.dir.write("ewstrigd.yaml", "nonsense: [");
    auto r = run({"test", "-c", file.string(), "-m", "/nonexistent/mail.eml"});
    EXPECT_EQ(r.code, exit_code::invalid_config);
    EXPECT_THAT(r.err, HasSubstr("YAML syntax error"));
}

TEST(cli_usage, bad_command_lines_exit_2) {
    EXPECT_EQ(run({}).code, exit_code::usage);
    EXPECT_EQ(run({"frobnicate"}).code, exit_code::usage);
    EXPECT_EQ(run({"check", "--no-such-flag"}).code, exit_code::usage);
    auto r = run({"test", "-c", "x.yaml"});
    EXPECT_EQ(r.code, exit_code::usage);
    EXPECT_THAT(r.err, HasSubstr("--message"));
}

TEST(cli_usage, help_and_version_exit_0) {
    auto help = run({"--help"});
    EXPECT_EQ(help.code, exit_code::ok);
    EXPECT_THAT(help.out, HasSubstr("check"));
    auto sub = run({"test", "--help"});
    EXPECT_EQ(sub.code, exit_code::ok);
    EXPECT_THAT(sub.out, HasSubstr("--message"));
    auto version = run({"--version"});
    EXPECT_EQ(version.code, exit_code::ok);
    EXPECT_THAT(version.out, HasSubstr("ewstrigd " EWSTRIGD_VERSION_FOR_TESTS));
}

}  // namespace
}  // namespace ewstrigd::cli
