// `ewstrigd ews-decode` as an admin runs it, on every sample in
// ../shared/reference/ews (origins in its SOURCES.md).
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <vector>

namespace ewstrigd::cli {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

struct run_result {
    int code;
    std::string out;
    std::string err;
};

run_result decode(const std::filesystem::path& file, bool as_json = true) {
    std::vector<std::string> args{"ewstrigd", "ews-decode", file.string()};
    if (as_json) args.emplace_back("--json");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

const std::filesystem::path reference_dir = std::filesystem::path{EWSTRIGD_SHARED_REFERENCE} / "ews";

// The one sample SOURCES.md marks as not well-formed (raw HTML in t:Body).
constexpr const char* malformed_sample = "getitem-message-mimecontent-htmlbody.xml";

TEST(cli_ews_decode, every_reference_sample_gives_json) {
    std::size_t responses = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(reference_dir)) {
        if (entry.path().extension() != ".xml") continue;
        const auto r = decode(entry.path());
        SCOPED_TRACE(entry.path().string());
        const json doc = json::parse(r.out);  // throws (fails the test) on invalid JSON
        ASSERT_EQ(doc["envelopes"].size(), 1u);
        if (entry.path().filename() == malformed_sample) {
            EXPECT_EQ(r.code, exit_code::bad_message);
            EXPECT_THAT(doc["envelopes"][0]["error"].get<std::string>(), HasSubstr("malformed XML at byte"));
            continue;
        }
        EXPECT_EQ(r.code, exit_code::ok) << r.err;
        const json& env = doc["envelopes"][0];
        if (entry.path().parent_path() != reference_dir) {
            EXPECT_TRUE(env.value("request", false));  // requests/, requests-*/
            continue;
        }
        ++responses;
        EXPECT_TRUE(env.contains("fault") || !env["response_messages"].empty());
    }
    EXPECT_EQ(responses, 17u);  // SOURCES.md lists 18 responses, one of them malformed
}

TEST(cli_ews_decode, streaming_notification_values) {
    const auto r = decode(reference_dir / "getstreamingevents-created-newmail-modified.xml");
    ASSERT_EQ(r.code, exit_code::ok);
    const json m = json::parse(r.out)["envelopes"][0]["response_messages"][0];
    EXPECT_EQ(m["class"], "Success");
    EXPECT_EQ(m["code"], "NoError");
    const json& n = m["notifications"][0];
    EXPECT_EQ(n["subscription_id"], "f6bc657d-dde1-4f94-952d-143b95d6483d");
    ASSERT_EQ(n["events"].size(), 3u);
    EXPECT_EQ(n["events"][1]["type"], "NewMailEvent");
    EXPECT_EQ(n["events"][1]["item_id"]["change_key"], "CQAAAA==");
    EXPECT_EQ(n["events"][1]["timestamp"], "2013-09-16T04:31:29Z");
    EXPECT_EQ(n["events"][2]["unread_count"], 1);
}

TEST(cli_ews_decode, fault_back_off_and_next_step) {
    const auto r = decode(reference_dir / "soapfault-errorserverbusy-backoffmilliseconds.xml");
    ASSERT_EQ(r.code, exit_code::ok);
    const json f = json::parse(r.out)["envelopes"][0]["fault"];
    EXPECT_EQ(f["code"], "ErrorServerBusy");
    EXPECT_EQ(f["back_off_ms"], 297749);
    EXPECT_EQ(f["next_step"], "retry_after");
}

TEST(cli_ews_decode, subscription_sync_and_items) {
    const json sub = json::parse(decode(reference_dir / "subscribe-pull-response-watermark.xml").out);
    EXPECT_EQ(sub["envelopes"][0]["response_messages"][0]["subscription_id"], "39ea5d0f-f062-455e-a1e9-89c0304390f4");
    EXPECT_EQ(sub["envelopes"][0]["response_messages"][0]["watermark"], "AAAAAHgGAAAAAAAAAQ==");
    const json sync = json::parse(decode(reference_dir / "syncfolderitems-response-create-meetingrequest.xml").out);
    const json& sm = sync["envelopes"][0]["response_messages"][0];
    EXPECT_EQ(sm["sync_state"], "H4sIAAAAA=");
    EXPECT_EQ(sm["includes_last_item_in_range"], true);
    EXPECT_EQ(sm["changes"][0]["kind"], "Create");
    EXPECT_EQ(sm["changes"][0]["item_id"]["id"], "AQApAHRwA==");
    EXPECT_EQ(sm["changes"][0]["item"]["subject"], "Budget Q3");
    const json moved = json::parse(decode(reference_dir / "moveitem-response.xml").out);
    EXPECT_EQ(moved["envelopes"][0]["response_messages"][0]["items"][0]["item_id"]["id"], "AAMkAd");
}

TEST(cli_ews_decode, captured_stream_with_several_envelopes) {
    testing::scratch_dir dir;
    const auto file = dir.write(
        "stream.xml", testing::read_test_data("ews/getstreamingevents-created-newmail-modified.xml") +
                          testing::read_test_data("ews/getstreamingevents-closed-no-notifications.xml") +
                          "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Bo");
    const auto r = decode(file);
    ASSERT_EQ(r.code, exit_code::ok) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["envelopes"].size(), 2u);
    EXPECT_EQ(doc["envelopes"][1]["response_messages"][0]["connection_status"], "Closed");
    EXPECT_GT(doc["trailing_bytes"].get<std::size_t>(), 0u);

    const auto text = decode(file, false);
    EXPECT_THAT(text.out, HasSubstr("envelope 2: GetStreamingEvents response"));
    EXPECT_THAT(text.out, HasSubstr("connection Closed"));
    EXPECT_THAT(text.out, HasSubstr("unfinished envelope"));
}

TEST(cli_ews_decode, text_summary_of_a_fault) {
    const auto r = decode(reference_dir / "soapfault-errorserverbusy-backoffmilliseconds.xml", false);
    EXPECT_EQ(r.code, exit_code::ok);
    EXPECT_THAT(r.out, HasSubstr("SOAP fault"));
    EXPECT_THAT(r.out, HasSubstr("ErrorServerBusy, back off 297749 ms -> retry_after"));
}

TEST(cli_ews_decode, unreadable_and_non_xml_files_exit_4) {
    testing::scratch_dir dir;
    const auto missing = decode(dir.path() / "nope.xml");
    EXPECT_EQ(missing.code, exit_code::bad_message);
    EXPECT_THAT(missing.err, HasSubstr("cannot read"));
    const auto html = decode(dir.write("page.html", "<html><body>Service Unavailable</body></html>"));
    EXPECT_EQ(html.code, exit_code::bad_message);
    EXPECT_THAT(html.err, HasSubstr("not a SOAP response"));
    EXPECT_TRUE(json::accept(html.out));
    const auto text = decode(dir.write("plain.txt", "502 Bad Gateway"));
    EXPECT_EQ(text.code, exit_code::bad_message);
}

}  // namespace
}  // namespace ewstrigd::cli
