#include "actions/payload.hpp"

#include "actions_test_util.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ewstrigd::actions {
namespace {

void expect_same(const match::message& a, const match::message& b) {
    EXPECT_EQ(a.item_id, b.item_id);
    EXPECT_EQ(a.subject, b.subject);
    EXPECT_EQ(a.from.name, b.from.name);
    EXPECT_EQ(a.from.email, b.from.email);
    ASSERT_EQ(a.to.size(), b.to.size());
    for (std::size_t i = 0; i < a.to.size(); ++i) {
        EXPECT_EQ(a.to[i].name, b.to[i].name);
        EXPECT_EQ(a.to[i].email, b.to[i].email);
    }
    ASSERT_EQ(a.cc.size(), b.cc.size());
    EXPECT_EQ(a.body, b.body);
    ASSERT_EQ(a.attachments.size(), b.attachments.size());
    for (std::size_t i = 0; i < a.attachments.size(); ++i) {
        EXPECT_EQ(a.attachments[i].name, b.attachments[i].name);
        EXPECT_EQ(a.attachments[i].size, b.attachments[i].size);
        EXPECT_EQ(a.attachments[i].content_type, b.attachments[i].content_type);
        EXPECT_EQ(a.attachments[i].is_inline, b.attachments[i].is_inline);
    }
    EXPECT_EQ(a.has_attachments, b.has_attachments);
    EXPECT_EQ(a.importance_level, b.importance_level);
    EXPECT_EQ(a.categories, b.categories);
    EXPECT_EQ(a.is_read, b.is_read);
    EXPECT_EQ(a.received, b.received);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.folder, b.folder);
}

TEST(actions_payload, full_message_round_trips) {
    const job j = testing::sample_job();
    payload p = j.data;
    p.message.folder = "Inbox/Sub";
    p.message.item_id = "id+/=";
    p.message.is_read = true;
    p.message.attachments.push_back({"bild.png", 0, "image/png", true});
    const std::string json = encode_payload(p);
    payload_error err;
    const auto back = decode_payload(json, &err);
    ASSERT_TRUE(back) << err.message;
    expect_same(back->message, p.message);
    EXPECT_EQ(back->captures, p.captures);
}

TEST(actions_payload, empty_message_round_trips_without_received) {
    payload p;
    const auto back = decode_payload(encode_payload(p));
    ASSERT_TRUE(back);
    expect_same(back->message, p.message);
    EXPECT_FALSE(back->message.received.has_value());
    EXPECT_TRUE(back->captures.empty());
}

TEST(actions_payload, received_before_1970_and_non_ascii_captures_round_trip) {
    payload p;
    p.message.received = std::chrono::sys_seconds{std::chrono::seconds{-86400}};
    p.captures = {{"name", "Jürgen 日本"}, {"empty", ""}};
    const auto back = decode_payload(encode_payload(p));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->message.received, p.message.received);
    EXPECT_EQ(back->captures, p.captures);
}

TEST(actions_payload, is_versioned_json) {
    const auto doc = nlohmann::json::parse(encode_payload(testing::sample_job().data));
    EXPECT_EQ(doc.at("v"), 1);
    EXPECT_EQ(doc.at("message").at("received"), 1795860672);
    EXPECT_EQ(doc.at("captures").at("number"), "4711");
}

TEST(actions_payload, invalid_utf8_is_replaced_not_thrown) {
    payload p;
    p.message.subject = std::string("bad \xff\xfe byte");
    std::string json;
    ASSERT_NO_THROW(json = encode_payload(p));
    const auto back = decode_payload(json);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->message.subject, "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
}

struct bad_case {
    const char* json;
    const char* error_starts;
};

TEST(actions_payload, bad_input_names_the_field) {
    const bad_case cases[] = {
        {"", "payload: not valid JSON"},
        {"{", "payload: not valid JSON"},
        {"[1]", "payload: expected a JSON object"},
        {R"({"message":{}})", "v: missing payload version"},
        {R"({"v":2,"message":{}})", "v: payload version 2 is not supported"},
        {R"({"v":1})", "message: missing"},
        {R"({"v":1,"message":[]})", "message: expected an object"},
        {R"({"v":1,"message":{"subject":5}})", "message.subject: expected a string"},
        {R"({"v":1,"message":{"to":[{"email":"a"},{"email":7}]}})", "message.to[1].email: expected a string"},
        {R"({"v":1,"message":{"from":"x"}})", "message.from: expected an object"},
        {R"({"v":1,"message":{"attachments":[{"size":-1}]}})", "message.attachments[0].size: expected a byte count"},
        {R"({"v":1,"message":{"importance":"urgent"}})", "message.importance: expected low, normal or high"},
        {R"({"v":1,"message":{"received":"yesterday"}})", "message.received: expected seconds"},
        {R"({"v":1,"message":{"headers":[["a"]]}})", "message.headers[0]: expected [name, value]"},
        {R"({"v":1,"message":{"is_read":"yes"}})", "message.is_read: expected true or false"},
        {R"({"v":1,"message":{"categories":[1]}})", "message.categories[0]: expected a string"},
        {R"({"v":1,"message":{},"captures":{"n":1}})", "captures.n: expected a string"},
        {R"({"v":1,"message":{},"captures":[]})", "captures: expected an object"},
    };
    for (const auto& c : cases) {
        payload_error err;
        EXPECT_FALSE(decode_payload(c.json, &err)) << c.json;
        EXPECT_TRUE(err.message.starts_with(c.error_starts)) << c.json << " -> " << err.message;
    }
}

TEST(actions_payload, every_truncation_fails_cleanly) {
    const std::string json = encode_payload(testing::sample_job().data);
    for (std::size_t i = 0; i < json.size(); ++i) {
        payload_error err;
        EXPECT_FALSE(decode_payload(std::string_view(json).substr(0, i), &err)) << i;
        EXPECT_FALSE(err.message.empty()) << i;
    }
}

TEST(actions_payload, unknown_fields_are_ignored) {
    const auto back = decode_payload(R"({"v":1,"future":true,"message":{"subject":"s","new":[1]}})");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->message.subject, "s");
}

}  // namespace
}  // namespace ewstrigd::actions
