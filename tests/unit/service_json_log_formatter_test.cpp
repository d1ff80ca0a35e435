// log.format: json must give one parseable JSON object per line whatever the
// message holds: what a log shipper (Loki, Elastic, journald's JSON export) reads.
#include "service/json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>
#include <vector>

namespace ewstrigd::service {
namespace {

// Logs each message through the formatter; returns the output lines.
std::vector<std::string> log_lines(const std::vector<std::string>& messages,
                                   spdlog::level::level_enum level = spdlog::level::info) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    sink->set_formatter(std::make_unique<json_log_formatter>());
    spdlog::logger logger("watch", sink);
    for (const auto& m : messages) logger.log(level, "{}", m);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(service_json_log_formatter, every_line_parses_and_keeps_the_message) {
    const std::vector<std::string> messages{
        "plain text",
        R"(subject "quoted" and 'single')",
        R"(C:\path\to\file and \n literally)",
        std::string("tab\tnewline\ncarriage\rnul") + '\0' + "bell\a esc\x1b del\x7f",
        "unicode: Grüße, 日本語, 🎉",
        "{\"looks\":\"like json\"}",
        "",
    };
    const auto lines = log_lines(messages);
    ASSERT_EQ(lines.size(), messages.size());  // embedded newlines did not split a record
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto j = nlohmann::json::parse(lines[i]);  // throws (fails the test) when not JSON
        ASSERT_TRUE(j.is_object()) << lines[i];
        EXPECT_EQ(j.at("msg").get<std::string>(), messages[i]) << lines[i];
        EXPECT_EQ(j.at("level").get<std::string>(), "info");
        EXPECT_EQ(j.at("logger").get<std::string>(), "watch");
    }
}

TEST(service_json_log_formatter, invalid_utf8_becomes_replacement_characters_not_a_broken_line) {
    const std::string bad = std::string("subject \xff\xfe end ") + "\xc3" + " truncated \xe6\x97";
    const auto lines = log_lines({bad});
    ASSERT_EQ(lines.size(), 1u);
    const auto j = nlohmann::json::parse(lines[0]);
    const auto msg = j.at("msg").get<std::string>();
    EXPECT_EQ(msg.rfind("subject ", 0), 0u) << msg;
    EXPECT_NE(msg.find("\xef\xbf\xbd"), std::string::npos) << msg;  // U+FFFD
    EXPECT_NE(msg.find(" end "), std::string::npos) << msg;
}

TEST(service_json_log_formatter, time_is_utc_iso8601_with_milliseconds_and_fields_come_in_order) {
    const auto lines = log_lines({"x"}, spdlog::level::warn);
    ASSERT_EQ(lines.size(), 1u);
    const auto j = nlohmann::ordered_json::parse(lines[0]);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"time", "level", "logger", "msg"}));
    EXPECT_EQ(j.at("level").get<std::string>(), "warning");
    const auto time = j.at("time").get<std::string>();
    // 2026-11-28T15:04:05.123Z
    ASSERT_EQ(time.size(), 24u) << time;
    EXPECT_EQ(time[4], '-');
    EXPECT_EQ(time[10], 'T');
    EXPECT_EQ(time[19], '.');
    EXPECT_EQ(time.back(), 'Z');
}

TEST(service_json_log_formatter, a_clone_formats_the_same_way) {
    json_log_formatter original;
    const auto copy = original.clone();
    spdlog::details::log_msg msg("ewstrigd", spdlog::level::err, "a \"b\"");
    spdlog::memory_buf_t a;
    spdlog::memory_buf_t b;
    original.format(msg, a);
    copy->format(msg, b);
    EXPECT_EQ(std::string(a.data(), a.size()), std::string(b.data(), b.size()));
    EXPECT_EQ(nlohmann::json::parse(std::string(a.data(), a.size())).at("msg"), "a \"b\"");
}

}  // namespace
}  // namespace ewstrigd::service
