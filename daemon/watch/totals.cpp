#include "watch/totals.hpp"

#include <algorithm>

namespace ewstrigd::watch {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z') || is_digit(c); }

bool all_of(std::string_view s, bool (*pred)(char)) { return !s.empty() && std::all_of(s.begin(), s.end(), pred); }

// Long enough for every ResponseCode of messages.xsd; a longer code is not one.
constexpr std::size_t max_code_length = 80;

}  // namespace

std::string_view error_label(std::string_view code) {
    if (code.size() > max_code_length) return "other";
    if (code.starts_with("Error") && all_of(code.substr(5), is_alnum)) return code;
    if (code.size() == 8 && code.starts_with("HTTP ") && all_of(code.substr(5), is_digit)) return code;
    constexpr std::string_view credentials = "credentials:";
    if (code.starts_with(credentials) &&
        all_of(code.substr(credentials.size()), [](char c) { return is_lower(c) || c == '_'; })) {
        return code;
    }
    if (all_of(code, [](char c) { return is_lower(c) || c == '-'; })) return code;
    return "other";
}

void watch_totals::count_error(std::string_view code) {
    auto label = error_label(code);
    if (ews_errors.size() >= max_error_labels && !ews_errors.contains(label)) label = "other";
    auto it = ews_errors.find(label);
    if (it == ews_errors.end()) it = ews_errors.emplace(std::string(label), 0).first;
    ++it->second;
}

}  // namespace ewstrigd::watch
