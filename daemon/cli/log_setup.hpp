#pragma once
// The process-wide spdlog setup of `ewstrigd run` from the config's `log:`
// section. log.format:
//   auto     (default) journal when systemd connected stderr to the journal
//            ($JOURNAL_STREAM matches stderr), text otherwise
//   text     human lines on stderr, with time
//   json     one JSON object per line on stderr (service/json_log_formatter.hpp)
//   journal  entries with fields sent to journald (service/journal_sink.hpp);
//            `journald` is the older name of it
// Call setup_logging once, before the loop starts (spdlog's registry is global).

#include "config/model.hpp"

#include <string>

namespace ewstrigd::cli {

enum class log_output { text, json, journal };

// `journal_stream`: the value of $JOURNAL_STREAM (null if unset).
log_output resolve_log_output(const std::string& format, int stderr_fd, const char* journal_stream);

void setup_logging(const config::log_config& log);

// Sets the level of every logger, also those modules made already (reload).
void apply_log_level(const std::string& level);

}  // namespace ewstrigd::cli
