#pragma once
// The mail-out actions of an `actions:` list (reply, reply_all, forward,
// send) -> their config structs. Literal recipients are checked here, so a
// typo is an error at load naming FILE:LINE; templated ones are checked when
// expanded (actions/mail_compose.hpp).

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace ewstrigd::config {

// Reads a template and checks its placeholders (config/actions.cpp's rules).
using template_reader = std::function<std::optional<templated>(const YAML::Node&, std::string_view what)>;

std::optional<reply_action> read_reply(yaml_reader& in, const YAML::Node& node, std::string_view what, bool all,
                                       const template_reader& read_template);
std::optional<forward_action> read_forward(yaml_reader& in, const YAML::Node& node, std::string_view what,
                                           const template_reader& read_template);
std::optional<send_action> read_send(yaml_reader& in, const YAML::Node& node, std::string_view what,
                                     const template_reader& read_template);

// A bare addr-spec as users write one: local@domain, no spaces, no display
// name or angle brackets, a domain of letters, digits, '-' and '.'.
bool is_mail_address(std::string_view text);

}  // namespace ewstrigd::config
