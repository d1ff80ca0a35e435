#include "config/yaml_reader.hpp"

#include "config/keys.hpp"
#include "config/suggest.hpp"

#include <algorithm>
#include <set>

namespace ewstrigd::config {
namespace {

std::string node_kind(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Null: return "empty";
        case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
        case YAML::NodeType::Undefined: break;
    }
    return "missing";
}

}  // namespace

bool is_name(std::string_view text, std::string_view punctuation) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               punctuation.find(c) != std::string_view::npos;
    });
}

std::string path_join(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return std::string(parent) + "." + std::string(key);
}

std::string path_index(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

yaml_reader::yaml_reader(std::string file, diagnostics& out, expansion_scope scope)
    : file_(std::move(file)), out_(out), scope_(std::move(scope)) {}

source_pos yaml_reader::pos(const YAML::Node& node) const {
    const auto mark = node.Mark();
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
}

source_pos yaml_reader::pos_in(const YAML::Node& scalar, std::size_t offset) const {
    auto p = pos(scalar);
    const std::string& value = scalar.Scalar();
    // Only exact for text on one line; otherwise the scalar's start is the best place.
    if (p.line == 0 || value.find('\n') != std::string::npos) return p;
    const bool quoted = scalar.Tag() == "!";
    p.column += static_cast<int>(offset) + (quoted ? 1 : 0);
    return p;
}

void yaml_reader::error(const YAML::Node& at, std::string message) { out_.add(pos(at), std::move(message)); }

void yaml_reader::error(source_pos at, std::string message) { out_.add(std::move(at), std::move(message)); }

bool yaml_reader::expect_map(const YAML::Node& node, std::string_view what) {
    if (node.IsMap()) return true;
    error(node, std::string(what) + " must be a map of keys, not " + node_kind(node));
    return false;
}

bool yaml_reader::expect_sequence(const YAML::Node& node, std::string_view what) {
    if (node.IsSequence()) return true;
    error(node, std::string(what) + " must be a list, not " + node_kind(node));
    return false;
}

bool yaml_reader::expect_scalar(const YAML::Node& node, std::string_view what, std::string_view kind) {
    if (node.IsScalar()) return true;
    error(node, std::string(what) + " must be " + std::string(kind) + ", not " + node_kind(node));
    return false;
}

void yaml_reader::check_keys(const YAML::Node& map, std::string_view section, std::string_view what) {
    const auto& allowed = keys_of(section);
    std::set<std::string> seen;
    for (const auto& entry : map) {
        const YAML::Node& key = entry.first;
        if (!key.IsScalar()) {
            error(key, std::string(what) + ": keys must be plain names");
            continue;
        }
        const std::string& name = key.Scalar();
        if (!seen.insert(name).second) {
            error(key, std::string(what) + ": key '" + name + "' is given twice");
            continue;
        }
        bool known = false;
        for (auto k : allowed) known = known || k == name;
        if (!known) {
            error(key, std::string(what) + ": unknown key '" + name + "'" + did_you_mean(name, allowed));
        }
    }
}

std::optional<YAML::Node> yaml_reader::required(const YAML::Node& map, std::string_view key,
                                                std::string_view what) {
    const YAML::Node value = map[std::string(key)];
    if (value.IsDefined() && !value.IsNull()) return value;
    error(map, std::string(what) + ": missing required key '" + std::string(key) + "'");
    return std::nullopt;
}

std::optional<expansion> yaml_reader::text(const YAML::Node& node, std::string_view what) {
    if (!expect_scalar(node, what, "text")) return std::nullopt;
    auto expanded = expand(node.Scalar(), scope_);
    if (auto* failure = std::get_if<expansion_error>(&expanded)) {
        error(pos_in(node, failure->offset), std::string(what) + ": " + failure->message);
        return std::nullopt;
    }
    return std::get<expansion>(std::move(expanded));
}

std::optional<std::string> yaml_reader::string(const YAML::Node& node, std::string_view what) {
    auto value = text(node, what);
    if (!value) return std::nullopt;
    return std::move(value->value);
}

std::optional<bool> yaml_reader::boolean(const YAML::Node& node, std::string_view what) {
    if (!expect_scalar(node, what, "true or false")) return std::nullopt;
    auto expanded = string(node, what);
    if (!expanded) return std::nullopt;
    const std::string& s = *expanded;
    if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "off") return false;
    error(node, std::string(what) + " must be true or false, not '" + s + "'");
    return std::nullopt;
}

std::optional<std::int64_t> yaml_reader::integer(const YAML::Node& node, std::string_view what, std::int64_t min,
                                                 std::int64_t max) {
    if (!expect_scalar(node, what, "a whole number")) return std::nullopt;
    auto expanded = string(node, what);
    if (!expanded) return std::nullopt;
    const std::string& s = *expanded;
    std::int64_t value = 0;
    std::size_t used = 0;
    try {
        value = std::stoll(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != s.size()) {
        error(node, std::string(what) + " must be a whole number, not '" + s + "'");
        return std::nullopt;
    }
    if (value < min || value > max) {
        error(node, std::string(what) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::milliseconds> yaml_reader::duration(const YAML::Node& node, std::string_view what) {
    return parsed_text(node, what, parse_duration);
}

std::optional<std::string> yaml_reader::choice(const YAML::Node& node, std::string_view what,
                                               const std::vector<std::string_view>& allowed) {
    auto s = string(node, what);
    if (!s) return std::nullopt;
    for (auto a : allowed) {
        if (a == *s) return s;
    }
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    error(node, std::string(what) + " must be one of " + list + ", not '" + *s + "'" + did_you_mean(*s, allowed));
    return std::nullopt;
}

std::optional<std::vector<std::string>> yaml_reader::string_list(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar()) {
        auto one = string(node, what);
        if (!one) return std::nullopt;
        return std::vector<std::string>{std::move(*one)};
    }
    if (!expect_sequence(node, what)) return std::nullopt;
    std::vector<std::string> list;
    bool ok = true;
    for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = string(node[i], path_index(what, i));
        if (item) list.push_back(std::move(*item));
        ok = ok && item.has_value();
    }
    if (!ok) return std::nullopt;
    return list;
}

std::optional<std::pair<match::template_text, bool>> yaml_reader::template_value(const YAML::Node& node,
                                                                                 std::string_view what) {
    auto value = text(node, what);
    if (!value) return std::nullopt;
    auto parsed = match::parse_template(value->value);
    if (auto* failure = std::get_if<match::template_error>(&parsed)) {
        error(pos_in(node, failure->offset), std::string(what) + ": " + failure->message);
        return std::nullopt;
    }
    return std::pair{std::get<match::template_text>(std::move(parsed)), value->sensitive};
}

}  // namespace ewstrigd::config
