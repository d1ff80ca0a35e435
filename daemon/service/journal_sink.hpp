#pragma once
// log.format: journal — each line goes to systemd-journald as one entry with
// fields, so `journalctl -u ewstrigd MAILBOX=invoices` finds a mailbox's lines:
//   MESSAGE            the message as logged
//   PRIORITY           syslog priority (trace/debug 7, info 6, warn 4, error 3, critical 2)
//   SYSLOG_IDENTIFIER  ewstrigd (journalctl -t ewstrigd)
//   EWSTRIGD_LOGGER    the module logger ("watch", "actions", "source", ...)
//   MAILBOX, FOLDER, TRIGGER, EVENT_ID  from the line's leading mailbox=,
//                      folder=, trigger=, event= words (service/log_fields.hpp)
// If the journal cannot be written (no journald socket), the line goes to
// stderr as "<N>logger: message", which journald also understands.

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace ewstrigd::service {

// "NAME=value" strings of one journal entry. Returns false if not written.
using journal_writer = std::function<bool(const std::vector<std::string>& fields)>;

// The real writer: sd_journal_sendv() of libsystemd.
bool send_to_journal(const std::vector<std::string>& fields);

int journal_priority(spdlog::level::level_enum level);

std::vector<std::string> journal_fields(const spdlog::details::log_msg& msg);

class journal_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit journal_sink(journal_writer write = send_to_journal, std::FILE* fallback = stderr);

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;

private:
    journal_writer write_;
    std::FILE* fallback_;
};

}  // namespace ewstrigd::service
