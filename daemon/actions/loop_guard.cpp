#include "actions/loop_guard.hpp"

#include "match/evaluate.hpp"

#include <algorithm>

namespace ewstrigd::actions {
namespace {

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// The keyword of a structured header value: "auto-replied; owner=x" -> "auto-replied".
std::string_view keyword(std::string_view value) { return trimmed(value.substr(0, value.find(';'))); }

}  // namespace

std::string automatic_reason(const match::message& msg) {
    for (const auto& [name, value] : msg.headers) {
        if (match::equals_text(name, marker_header)) return "it was sent by ewstrigd (" + std::string(marker_header) + ")";
        if (match::equals_text(name, "Auto-Submitted") && !match::equals_text(keyword(value), "no"))
            return "it was sent automatically (Auto-Submitted: " + std::string(keyword(value)) + ")";
        if (match::equals_text(name, "X-Auto-Response-Suppress"))
            return "its sender asks for no automatic answers (X-Auto-Response-Suppress)";
        if (match::equals_text(name, "Precedence")) {
            const auto p = keyword(value);
            if (match::equals_text(p, "bulk") || match::equals_text(p, "junk") || match::equals_text(p, "list"))
                return "it is bulk or list mail (Precedence: " + std::string(p) + ")";
        }
    }
    return {};
}

}  // namespace ewstrigd::actions
