#include "actions/loop_guard.hpp"

#include "match/evaluate.hpp"
#include "util/text.hpp"

#include <algorithm>

namespace ewstrigd::actions {
namespace {

using util::trimmed;

// The keyword of a structured header value: "auto-replied; owner=x" -> "auto-replied".
std::string_view keyword(std::string_view value) { return trimmed(value.substr(0, value.find(';'))); }

}  // namespace

std::string ewstrigd_mail_reason(const match::message& msg) {
    for (const auto& [name, value] : msg.headers) {
        if (match::equals_text(name, marker_header)) return "it was sent by ewstrigd (" + std::string(marker_header) + ")";
    }
    return {};
}

std::string automatic_reason(const match::message& msg) {
    if (auto own = ewstrigd_mail_reason(msg); !own.empty()) return own;
    for (const auto& [name, value] : msg.headers) {
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
