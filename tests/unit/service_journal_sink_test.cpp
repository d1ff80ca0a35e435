// log.format: journal. What `journalctl -u ewstrigd MAILBOX=invoices -p warning`
// relies on: every line becomes one entry with MESSAGE and PRIORITY, and the
// mailbox/trigger/event context of a line becomes fields of its own.
#include "service/journal_sink.hpp"
#include "service/log_fields.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::service {
namespace {

using entry = std::map<std::string, std::string>;

entry as_entry(const std::vector<std::string>& fields) {
    entry e;
    for (const auto& f : fields) {
        const auto eq = f.find('=');
        EXPECT_NE(eq, std::string::npos) << f;
        EXPECT_TRUE(e.emplace(f.substr(0, eq), f.substr(eq + 1)).second) << "field twice: " << f;
    }
    return e;
}

// Logs through a journal_sink whose writer records the entries.
struct recording_journal {
    std::vector<entry> entries;
    bool accept = true;
    std::shared_ptr<journal_sink> sink = std::make_shared<journal_sink>([this](const std::vector<std::string>& f) {
        entries.push_back(as_entry(f));
        return accept;
    });
    spdlog::logger logger{"actions", sink};
    recording_journal() { logger.set_level(spdlog::level::trace); }
};

TEST(service_journal_sink, context_words_become_fields_and_the_message_stays_whole) {
    recording_journal j;
    j.logger.info("mailbox=invoices trigger=erp-import event=AAMkAD== run stdout: imported 3 rows");
    ASSERT_EQ(j.entries.size(), 1u);
    const entry expected{
        {"MESSAGE", "mailbox=invoices trigger=erp-import event=AAMkAD== run stdout: imported 3 rows"},
        {"PRIORITY", "6"},
        {"SYSLOG_IDENTIFIER", "ewstrigd"},
        {"EWSTRIGD_LOGGER", "actions"},
        {"MAILBOX", "invoices"},
        {"TRIGGER", "erp-import"},
        {"EVENT_ID", "AAMkAD=="},
    };
    EXPECT_EQ(j.entries[0], expected);
}

TEST(service_journal_sink, a_line_without_context_has_only_the_basic_fields) {
    recording_journal j;
    j.logger.warn("reloaded /etc/ewstrigd/ewstrigd.yaml: 2 mailboxes, 5 triggers");
    ASSERT_EQ(j.entries.size(), 1u);
    EXPECT_EQ(j.entries[0].size(), 4u);
    EXPECT_EQ(j.entries[0].at("PRIORITY"), "4");
}

TEST(service_journal_sink, mailbox_and_folder_of_a_watch_line) {
    recording_journal j;
    j.logger.debug("mailbox=support folder=inbox 2 new item(s), no trigger matched");
    ASSERT_EQ(j.entries.size(), 1u);
    EXPECT_EQ(j.entries[0].at("MAILBOX"), "support");
    EXPECT_EQ(j.entries[0].at("FOLDER"), "inbox");
    EXPECT_EQ(j.entries[0].count("TRIGGER"), 0u);
    EXPECT_EQ(j.entries[0].at("PRIORITY"), "7");
}

TEST(service_journal_sink, levels_map_to_syslog_priorities) {
    EXPECT_EQ(journal_priority(spdlog::level::trace), 7);
    EXPECT_EQ(journal_priority(spdlog::level::debug), 7);
    EXPECT_EQ(journal_priority(spdlog::level::info), 6);
    EXPECT_EQ(journal_priority(spdlog::level::warn), 4);
    EXPECT_EQ(journal_priority(spdlog::level::err), 3);
    EXPECT_EQ(journal_priority(spdlog::level::critical), 2);
}

TEST(service_journal_sink, without_a_journal_lines_go_to_stderr_with_a_priority_prefix) {
    std::FILE* fallback = std::tmpfile();
    ASSERT_NE(fallback, nullptr);
    auto sink = std::make_shared<journal_sink>([](const std::vector<std::string>&) { return false; }, fallback);
    spdlog::logger logger("watch", sink);
    logger.error("mailbox=a watch loop failed: boom");
    logger.flush();
    std::rewind(fallback);
    char line[256] = {};
    ASSERT_NE(std::fgets(line, sizeof line, fallback), nullptr);
    EXPECT_STREQ(line, "<3>watch: mailbox=a watch loop failed: boom\n");
    std::fclose(fallback);
}

TEST(service_log_fields, reads_leading_key_value_words_up_to_the_first_other_word) {
    using fields = std::vector<std::pair<std::string_view, std::string_view>>;
    EXPECT_EQ(leading_log_fields("mailbox=a trigger=b event=c dead letter: x=y"),
              (fields{{"mailbox", "a"}, {"trigger", "b"}, {"event", "c"}}));
    EXPECT_EQ(leading_log_fields("mailbox=a"), (fields{{"mailbox", "a"}}));
    EXPECT_TRUE(leading_log_fields("signal 15: stopping").empty());
    EXPECT_TRUE(leading_log_fields("=x mailbox=a").empty());
    EXPECT_TRUE(leading_log_fields("mailbox= trigger=b").empty());
    EXPECT_TRUE(leading_log_fields("a-b=c").empty());
    EXPECT_TRUE(leading_log_fields("").empty());
    EXPECT_EQ(leading_log_fields("event=AA== tail"), (fields{{"event", "AA=="}}));
}

}  // namespace
}  // namespace ewstrigd::service
