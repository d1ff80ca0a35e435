#include "cli/log_setup.hpp"

#include "service/journal_sink.hpp"
#include "service/journal_stream.hpp"
#include "service/json_log_formatter.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>

namespace ewstrigd::cli {
namespace {

spdlog::sink_ptr make_sink(log_output output) {
    if (output == log_output::journal) return std::make_shared<service::journal_sink>();
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    if (output == log_output::json) sink->set_formatter(std::make_unique<service::json_log_formatter>());
    return sink;
}

}  // namespace

log_output resolve_log_output(const std::string& format, int stderr_fd, const char* journal_stream) {
    if (format == "json") return log_output::json;
    if (format == "journal" || format == "journald") return log_output::journal;
    if (format == "auto" && service::fd_is_journal_stream(stderr_fd, journal_stream)) return log_output::journal;
    return log_output::text;
}

void setup_logging(const config::log_config& log) {
    const auto output = resolve_log_output(log.format, STDERR_FILENO, std::getenv("JOURNAL_STREAM"));
    // Loggers created later by modules (spdlog::default_logger()->sinks()) share this sink and its format.
    auto sink = make_sink(output);
    auto logger = std::make_shared<spdlog::logger>("ewstrigd", sink);
    spdlog::drop_all();
    spdlog::set_default_logger(logger);
    apply_log_level(log.level);
}

void apply_log_level(const std::string& level) {
    spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace ewstrigd::cli
