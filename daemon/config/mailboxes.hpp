#pragma once
// `mailboxes:` entries -> mailbox_config, with per-auth-kind rules.

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string_view>

namespace ewstrigd::config {

std::optional<mailbox_config> read_mailbox(yaml_reader& in, const YAML::Node& node, std::string_view what);

}  // namespace ewstrigd::config
