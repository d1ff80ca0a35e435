#include "service/log_fields.hpp"

#include <algorithm>

namespace ewstrigd::service {
namespace {

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> leading_log_fields(std::string_view message) {
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    while (!message.empty()) {
        const std::size_t word_end = std::min(message.find(' '), message.size());
        const std::string_view word = message.substr(0, word_end);
        const std::size_t eq = word.find('=');
        if (eq == 0 || eq == std::string_view::npos || eq + 1 == word.size()) break;
        const std::string_view key = word.substr(0, eq);
        if (!std::all_of(key.begin(), key.end(), is_key_char)) break;
        fields.emplace_back(key, word.substr(eq + 1));
        message.remove_prefix(std::min(word_end + 1, message.size()));
    }
    return fields;
}

}  // namespace ewstrigd::service
