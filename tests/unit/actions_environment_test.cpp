#include "actions/environment.hpp"

#include "actions_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ewstrigd::actions {
namespace {

using testing::sample_job;

std::string value(const std::vector<std::string>& env, const std::string& name) {
    std::string found = "<absent>";
    for (const auto& e : env) {
        if (e.starts_with(name + "=")) found = e.substr(name.size() + 1);
    }
    return found;
}

TEST(actions_environment, event_variables) {
    const auto env = build_environment({}, sample_job(), {}, "/tmp/m.eml");
    EXPECT_EQ(value(env, "EWSTRIGD_SUBJECT"), "Rechnung 4711 – Grüße");
    EXPECT_EQ(value(env, "EWSTRIGD_FROM"), "billing@supplier.example");
    EXPECT_EQ(value(env, "EWSTRIGD_FROM_NAME"), "Supplier AG");
    EXPECT_EQ(value(env, "EWSTRIGD_TO"), "invoices@contoso.com, ap@contoso.com");
    EXPECT_EQ(value(env, "EWSTRIGD_CC"), "boss@contoso.com");
    EXPECT_EQ(value(env, "EWSTRIGD_ITEM_ID"), "AAMkAD=");
    EXPECT_EQ(value(env, "EWSTRIGD_EVENT_ID"), "ev-42");
    EXPECT_EQ(value(env, "EWSTRIGD_MAILBOX"), "invoices");
    EXPECT_EQ(value(env, "EWSTRIGD_TRIGGER"), "supplier-invoice");
    EXPECT_EQ(value(env, "EWSTRIGD_FOLDER"), "inbox");
    EXPECT_EQ(value(env, "EWSTRIGD_RECEIVED"), "2026-11-28T10:11:12Z");
    EXPECT_EQ(value(env, "EWSTRIGD_IMPORTANCE"), "high");
    EXPECT_EQ(value(env, "EWSTRIGD_ATTACHMENTS"), "4711.pdf");
    EXPECT_EQ(value(env, "EWSTRIGD_MESSAGE_FILE"), "/tmp/m.eml");
    EXPECT_EQ(value(env, "EWSTRIGD_MATCH_NUMBER"), "4711");
}

TEST(actions_environment, no_message_file_variable_without_a_file) {
    EXPECT_EQ(value(build_environment({}, sample_job(), {}, ""), "EWSTRIGD_MESSAGE_FILE"), "<absent>");
}

TEST(actions_environment, secrets_and_service_plumbing_are_not_inherited) {
    const std::vector<std::string> daemon_env{
        "PATH=/usr/bin", "HOME=/var/lib/ewstrigd", "LANG=C.UTF-8", "CLIENT_SECRET=x", "db_password=x",
        "GITHUB_TOKEN=x", "AWS_ACCESS_KEY_ID=x", "MY_API_KEY=x", "NOTIFY_SOCKET=/run/x", "WATCHDOG_USEC=1",
        "LISTEN_FDS=1", "CREDENTIALS_DIRECTORY=/run/credentials/x", "EWSTRIGD_CONFIG=/etc/x",
        "EWSTRIGD_SUBJECT=forged", "noequals", "=novalue"};
    const auto env = build_environment(daemon_env, sample_job(), {}, "");
    EXPECT_EQ(value(env, "PATH"), "/usr/bin");
    EXPECT_EQ(value(env, "HOME"), "/var/lib/ewstrigd");
    EXPECT_EQ(value(env, "LANG"), "C.UTF-8");
    for (const char* gone : {"CLIENT_SECRET", "db_password", "GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "MY_API_KEY",
                             "NOTIFY_SOCKET", "WATCHDOG_USEC", "LISTEN_FDS", "CREDENTIALS_DIRECTORY", "EWSTRIGD_CONFIG"}) {
        EXPECT_EQ(value(env, gone), "<absent>") << gone;
    }
    EXPECT_EQ(value(env, "EWSTRIGD_SUBJECT"), "Rechnung 4711 – Grüße");
    EXPECT_EQ(std::count_if(env.begin(), env.end(), [](const std::string& e) { return e.starts_with("EWSTRIGD_SUBJECT="); }),
              1);
}

TEST(actions_environment, capture_names_become_variable_names) {
    auto j = sample_job();
    j.data.captures = {{"order_no", "1"}, {"Mixed9", "2"}};
    const auto env = build_environment({}, j, {}, "");
    EXPECT_EQ(value(env, "EWSTRIGD_MATCH_ORDER_NO"), "1");
    EXPECT_EQ(value(env, "EWSTRIGD_MATCH_MIXED9"), "2");
}

TEST(actions_environment, configured_entries_are_expanded_and_win) {
    config::run_action run;
    run.env.emplace("INVOICE", testing::templ("{{match.number}}"));
    run.env.emplace("PATH", testing::templ("/opt/erp/bin"));
    const auto env = build_environment({"PATH=/usr/bin"}, sample_job(), run, "");
    EXPECT_EQ(value(env, "INVOICE"), "4711");
    EXPECT_EQ(value(env, "PATH"), "/opt/erp/bin");
}

TEST(actions_environment, nul_bytes_are_dropped) {
    auto j = sample_job();
    j.data.message.subject = std::string("a\0b", 3);
    EXPECT_EQ(value(build_environment({}, j, {}, ""), "EWSTRIGD_SUBJECT"), "ab");
}

}  // namespace
}  // namespace ewstrigd::actions
