#pragma once
// log.format: json — one JSON object per line, for log shippers:
//   {"time":"2026-11-28T15:04:05.123Z","level":"info","logger":"ewstrigd","msg":"..."}
// `time` is UTC (ISO 8601, milliseconds). The message is escaped as JSON
// (quotes, backslashes, control characters); bytes that are not valid UTF-8
// (mail subjects, server answers) become U+FFFD, so every line parses.
//
// Thread-safety: like every spdlog formatter, one instance per sink; the
// sink serialises calls to format().

#include <spdlog/formatter.h>

#include <memory>

namespace ewstrigd::service {

class json_log_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace ewstrigd::service
