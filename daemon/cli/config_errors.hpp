#pragma once
// Printing load errors the same way for every subcommand.

#include "config/diagnostics.hpp"

#include <iosfwd>
#include <vector>

namespace ewstrigd::cli {

// Writes each error on its own line, then a count; returns exit_code::invalid_config.
int report_config_errors(const std::vector<config::diagnostic>& errors, std::ostream& err);

}  // namespace ewstrigd::cli
