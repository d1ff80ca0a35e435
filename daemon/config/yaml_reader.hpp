#pragma once
// Typed, position-aware reading of yaml-cpp nodes for the config loader.
// Every reader reports a problem as a diagnostic at the node's FILE:LINE:COLUMN
// and returns an empty optional, so loading goes on and all errors surface at
// once. Scalars read as text go through ${...} expansion.

#include "config/diagnostics.hpp"
#include "config/expand.hpp"
#include "config/units.hpp"
#include "match/template.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::config {

class yaml_reader {
public:
    yaml_reader(std::string file, diagnostics& out, expansion_scope scope);

    const std::string& file() const { return file_.str(); }
    const expansion_scope& scope() const { return scope_; }
    void set_scope(expansion_scope scope) { scope_ = std::move(scope); }

    source_pos pos(const YAML::Node& node) const;
    // Position of byte `offset` inside a one-line scalar (quotes accounted for).
    source_pos pos_in(const YAML::Node& scalar, std::size_t offset) const;
    void error(const YAML::Node& at, std::string message);
    void error(source_pos at, std::string message);

    // Type checks; `what` names the value in messages, e.g. "mailboxes[0].auth".
    bool expect_map(const YAML::Node& node, std::string_view what);
    bool expect_sequence(const YAML::Node& node, std::string_view what);

    // Reports every key of `map` that `section` (see keys.hpp) does not list,
    // with a did-you-mean, and keys given twice.
    void check_keys(const YAML::Node& map, std::string_view section, std::string_view what);

    // The value of `key`, or a "missing required" error at the map.
    std::optional<YAML::Node> required(const YAML::Node& map, std::string_view key, std::string_view what);

    std::optional<expansion> text(const YAML::Node& node, std::string_view what);
    std::optional<std::string> string(const YAML::Node& node, std::string_view what);
    std::optional<bool> boolean(const YAML::Node& node, std::string_view what);
    std::optional<std::int64_t> integer(const YAML::Node& node, std::string_view what, std::int64_t min,
                                        std::int64_t max);
    std::optional<std::chrono::milliseconds> duration(const YAML::Node& node, std::string_view what);
    // Text run through one of the parsers of units.hpp; its message is reported at the node.
    template <typename T>
    std::optional<T> parsed_text(const YAML::Node& node, std::string_view what, parsed<T> (*parse)(std::string_view)) {
        auto text = string(node, what);
        if (!text) return std::nullopt;
        auto value = parse(*text);
        if (auto* message = std::get_if<std::string>(&value)) {
            error(node, std::string(what) + ": " + *message);
            return std::nullopt;
        }
        return std::get<T>(std::move(value));
    }
    // One of `allowed`, compared exactly; otherwise lists them.
    std::optional<std::string> choice(const YAML::Node& node, std::string_view what,
                                      const std::vector<std::string_view>& allowed);
    // A sequence of strings (a single string is accepted as a list of one).
    std::optional<std::vector<std::string>> string_list(const YAML::Node& node, std::string_view what);
    // An expanded scalar parsed as an action template (syntax only).
    std::optional<std::pair<match::template_text, bool>> template_value(const YAML::Node& node,
                                                                        std::string_view what);

private:
    bool expect_scalar(const YAML::Node& node, std::string_view what, std::string_view kind);

    file_name file_;  // shared by the positions it hands out
    diagnostics& out_;
    expansion_scope scope_;
};

// True when `text` is non-empty and made of ASCII letters, digits and the
// characters in `punctuation` only (ids, variable and environment names).
bool is_name(std::string_view text, std::string_view punctuation);

// "a.b" + "c" -> "a.b.c"; "a" + 2 -> "a[2]".
std::string path_join(std::string_view parent, std::string_view key);
std::string path_index(std::string_view parent, std::size_t index);

}  // namespace ewstrigd::config
