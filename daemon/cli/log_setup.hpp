#pragma once
// The process-wide spdlog setup of `ewstrigd run` from the config's `log:`
// section: level, and format text | json (service/json_log_formatter.hpp) |
// journald ("<level> logger: message", the journal adds the time). Logs go to
// stderr. Call once, before the loop starts (spdlog's registry is global).

#include "config/model.hpp"

namespace ewstrigd::cli {

void setup_logging(const config::log_config& log);

}  // namespace ewstrigd::cli
