#pragma once
// `actions:` lists -> action_config, with every template checked: an unknown
// placeholder, or {{match.NAME}} naming no regex group of the trigger, is an
// error at load time rather than an empty string at 3 a.m.

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::config {

std::optional<std::vector<action_config>> read_actions(yaml_reader& in, const YAML::Node& list,
                                                       std::string_view what,
                                                       const std::vector<std::string>& capture_names);

}  // namespace ewstrigd::config
