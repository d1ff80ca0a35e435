#include "http/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ewstrigd::http {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

std::optional<std::string_view> response::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) return std::string_view(h.value);
    }
    return std::nullopt;
}

std::optional<std::chrono::seconds> response::retry_after(std::chrono::system_clock::time_point now) const {
    const auto value = header("Retry-After");
    if (!value || value->empty()) return std::nullopt;
    long long seconds = 0;
    const char* end = value->data() + value->size();
    if (auto [p, ec] = std::from_chars(value->data(), end, seconds); ec == std::errc{} && p == end) {
        if (seconds < 0) return std::nullopt;
        return std::chrono::seconds(seconds);
    }
    // HTTP-date (RFC 9110 section 10.2.3); curl_getdate is a pure parser.
    const std::string date(*value);
    const time_t at = curl_getdate(date.c_str(), nullptr);
    if (at == -1) return std::nullopt;
    const auto delay = std::chrono::system_clock::from_time_t(at) - now;
    return std::max(std::chrono::seconds(0), std::chrono::ceil<std::chrono::seconds>(delay));
}

}  // namespace ewstrigd::http
