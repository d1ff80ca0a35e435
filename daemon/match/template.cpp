#include "match/template.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ewstrigd::match {
namespace {

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

std::string_view trim_spaces(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

void add_literal(template_text& t, std::string_view text, std::size_t offset) {
    if (text.empty()) return;
    if (!t.parts.empty() && !t.parts.back().is_placeholder) {
        t.parts.back().text.append(text);
        return;
    }
    t.parts.push_back({false, std::string(text), offset});
}

template <typename Range, typename Projection>
std::string join(const Range& items, Projection project) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += project(item);
    }
    return out;
}


std::string message_value(std::string_view name, const message& m) {
    const auto email = [](const mail_address& a) { return a.email; };
    if (name == "subject") return m.subject;
    if (name == "from") return m.from.email;
    if (name == "from_name") return m.from.name;
    if (name == "to") return join(m.to, email);
    if (name == "cc") return join(m.cc, email);
    if (name == "received") return m.received ? format_utc(*m.received) : std::string();
    if (name == "item_id") return m.item_id;
    if (name == "folder") return m.folder;
    if (name == "importance") return std::string(importance_name(m.importance_level));
    if (name == "attachments") return join(m.attachments, [](const attachment& a) { return a.name; });
    return {};
}

std::string value_of(std::string_view name, const template_context& ctx) {
    constexpr std::string_view match_prefix = "match.";
    if (name.substr(0, match_prefix.size()) == match_prefix) {
        if (ctx.named == nullptr) return {};
        const auto it = ctx.named->find(std::string(name.substr(match_prefix.size())));
        return it == ctx.named->end() ? std::string() : it->second;
    }
    if (name == "trigger") return ctx.trigger;
    if (name == "mailbox") return ctx.mailbox;
    if (name == "event_id") return ctx.event_id;
    if (name == "message_file") return ctx.message_file;
    return ctx.msg ? message_value(name, *ctx.msg) : std::string();
}

}  // namespace

std::string format_utc(std::chrono::sys_seconds t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::string_view importance_name(importance i) noexcept {
    switch (i) {
        case importance::low: return "low";
        case importance::normal: return "normal";
        case importance::high: return "high";
    }
    return "normal";
}

std::variant<template_text, template_error> parse_template(std::string_view text) {
    template_text t;
    t.source = std::string(text);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto open = text.find("{{", pos);
        if (open == std::string_view::npos) break;
        add_literal(t, text.substr(pos, open - pos), pos);
        const auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            return template_error{open, "'{{' without a closing '}}'"};
        }
        const auto name = trim_spaces(text.substr(open + 2, close - open - 2));
        if (name.empty()) return template_error{open, "empty placeholder '{{}}'"};
        if (!std::all_of(name.begin(), name.end(), is_name_char)) {
            return template_error{open, "placeholder '" + std::string(name) +
                                            "' may only contain letters, digits, '_' and '.'"};
        }
        t.parts.push_back({true, std::string(name), open});
        pos = close + 2;
    }
    add_literal(t, text.substr(std::min(pos, text.size())), pos);
    return t;
}

const std::vector<std::string>& standard_placeholders() {
    static const std::vector<std::string> names{
        "subject", "from",    "from_name", "to",     "cc",         "received",   "item_id",
        "event_id", "mailbox", "trigger",  "folder", "importance", "attachments"};
    return names;
}

std::vector<std::string> placeholder_names(const template_text& t) {
    std::vector<std::string> names;
    for (const auto& p : t.parts) {
        if (p.is_placeholder && std::find(names.begin(), names.end(), p.text) == names.end()) {
            names.push_back(p.text);
        }
    }
    return names;
}

std::string expand(const template_text& t, const template_context& ctx) {
    std::string out;
    out.reserve(t.source.size());
    for (const auto& p : t.parts) out += p.is_placeholder ? value_of(p.text, ctx) : p.text;
    return out;
}

}  // namespace ewstrigd::match
