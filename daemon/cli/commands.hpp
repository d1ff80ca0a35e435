#pragma once
// The subcommands. Each returns the process exit code (see exit_codes.hpp)
// and writes results to `out`, errors to `err`, one per line.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace ewstrigd::cli {

struct check_args {
    std::filesystem::path config_file;
};
int check_command(const check_args& args, std::ostream& out, std::ostream& err);

struct test_args {
    std::filesystem::path config_file;
    std::filesystem::path message_file;
    std::optional<std::string> mailbox;
    std::optional<std::string> folder;
    bool json = false;
};
int test_command(const test_args& args, std::ostream& out, std::ostream& err);

struct ews_decode_args {
    std::filesystem::path file;  // a saved EWS response or a captured streaming body
    bool json = false;
};
// Prints what the file's envelopes mean (JSON with --json, else a summary).
// Returns ok when every envelope decoded, bad_message when the file is
// unreadable or an envelope is not a SOAP response (JSON still printed).
int ews_decode_command(const ews_decode_args& args, std::ostream& out, std::ostream& err);

// Parses argv, runs the subcommand; --help/--version print and return 0.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace ewstrigd::cli
