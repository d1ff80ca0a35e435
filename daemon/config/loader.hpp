#pragma once
// Loads ewstrigd.yaml plus every *.yaml in triggers_dir into a config, or
// reports every error found, each with FILE:LINE:COLUMN. Reads files (the
// config, ${file:} values, certificate paths); no network I/O.

#include "config/diagnostics.hpp"
#include "config/model.hpp"

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace ewstrigd::config {

struct load_result {
    std::optional<config> cfg;          // set only when errors is empty
    std::vector<diagnostic> errors;
};

load_result load_config(const std::filesystem::path& main_file);

// Same, with the main file's text given; `name` is used in messages and its
// directory as the base for relative paths (triggers_dir, ${file:}).
load_result load_config_text(std::string_view text, const std::filesystem::path& name);

}  // namespace ewstrigd::config
