#include "cli/log_setup.hpp"

#include "service/json_log_formatter.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace ewstrigd::cli {

void setup_logging(const config::log_config& log) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    if (log.format == "json") {
        sink->set_formatter(std::make_unique<service::json_log_formatter>());
    } else if (log.format == "journald") {
        sink->set_pattern("<%l> %n: %v");
    }
    // Loggers created later by modules (spdlog::default_logger()->sinks()) share this sink and its format.
    auto logger = std::make_shared<spdlog::logger>("ewstrigd", sink);
    spdlog::drop_all();
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(log.level));
}

}  // namespace ewstrigd::cli
