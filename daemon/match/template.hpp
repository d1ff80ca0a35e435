#pragma once
// Action templates: text with `{{name}}` placeholders. Parsed and checked at
// config load (an unknown placeholder is a config error), expanded per event.

#include "match/evaluate.hpp"
#include "match/message.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ewstrigd::match {

struct template_text {
    struct part {
        bool is_placeholder = false;
        std::string text;         // literal text, or the placeholder name
        std::size_t offset = 0;   // byte offset of the part in the source text
    };
    std::vector<part> parts;
    std::string source;
};

struct template_error {
    std::size_t offset = 0;  // byte offset in the source text
    std::string message;
};

// Placeholders are `{{name}}` or `{{match.NAME}}`, spaces inside the braces
// allowed. `{{` without a closing `}}` is an error; a lone `}` is literal.
std::variant<template_text, template_error> parse_template(std::string_view text);

// Names are [A-Za-z0-9_.]+. Errors carry the offset of the opening `{{`:
// no closing `}}`, an empty name, or a character outside that set. A `}}`
// without an opening `{{` is literal text. Literal parts are never empty and
// adjacent literals are merged.

// The placeholder names every action may use (match.* and message_file aside):
// subject, from, from_name, to, cc, received, item_id, event_id, mailbox,
// trigger, folder, importance, attachments.
const std::vector<std::string>& standard_placeholders();

// The placeholder names `t` uses, each once, in order of first use.
std::vector<std::string> placeholder_names(const template_text& t);

// How message fields read as text, in templates and in `ewstrigd test`:
// "2026-11-28T10:11:12Z" (UTC), and low|normal|high.
std::string format_utc(std::chrono::sys_seconds t);
std::string_view importance_name(importance i) noexcept;

// Everything an action template can refer to for one event.
struct template_context {
    const message* msg = nullptr;
    const captures* named = nullptr;
    std::string trigger;
    std::string mailbox;
    std::string event_id;
    std::string message_file;  // path of the saved .eml, for run actions
};

// Values inserted verbatim (no escaping; actions get argv, never a shell):
// from = the sender's email, from_name = its display name, to/cc/attachments =
// emails/names joined with ", ", received = `2026-11-28T10:11:12Z` (UTC, empty
// if unknown), importance = low|normal|high, match.NAME = that regex capture.
// Unknown names, a null msg/named, and missing captures expand to "" (config
// validation rejects unknown names beforehand).
std::string expand(const template_text& t, const template_context& ctx);

}  // namespace ewstrigd::match
