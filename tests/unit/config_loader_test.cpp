// Every validation error an admin can meet, with its exact FILE:LINE:COLUMN.
#include "config_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace ewstrigd::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::basic_mailbox;
using testing::config_dir;

std::string with_trigger(const std::string& trigger_yaml) {
    return std::string(basic_mailbox) + "triggers:\n" + trigger_yaml;
}

const char* const log_action_yaml = "    actions:\n      - log: hello\n";

TEST(config_loader, loads_a_valid_config_with_defaults) {
    config_dir d;
    const auto cfg = d.load(with_trigger("  - name: t1\n    mailbox: invoices\n    when: { subject: '*invoice*' }\n" +
                                         std::string(log_action_yaml)));
    ASSERT_EQ(cfg.mailboxes.size(), 1u);
    const auto& mb = cfg.mailboxes[0];
    EXPECT_EQ(mb.id, "invoices");
    EXPECT_EQ(mb.ews_url, "https://outlook.office365.com/EWS/Exchange.asmx");
    EXPECT_EQ(mb.auth->kind, auth_kind::basic);
    EXPECT_EQ(mb.auth->password.reveal(), "pw");
    EXPECT_TRUE(mb.tls->verify);
    EXPECT_EQ(mb.watch->folders, std::vector<std::string>{"inbox"});
    EXPECT_EQ(mb.watch->mode, watch_mode::streaming);
    EXPECT_EQ(mb.watch->stream_idle_timeout, std::chrono::seconds(120));
    EXPECT_EQ(mb.watch->on_start, start_mode::catch_up);
    EXPECT_EQ(cfg.state_dir, "/var/lib/ewstrigd");
    EXPECT_EQ(cfg.log.level, "info");
    ASSERT_EQ(cfg.triggers.size(), 1u);
    EXPECT_EQ(cfg.triggers[0].name, "t1");
    ASSERT_EQ(cfg.triggers[0].actions.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<ewstrigd::config::log_action>(cfg.triggers[0].actions[0].what));
}

TEST(config_loader, yaml_syntax_error_has_its_position) {
    config_dir d;
    EXPECT_THAT(d.errors("mailboxes:\n  - id: [unclosed\n"),
                ElementsAre(HasSubstr("ewstrigd.yaml:3:1: YAML syntax error: ")));
}

TEST(config_loader, empty_file_is_explained) {
    config_dir d;
    EXPECT_THAT(d.errors(""), ElementsAre("ewstrigd.yaml: the file is empty; it needs at least mailboxes and triggers"));
}

TEST(config_loader, missing_main_file_is_named) {
    config_dir d;
    auto result = load_config(d.dir.path() / "nope.yaml");
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_THAT(d.relative(result.errors)[0], "nope.yaml: cannot read: No such file or directory");
}

TEST(config_loader, unknown_key_suggests_the_right_one) {
    config_dir d;
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "trigers: []\n"),
                ElementsAre("ewstrigd.yaml:5:1: the top level: unknown key 'trigers' (did you mean 'triggers'?)"));
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    adress: a@b.example\n    address: a@b.example\n"
                         "    auth: { kind: basic, username: u, password: p }\n"),
                ElementsAre("ewstrigd.yaml:3:5: mailboxes[0]: unknown key 'adress' (did you mean 'address'?)"));
}

TEST(config_loader, a_key_given_twice_is_an_error) {
    config_dir d;
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    id: b\n    address: a@b.example\n"
                         "    auth: { kind: basic, username: u, password: p }\n"),
                ElementsAre("ewstrigd.yaml:3:5: mailboxes[0]: key 'id' is given twice"));
}

TEST(config_loader, wrong_types_are_named) {
    config_dir d;
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "    watch: { folders: inbox, poll_interval: [60s] }\n"),
                ElementsAre("ewstrigd.yaml:5:45: mailboxes[0].watch.poll_interval must be text, not a list"));
    EXPECT_THAT(d.errors("mailboxes: {id: a}\n"),
                ElementsAre("ewstrigd.yaml:1:12: mailboxes must be a list, not a map"));
    EXPECT_THAT(d.errors("triggers: []\n"), ElementsAre("ewstrigd.yaml: no mailboxes are configured"));
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "    tls: { verify: maybe }\n"),
                ElementsAre("ewstrigd.yaml:5:20: mailboxes[0].tls.verify must be true or false, not 'maybe'"));
}

TEST(config_loader, oauth_kinds_require_client_and_tenant_ids_basic_does_not) {
    config_dir d;
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n    auth:\n      kind: oauth-delegated\n"
                         "      tenant_id: contoso.example\n"),
                ElementsAre("ewstrigd.yaml:5:7: mailboxes[0].auth: 'client_id' is required for auth kind oauth-delegated"));
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n    auth:\n      kind: oauth-app\n"
                         "      client_id: x\n      client_secret: s\n"),
                ElementsAre("ewstrigd.yaml:5:7: mailboxes[0].auth: 'tenant_id' is required for auth kind oauth-app"));
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n    auth: { kind: basic }\n"),
                ElementsAre("ewstrigd.yaml:4:11: mailboxes[0].auth: 'username' is required for auth kind basic",
                            "ewstrigd.yaml:4:11: mailboxes[0].auth: 'password' is required for auth kind basic"));
}

TEST(config_loader, auth_keys_of_another_kind_are_rejected) {
    config_dir d;
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n"
                         "    auth: { kind: ntlm, username: u, password: p, client_id: c }\n"),
                ElementsAre("ewstrigd.yaml:4:51: mailboxes[0].auth: 'client_id' does not apply to auth kind ntlm"));
}

TEST(config_loader, oauth_app_needs_a_secret_or_a_certificate) {
    config_dir d;
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n"
                         "    auth: { kind: oauth-app, tenant_id: t, client_id: c }\n"),
                ElementsAre("ewstrigd.yaml:4:11: mailboxes[0].auth: oauth-app needs either client_secret or "
                            "certificate + private_key"));
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n"
                         "    auth: { kind: oauth-app, tenant_id: t, client_id: c, certificate: cert.pem, private_key: key.pem }\n"),
                ElementsAre("ewstrigd.yaml:4:71: mailboxes[0].auth.certificate: cannot read file 'cert.pem'",
                            "ewstrigd.yaml:4:94: mailboxes[0].auth.private_key: cannot read file 'key.pem'"));
}

TEST(config_loader, redirect_uri_must_be_loopback) {
    config_dir d;
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n    auth:\n      kind: oauth-delegated\n"
                         "      tenant_id: t\n      client_id: c\n      redirect_uri: https://example.com/cb\n"),
                ElementsAre(HasSubstr("ewstrigd.yaml:8:21: mailboxes[0].auth.redirect_uri: must be a loopback URI")));
}

TEST(config_loader, bad_enum_values_list_the_choices) {
    config_dir d;
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "    watch: { mode: straming }\n"),
                ElementsAre("ewstrigd.yaml:5:20: mailboxes[0].watch.mode must be one of streaming, pull, poll, "
                            "not 'straming' (did you mean 'streaming'?)"));
}

TEST(config_loader, durations_need_units) {
    config_dir d;
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "    watch: { mode: poll, poll_interval: 60 }\n"),
                ElementsAre("ewstrigd.yaml:5:41: mailboxes[0].watch.poll_interval: '60' has no unit (write e.g. 60s)"));
}

TEST(config_loader, stream_idle_timeout_is_read_and_changes_the_connection) {
    config_dir d;
    const auto cfg = d.load(std::string(basic_mailbox) + "    watch: { stream_idle_timeout: 2m }\n" +
                            "triggers:\n  - name: t1\n    mailbox: invoices\n    when: { subject: '*' }\n" +
                            log_action_yaml);
    ASSERT_EQ(cfg.mailboxes.size(), 1u);
    EXPECT_EQ(cfg.mailboxes[0].watch->stream_idle_timeout, std::chrono::seconds(120));
    // A reload that changes it restarts the mailbox's stream with the new limit.
    auto changed = cfg.mailboxes[0];
    changed.watch.edit().stream_idle_timeout = std::chrono::seconds(30);
    EXPECT_FALSE(same_connection(cfg.mailboxes[0], changed));
}

// Mailboxes of one application share their settings blocks (10,000
// mailboxes: issue 8); each still reads its own values, and changing one
// mailbox's copy leaves the others as they were.
TEST(config_loader, mailboxes_with_equal_settings_share_them_and_keep_their_own_values) {
    config_dir d;
    const std::string app = "    auth: { kind: oauth-app, tenant_id: t, client_id: c, client_secret: s }\n"
                            "    watch: { folders: [inbox, invoices] }\n";
    auto cfg = d.load("mailboxes:\n"
                      "  - id: a\n    address: a@contoso.example\n" + app +
                      "  - id: b\n    address: b@contoso.example\n" + app +
                      "  - id: c\n    address: c@contoso.example\n"
                      "    auth: { kind: basic, username: svc, password: pw }\n"
                      "triggers:\n  - name: t1\n    mailbox: a\n    when: { subject: '*' }\n" + log_action_yaml);
    ASSERT_EQ(cfg.mailboxes.size(), 3u);
    const auto& a = cfg.mailboxes[0];
    auto& b = cfg.mailboxes[1];
    const auto& c = cfg.mailboxes[2];
    EXPECT_TRUE(a.auth.same_block(b.auth));
    EXPECT_TRUE(a.watch.same_block(b.watch));
    EXPECT_TRUE(a.tls.same_block(c.tls));  // both the default
    EXPECT_FALSE(a.auth.same_block(c.auth));
    EXPECT_EQ(b.auth->client_id, "c");
    EXPECT_EQ(b.watch->folders, (std::vector<std::string>{"inbox", "invoices"}));
    EXPECT_EQ(c.auth->username, "svc");
    EXPECT_EQ(c.watch->folders, std::vector<std::string>{"inbox"});

    const auto before = b;
    b.watch.edit().folders = {"inbox"};
    EXPECT_EQ(a.watch->folders, (std::vector<std::string>{"inbox", "invoices"}));
    EXPECT_EQ(before.watch->folders, (std::vector<std::string>{"inbox", "invoices"}));
    EXPECT_FALSE(same_connection(before, b));
    b.watch.edit().folders = {"inbox", "invoices"};
    EXPECT_FALSE(b.watch.same_block(before.watch));
    EXPECT_TRUE(same_connection(before, b)) << "equal values in separate blocks: still the same connection";
}

TEST(config_loader, intervals_below_their_minimum_name_the_key) {
    config_dir d;
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "    watch: { stream_idle_timeout: 4s }\n"),
                ElementsAre("ewstrigd.yaml:5:35: mailboxes[0].watch.stream_idle_timeout: must be at least 5s"));
    EXPECT_THAT(d.errors(std::string(basic_mailbox) + "    watch: { mode: poll, poll_interval: 500ms }\n"),
                ElementsAre("ewstrigd.yaml:5:41: mailboxes[0].watch.poll_interval: must be at least 1s"));
}

TEST(config_loader, duplicate_mailbox_ids_and_trigger_names_point_at_the_first) {
    config_dir d;
    EXPECT_THAT(d.errors(std::string(basic_mailbox) +
                         "  - id: invoices\n    address: x@contoso.example\n    auth: { kind: basic, username: u, password: p }\n"),
                ElementsAre("ewstrigd.yaml:5:9: mailboxes[1].id: mailbox id 'invoices' is already used at ewstrigd.yaml:2"));
    const std::string t = "    mailbox: invoices\n    when: { subject: x }\n" + std::string(log_action_yaml);
    EXPECT_THAT(d.errors(with_trigger("  - name: same\n" + t + "  - name: same\n" + t)),
                ElementsAre("ewstrigd.yaml:11:11: triggers[1].name: trigger name 'same' is already used at ewstrigd.yaml:6"));
}

TEST(config_loader, trigger_naming_an_unknown_mailbox_or_folder) {
    config_dir d;
    EXPECT_THAT(d.errors(with_trigger("  - name: t\n    mailbox: invoice\n    when: { subject: x }\n" + std::string(log_action_yaml))),
                ElementsAre("ewstrigd.yaml:7:14: triggers[0].mailbox: no mailbox has id 'invoice' (did you mean 'invoices'?)"));
    EXPECT_THAT(d.errors(with_trigger("  - name: t\n    mailbox: invoices\n    folder: junk\n    when: { subject: x }\n" +
                                      std::string(log_action_yaml))),
                ElementsAre("ewstrigd.yaml:8:13: triggers[0].folder: mailbox 'invoices' does not watch folder 'junk' "
                            "(its watch.folders: inbox)"));
}

TEST(config_loader, invalid_regex_carries_the_re2_message) {
    config_dir d;
    EXPECT_THAT(d.errors(with_trigger("  - name: t\n    mailbox: invoices\n    when:\n      subject: { regex: 'Invoice (\\d+' }\n" +
                                      std::string(log_action_yaml))),
                ElementsAre("ewstrigd.yaml:9:25: triggers[0].when.subject: invalid regex: missing ): Invoice (\\d+"));
}

TEST(config_loader, variables_env_and_files_expand) {
    config_dir d;
    d.dir.write("secret.txt", "s3cret\n");
    ::setenv("EWSTRIGD_TEST_CLIENT", "client-123", 1);
    const auto cfg = d.load(
        "variables:\n  tenant: contoso.example\n  app: ${env:EWSTRIGD_TEST_CLIENT}\n"
        "mailboxes:\n  - id: a\n    address: a@b.example\n    auth:\n      kind: oauth-app\n"
        "      tenant_id: ${var:tenant}\n      client_id: ${var:app}\n      client_secret: ${file:secret.txt}\n");
    ASSERT_EQ(cfg.mailboxes.size(), 1u);
    EXPECT_EQ(cfg.mailboxes[0].auth->tenant_id, "contoso.example");
    EXPECT_EQ(cfg.mailboxes[0].auth->client_id, "client-123");
    EXPECT_EQ(cfg.mailboxes[0].auth->client_secret.reveal(), "s3cret");
}

TEST(config_loader, expansion_errors_point_into_the_value) {
    config_dir d;
    ::unsetenv("EWSTRIGD_TEST_UNSET");
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n"
                         "    auth:\n      kind: basic\n      username: id-${var:user}\n"
                         "      password: ${env:EWSTRIGD_TEST_UNSET}\n"
                         "  - id: b\n    address: b@b.example\n"
                         "    auth: { kind: basic, username: u, password: '${file:missing.txt}' }\n"),
                ElementsAre("ewstrigd.yaml:6:20: mailboxes[0].auth.username: undefined variable 'user'",
                            "ewstrigd.yaml:7:17: mailboxes[0].auth.password: environment variable EWSTRIGD_TEST_UNSET is not set",
                            HasSubstr("ewstrigd.yaml:10:50: mailboxes[1].auth.password: cannot read file '")));
}

TEST(config_loader, variables_cannot_refer_to_variables) {
    config_dir d;
    EXPECT_THAT(d.errors("variables:\n  a: x\n  b: ${var:a}\n" + std::string(basic_mailbox)),
                ElementsAre("ewstrigd.yaml:3:6: variables.b: ${var:a} cannot be used here (variables cannot refer to variables)"));
}

TEST(config_loader, templates_are_checked_at_load_time) {
    config_dir d;
    const std::string head = "  - name: t\n    mailbox: invoices\n    when: { subject: { regex: 'Invoice (?P<number>\\d+)' } }\n"
                             "    actions:\n";
    EXPECT_THAT(d.errors(with_trigger(head + "      - log: 'got {{subjct}}'\n")),
                ElementsAre("ewstrigd.yaml:10:19: triggers[0].actions[0].log: unknown placeholder '{{subjct}}' "
                            "(did you mean 'subject'?)"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - log: 'got {{match.numbr}}'\n")),
                ElementsAre("ewstrigd.yaml:10:19: triggers[0].actions[0].log: unknown placeholder '{{match.numbr}}' "
                            "(no regex of this trigger has a group named 'numbr')"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - log: 'file {{message_file}}'\n")),
                ElementsAre("ewstrigd.yaml:10:20: triggers[0].actions[0].log: unknown placeholder '{{message_file}}' "
                            "(message_file is only available to run actions)"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - run: [/bin/true, '{{match.number}}', '{{message_file}}']\n")),
                ::testing::IsEmpty());
    EXPECT_THAT(d.errors(with_trigger(head + "      - log: 'broken {{subject'\n")),
                ElementsAre(HasSubstr("ewstrigd.yaml:10:22: triggers[0].actions[0].log: ")));
}

TEST(config_loader, action_entries_are_validated) {
    config_dir d;
    const std::string head = "  - name: t\n    mailbox: invoices\n    when: { subject: x }\n    actions:\n";
    EXPECT_THAT(d.errors(with_trigger(head + "      - run: /bin/sh -c 'echo {{subject}}'\n")),
                ElementsAre("ewstrigd.yaml:10:14: triggers[0].actions[0].run must be a list: the program and its "
                            "arguments (no shell is used)"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - { mark_read: true, move_to: Done }\n")),
                ElementsAre(HasSubstr("ewstrigd.yaml:10:9: triggers[0].actions[0]: more than one action in one entry")));
    EXPECT_THAT(d.errors(with_trigger(head + "      - webhook: { url: 'ftp://x' }\n")),
                ElementsAre("ewstrigd.yaml:10:25: triggers[0].actions[0].webhook.url: must start with https:// or http://"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - save: { name: x.eml }\n")),
                ElementsAre("ewstrigd.yaml:10:15: triggers[0].actions[0].save: missing required key 'dir'"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - log: x\n        cwd: /tmp\n")),
                ElementsAre("ewstrigd.yaml:11:14: triggers[0].actions[0]: 'cwd' applies only to run actions"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - move_to: /Inbox/\n")),
                ElementsAre("ewstrigd.yaml:10:18: triggers[0].actions[0].move_to: '/Inbox/' is not a folder path like Inbox/Processed"));
    EXPECT_THAT(d.errors(with_trigger(head + "      - log: x\n        timeout: 0s\n")),
                ElementsAre("ewstrigd.yaml:11:18: triggers[0].actions[0].timeout: must be longer than 0"));
}

TEST(config_loader, conditions_are_validated) {
    config_dir d;
    const std::string head = "  - name: t\n    mailbox: invoices\n";
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { subjet: x }\n" + log_action_yaml)),
                ElementsAre("ewstrigd.yaml:8:13: triggers[0].when: unknown key 'subjet' (did you mean 'subject'?)"));
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { importance: urgent }\n" + log_action_yaml)),
                ElementsAre("ewstrigd.yaml:8:25: triggers[0].when.importance must be one of low, normal, high, not 'urgent'"));
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { subject: { contains: a, equals: b } }\n" + log_action_yaml)),
                ElementsAre("ewstrigd.yaml:8:22: triggers[0].when.subject: give exactly one of glob, contains, equals or regex"));
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { attachment_size: { min: 5MB, max: 1MB } }\n" + log_action_yaml)),
                ElementsAre("ewstrigd.yaml:8:30: triggers[0].when.attachment_size: min is larger than max"));
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { received: { after: yesterday } }\n" + log_action_yaml)),
                ElementsAre(HasSubstr("ewstrigd.yaml:8:32: triggers[0].when.received.after: 'yesterday' is not an ISO 8601 time")));
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { any: [] }\n" + log_action_yaml)),
                ElementsAre("ewstrigd.yaml:8:18: triggers[0].when.any: an empty list of conditions"));
    EXPECT_THAT(d.errors(with_trigger(head + "    when: { has_attachments: sometimes }\n" + log_action_yaml)),
                ElementsAre("ewstrigd.yaml:8:30: triggers[0].when.has_attachments must be true or false, not 'sometimes'"));
}

TEST(config_loader, reports_all_errors_at_once) {
    config_dir d;
    const auto errors = d.errors("mailboxes:\n  - id: a\n    address: nobody\n    auth: { kind: kerberos }\n"
                                 "triggers:\n  - name: t\n    mailbox: b\n    when: { subject: { regex: '(' } }\n"
                                 "    actions: []\n");
    EXPECT_THAT(errors, ElementsAre("ewstrigd.yaml:3:14: mailboxes[0].address: 'nobody' is not an email address",
                                    HasSubstr("ewstrigd.yaml:4:19: mailboxes[0].auth.kind must be one of oauth-delegated, "
                                              "oauth-app, basic, ntlm, not 'kerberos'"),
                                    "ewstrigd.yaml:7:14: triggers[0].mailbox: no mailbox has id 'b'",
                                    HasSubstr("ewstrigd.yaml:8:31: triggers[0].when.subject: invalid regex: missing ): ("),
                                    "ewstrigd.yaml:9:14: triggers[0].actions: a trigger needs at least one action"));
}

TEST(config_loader, trigger_files_add_triggers_and_name_their_own_file) {
    config_dir d;
    d.dir.write("triggers.d/10-good.yaml", "triggers:\n  - name: good\n    mailbox: invoices\n    when: { from: '*@x.example' }\n" +
                                               std::string(log_action_yaml));
    d.dir.write("triggers.d/20-bad.yaml", "triggers:\n  - name: bad\n    mailbox: invoices\n    when: { form: x }\n" +
                                              std::string(log_action_yaml));
    d.dir.write("triggers.d/README.txt", "not yaml: [");
    EXPECT_THAT(d.errors(basic_mailbox),
                ElementsAre("triggers.d/20-bad.yaml:4:13: triggers[0].when: unknown key 'form' (did you mean 'from'?)"));
    d.dir.write("triggers.d/20-bad.yaml", "");
    const auto cfg = d.load(basic_mailbox);
    ASSERT_EQ(cfg.triggers.size(), 1u);
    EXPECT_EQ(cfg.triggers[0].name, "good");
    EXPECT_EQ(cfg.trigger_files.size(), 2u);
}

TEST(config_loader, a_named_triggers_dir_must_exist) {
    config_dir d;
    EXPECT_THAT(d.errors("triggers_dir: rules\n" + std::string(basic_mailbox)),
                ElementsAre("ewstrigd.yaml:1:15: triggers_dir: 'rules' is not a directory"));
}

TEST(config_loader, alias_bombs_and_deep_nesting_fail_fast) {
    config_dir d;
    // The anchors live in a trigger's `when`, so loading must walk them.
    const auto errors = d.errors(with_trigger("  - name: t\n    mailbox: invoices\n    when:\n      all:\n" +
                                              [&] {
                                                  std::string s = "        - &a0 { subject: x }\n";
                                                  for (int i = 1; i <= 20; ++i) {
                                                      s += "        - &a" + std::to_string(i) + " { all: [*a" +
                                                           std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "] }\n";
                                                  }
                                                  return s;
                                              }() +
                                              log_action_yaml));
    ASSERT_FALSE(errors.empty());
    EXPECT_THAT(errors[0], HasSubstr("more than 10000 conditions in one trigger"));
    std::string deep = "{ not: ";
    std::string close = " }";
    std::string nested;
    for (int i = 0; i < 40; ++i) nested += deep;
    nested += "{ subject: x }";
    for (int i = 0; i < 40; ++i) nested += close;
    EXPECT_THAT(d.errors(with_trigger("  - name: t\n    mailbox: invoices\n    when: " + nested + "\n" + log_action_yaml)),
                ElementsAre(HasSubstr("conditions nested deeper than 32 levels")));
}

}  // namespace
}  // namespace ewstrigd::config

namespace ewstrigd::config {
namespace {

TEST(config_loader, booleans_and_numbers_expand_variables_too) {
    testing::config_dir d;
    const auto cfg = d.load("variables: { verify: 'false', tries: '7' }\n" + std::string(testing::basic_mailbox) +
                            "    tls: { verify: '${var:verify}' }\ntriggers:\n  - name: t\n    mailbox: invoices\n"
                            "    when: { subject: x }\n    actions:\n      - { mark_read: true, retries: '${var:tries}' }\n");
    ASSERT_EQ(cfg.mailboxes.size(), 1u);
    EXPECT_FALSE(cfg.mailboxes[0].tls->verify);
    ASSERT_EQ(cfg.triggers.size(), 1u);
    EXPECT_EQ(cfg.triggers[0].actions[0].retries, 7);
}

TEST(config_loader, names_of_variables_and_environment_entries_are_checked) {
    testing::config_dir d;
    EXPECT_THAT(d.errors("variables:\n  'bad}name': x\n" + std::string(testing::basic_mailbox)),
                ::testing::ElementsAre("ewstrigd.yaml:2:3: variables: 'bad}name' is not a variable name (letters, digits, - _ .)"));
    EXPECT_THAT(d.errors(std::string(testing::basic_mailbox) +
                         "triggers:\n  - name: t\n    mailbox: invoices\n    when: { subject: x }\n"
                         "    actions:\n      - run: [/bin/true]\n        env: { 'A=B': x }\n"),
                ::testing::ElementsAre("ewstrigd.yaml:11:16: triggers[0].actions[0].env: 'A=B' is not an environment "
                                       "variable name (letters, digits, _)"));
}

TEST(config_loader, an_empty_client_secret_does_not_count_as_given) {
    testing::config_dir d;
    d.dir.write("app.crt", "cert");
    d.dir.write("app.key", "key");
    EXPECT_THAT(d.errors("mailboxes:\n  - id: a\n    address: a@b.example\n    auth:\n      kind: oauth-app\n"
                         "      tenant_id: t\n      client_id: c\n      client_secret:\n"
                         "      certificate: app.crt\n      private_key: app.key\n"),
                ::testing::IsEmpty());
}

TEST(config_loader, webhook_headers_are_templates) {
    testing::config_dir d;
    const auto cfg = d.load(std::string(testing::basic_mailbox) +
                            "triggers:\n  - name: t\n    mailbox: invoices\n    when: { subject: x }\n    actions:\n"
                            "      - webhook: { url: 'https://h.example/', headers: { X-Event: '{{event_id}}' } }\n");
    ASSERT_EQ(cfg.triggers.size(), 1u);
    const auto& hook = std::get<webhook_action>(cfg.triggers[0].actions[0].what);
    ASSERT_EQ(hook.headers.count("X-Event"), 1u);
    EXPECT_FALSE(hook.headers.at("X-Event").sensitive);
    EXPECT_THAT(d.errors(std::string(testing::basic_mailbox) +
                         "triggers:\n  - name: t\n    mailbox: invoices\n    when: { subject: x }\n    actions:\n"
                         "      - webhook: { url: 'https://h.example/', headers: { X-Event: '{{evnt_id}}' } }\n"),
                ::testing::ElementsAre(::testing::HasSubstr("unknown placeholder '{{evnt_id}}' (did you mean 'event_id'?)")));
}

}  // namespace
}  // namespace ewstrigd::config
