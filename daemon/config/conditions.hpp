#pragma once
// `when:` YAML -> compiled match::condition, reporting every error with its
// position. Regexes are compiled with RE2 here, so a bad pattern is a config
// error, not a runtime one.

#include "config/yaml_reader.hpp"
#include "match/condition.hpp"

#include <optional>
#include <string_view>

namespace ewstrigd::config {

// A `when` map with several keys means `all`; a list means `all` too.
std::optional<match::condition> read_condition(yaml_reader& in, const YAML::Node& when, std::string_view what);

}  // namespace ewstrigd::config
