#include "service/journal_sink.hpp"

#include "service/log_fields.hpp"

#include <systemd/sd-journal.h>

#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <string_view>
#include <utility>

namespace ewstrigd::service {
namespace {

// Journal field names for the context words modules put first in a line.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> context_fields{{
    {"mailbox", "MAILBOX"},
    {"folder", "FOLDER"},
    {"trigger", "TRIGGER"},
    {"event", "EVENT_ID"},
}};

std::string field(std::string_view name, std::string_view value) {
    std::string f;
    f.reserve(name.size() + 1 + value.size());
    f.append(name).append("=").append(value);
    return f;
}

}  // namespace

bool send_to_journal(const std::vector<std::string>& fields) {
    // sd_journal_sendv() reports success when there is no journald at all
    // (it drops the entry), so look for its socket, once.
    static const bool journald_listens = ::access("/run/systemd/journal/socket", F_OK) == 0;
    if (!journald_listens) return false;
    std::vector<iovec> iov;
    iov.reserve(fields.size());
    for (const auto& f : fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
    return ::sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0;
}

int journal_priority(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::critical: return 2;  // LOG_CRIT
        case spdlog::level::err: return 3;       // LOG_ERR
        case spdlog::level::warn: return 4;      // LOG_WARNING
        case spdlog::level::info: return 6;      // LOG_INFO
        default: return 7;                       // LOG_DEBUG (trace, debug)
    }
}

std::vector<std::string> journal_fields(const spdlog::details::log_msg& msg) {
    const std::string_view message(msg.payload.data(), msg.payload.size());
    std::vector<std::string> fields{
        field("MESSAGE", message),
        field("PRIORITY", std::to_string(journal_priority(msg.level))),
        field("SYSLOG_IDENTIFIER", "ewstrigd"),
        field("EWSTRIGD_LOGGER", std::string_view(msg.logger_name.data(), msg.logger_name.size())),
    };
    for (const auto& [key, value] : leading_log_fields(message)) {
        for (const auto& [word, name] : context_fields) {
            if (key == word) fields.push_back(field(name, value));
        }
    }
    return fields;
}

journal_sink::journal_sink(journal_writer write, std::FILE* fallback)
    : write_(std::move(write)), fallback_(fallback) {}

void journal_sink::sink_it_(const spdlog::details::log_msg& msg) {
    if (write_(journal_fields(msg))) return;
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    const std::string_view message(msg.payload.data(), msg.payload.size());
    std::fprintf(fallback_, "<%d>%.*s: %.*s\n", journal_priority(msg.level), static_cast<int>(logger.size()),
                 logger.data(), static_cast<int>(message.size()), message.data());
}

void journal_sink::flush_() {
    std::fflush(fallback_);
}

}  // namespace ewstrigd::service
