#include "actions/webhook_request.hpp"

#include "actions/event_json.hpp"
#include "http/curl_error.hpp"

#include <curl/curl.h>

#include <algorithm>

namespace ewstrigd::actions {
namespace {

http::method method_of(const std::string& m) {
    if (m == "PUT") return http::method::put;
    if (m == "PATCH") return http::method::patch;
    return http::method::post;  // the config allows only POST, PUT, PATCH
}

std::string header_safe(std::string v) {
    std::replace_if(v.begin(), v.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
    return v;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

}  // namespace

http::request build_webhook_request(const config::webhook_action& hook, const job& j,
                                    std::chrono::milliseconds timeout) {
    const match::message msg = message_of(j);
    const match::template_context ctx = context_of(j, msg);
    http::request req;
    req.method = method_of(hook.method);
    req.url = match::expand(hook.url.text, ctx);
    req.body = event_json(j);
    req.headers.push_back({"Content-Type", "application/json"});
    // Our own headers come last so a configured header cannot fake them.
    for (const auto& [name, value] : hook.headers) {
        if (iequals(name, "Idempotency-Key") || iequals(name, "X-Ewstrigd-Event") ||
            iequals(name, "X-Ewstrigd-Signature") || iequals(name, "Content-Type")) {
            continue;
        }
        req.headers.push_back({name, header_safe(match::expand(value.text, ctx))});
    }
    req.headers.push_back(
        {"Idempotency-Key", header_safe(j.event_id + "/" + j.trigger + "/" + std::to_string(j.action_index))});
    req.headers.push_back({"X-Ewstrigd-Event", header_safe(j.event_id)});
    if (!hook.signing_secret.empty()) {
        req.headers.push_back({"X-Ewstrigd-Signature", "sha256=" + hmac_sha256_hex(hook.signing_secret.reveal(), req.body)});
    }
    req.timeouts.total = timeout;
    req.timeouts.connect = std::min(timeout, std::chrono::milliseconds(std::chrono::seconds(10)));
    req.max_body_size = std::size_t{1} << 20;  // we only read the status and a few headers
    return req;
}

std::string loggable_origin(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return "<unparsable URL>";
    auto authority = url.substr(scheme_end + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    return std::string(url.substr(0, scheme_end + 3)) + std::string(authority);
}

outcome classify_webhook_answer(const boost::system::error_code& ec, const http::response& res,
                                std::chrono::system_clock::time_point now) {
    if (ec) {
        if (ec == http::make_curl_error_code(CURLE_URL_MALFORMAT) ||
            ec == http::make_curl_error_code(CURLE_UNSUPPORTED_PROTOCOL)) {
            return outcome::dead("webhook URL unusable: " + ec.message());
        }
        if (http::is_timeout(ec)) return outcome::retry("webhook timed out");
        return outcome::retry("webhook failed: " + ec.message());
    }
    const std::string status = "webhook answered HTTP " + std::to_string(res.status);
    if (res.status >= 200 && res.status < 300) return outcome::ok(status);
    if (res.status == 408 || res.status == 429 || res.status >= 500) {
        std::optional<std::chrono::milliseconds> delay;
        if (const auto after = res.retry_after(now)) delay = *after;
        return outcome::retry(status, delay);
    }
    return outcome::dead(status + " (not retried: the receiver refused the request)");
}

}  // namespace ewstrigd::actions
