#include "actions/event_json.hpp"
#include "actions/webhook_request.hpp"

#include "actions_test_util.hpp"
#include "http/curl_error.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ewstrigd::actions {
namespace {

using namespace std::chrono_literals;
using testing::sample_job;
using testing::templ;

std::string header(const http::request& r, const std::string& name) {
    for (const auto& h : r.headers) {
        if (h.name == name) return h.value;
    }
    return "<absent>";
}

TEST(actions_hmac, rfc_4231_test_case_2) {
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(actions_hmac, rfc_4231_test_case_6_key_longer_than_a_block) {
    EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(actions_event_json, describes_the_event_without_the_body) {
    const auto doc = nlohmann::json::parse(event_json(sample_job()));
    EXPECT_EQ(doc.at("event_id"), "ev-42");
    EXPECT_EQ(doc.at("mailbox"), "invoices");
    EXPECT_EQ(doc.at("folder"), "inbox");
    EXPECT_EQ(doc.at("trigger"), "supplier-invoice");
    EXPECT_EQ(doc.at("action_index"), 1);
    EXPECT_EQ(doc.at("item_id"), "AAMkAD=");
    EXPECT_EQ(doc.at("subject"), "Rechnung 4711 – Grüße");
    EXPECT_EQ(doc.at("from").at("email"), "billing@supplier.example");
    EXPECT_EQ(doc.at("to").size(), 2u);
    EXPECT_EQ(doc.at("cc").at(0).at("name"), "Boss");
    EXPECT_EQ(doc.at("received"), "2026-11-28T10:11:12Z");
    EXPECT_EQ(doc.at("importance"), "high");
    EXPECT_EQ(doc.at("categories").at(0), "Finance");
    EXPECT_EQ(doc.at("attachments").at(0).at("size"), 12345);
    EXPECT_EQ(doc.at("captures").at("number"), "4711");
    EXPECT_FALSE(doc.contains("body"));
    EXPECT_EQ(event_json(sample_job()), event_json(sample_job())) << "retries must send the same bytes";
}

TEST(actions_event_json, unknown_received_is_null) {
    auto j = sample_job();
    j.data.message.received.reset();
    EXPECT_TRUE(nlohmann::json::parse(event_json(j)).at("received").is_null());
}

TEST(actions_webhook_request, method_url_headers_and_signature) {
    config::webhook_action hook;
    hook.url = templ("https://hooks.example/{{match.number}}?m={{mailbox}}");
    hook.method = "PUT";
    hook.headers.emplace("X-Subject", templ("{{subject}}"));
    hook.headers.emplace("Authorization", templ("Bearer t0k3n"));
    hook.signing_secret = config::secret("s3cret");
    const auto req = build_webhook_request(hook, sample_job(), 30s);
    EXPECT_EQ(req.method, http::method::put);
    EXPECT_EQ(req.url, "https://hooks.example/4711?m=invoices");
    EXPECT_EQ(header(req, "Content-Type"), "application/json");
    EXPECT_EQ(header(req, "X-Subject"), "Rechnung 4711 – Grüße");
    EXPECT_EQ(header(req, "Authorization"), "Bearer t0k3n");
    EXPECT_EQ(header(req, "Idempotency-Key"), "ev-42/supplier-invoice/1");
    EXPECT_EQ(header(req, "X-Ewstrigd-Event"), "ev-42");
    EXPECT_EQ(header(req, "X-Ewstrigd-Signature"), "sha256=" + hmac_sha256_hex("s3cret", req.body));
    EXPECT_EQ(req.body, event_json(sample_job()));
    EXPECT_EQ(req.timeouts.total, 30s);
}

TEST(actions_webhook_request, no_signature_without_secret_and_post_by_default) {
    config::webhook_action hook;
    hook.url = templ("http://127.0.0.1/x");
    const auto req = build_webhook_request(hook, sample_job(), 5s);
    EXPECT_EQ(req.method, http::method::post);
    EXPECT_EQ(header(req, "X-Ewstrigd-Signature"), "<absent>");
    EXPECT_EQ(req.timeouts.connect, 5s);
}

TEST(actions_webhook_request, mail_text_cannot_inject_or_fake_headers) {
    config::webhook_action hook;
    hook.url = templ("http://127.0.0.1/x");
    hook.headers.emplace("X-Subject", templ("{{subject}}"));
    hook.headers.emplace("Idempotency-Key", templ("mine"));
    auto j = sample_job();
    j.data.message.subject = "hi\r\nX-Evil: 1";
    const auto req = build_webhook_request(hook, j, 5s);
    EXPECT_EQ(header(req, "X-Subject"), "hi  X-Evil: 1");
    int keys = 0;
    for (const auto& h : req.headers) keys += h.name == "Idempotency-Key";
    EXPECT_EQ(keys, 1);
    EXPECT_EQ(header(req, "Idempotency-Key"), "ev-42/supplier-invoice/1");
}

TEST(actions_webhook_request, loggable_origin_hides_credentials_path_and_query) {
    EXPECT_EQ(loggable_origin("https://user:pw@hooks.example:8443/p/a?token=x"), "https://hooks.example:8443");
    EXPECT_EQ(loggable_origin("http://127.0.0.1?k=v"), "http://127.0.0.1");
    EXPECT_EQ(loggable_origin("nonsense"), "<unparsable URL>");
}

http::response answer(unsigned status, std::vector<http::header> headers = {}) {
    http::response r;
    r.status = status;
    r.headers = std::move(headers);
    return r;
}

TEST(actions_webhook_answer, status_classes) {
    const auto now = std::chrono::system_clock::now();
    using k = outcome::kind;
    EXPECT_EQ(classify_webhook_answer({}, answer(200), now).result, k::done);
    EXPECT_EQ(classify_webhook_answer({}, answer(204), now).result, k::done);
    EXPECT_EQ(classify_webhook_answer({}, answer(500), now).result, k::retry);
    EXPECT_EQ(classify_webhook_answer({}, answer(503), now).result, k::retry);
    EXPECT_EQ(classify_webhook_answer({}, answer(429), now).result, k::retry);
    EXPECT_EQ(classify_webhook_answer({}, answer(408), now).result, k::retry);
    EXPECT_EQ(classify_webhook_answer({}, answer(400), now).result, k::dead);
    EXPECT_EQ(classify_webhook_answer({}, answer(404), now).result, k::dead);
    EXPECT_EQ(classify_webhook_answer({}, answer(301), now).result, k::dead);
}

TEST(actions_webhook_answer, retry_after_is_carried) {
    const auto now = std::chrono::system_clock::now();
    const auto o = classify_webhook_answer({}, answer(429, {{"Retry-After", "7"}}), now);
    ASSERT_EQ(o.result, outcome::kind::retry);
    EXPECT_EQ(o.delay, std::chrono::milliseconds(7000));
    EXPECT_FALSE(classify_webhook_answer({}, answer(503), now).delay.has_value());
}

TEST(actions_webhook_answer, transport_failures) {
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(classify_webhook_answer(http::make_curl_error_code(CURLE_COULDNT_CONNECT), {}, now).result,
              outcome::kind::retry);
    EXPECT_EQ(classify_webhook_answer(http::make_curl_error_code(CURLE_OPERATION_TIMEDOUT), {}, now).detail,
              "webhook timed out");
    EXPECT_EQ(classify_webhook_answer(http::make_curl_error_code(CURLE_URL_MALFORMAT), {}, now).result,
              outcome::kind::dead);
}

}  // namespace
}  // namespace ewstrigd::actions
