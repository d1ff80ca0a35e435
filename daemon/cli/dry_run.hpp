#pragma once
// What `ewstrigd test` computes: which triggers match a message and the
// actions they would run, templates expanded, secrets redacted. Pure: nothing
// is executed.

#include "config/model.hpp"
#include "match/message.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::cli {

struct dry_run_options {
    std::optional<std::string> mailbox;  // only this mailbox's triggers
    std::string folder = "inbox";        // the folder the message is taken to be in
    std::string message_file;            // what {{message_file}} expands to
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct trigger_hit {
    std::string trigger;
    std::string mailbox;
    std::map<std::string, std::string> captures;
    nlohmann::json actions = nlohmann::json::array();  // one object per action, with "type"
};

struct dry_run_report {
    std::size_t evaluated = 0;       // triggers that applied to the mailbox and folder
    std::vector<trigger_hit> matched;
};

dry_run_report dry_run(const config::config& cfg, const match::message& msg, const dry_run_options& options);

// The message fields `test` shows, as JSON.
nlohmann::json describe_message(const match::message& msg);

// Human-readable lines for one planned action object.
std::string describe_action(const nlohmann::json& action);

}  // namespace ewstrigd::cli
