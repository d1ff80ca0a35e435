#pragma once
// The subcommands. Each returns the process exit code (see exit_codes.hpp)
// and writes results to `out`, errors to `err`, one per line.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::service::platform {
struct service_context;
}

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

struct login_args {
    std::filesystem::path config_file;
    std::string mailbox;       // id or address
    bool device_code = false;  // force the device code flow
    bool browser = false;      // force authorization code + PKCE on redirect_uri
    int timeout_seconds = 120;
};
// First sign-in of an oauth-delegated mailbox; stores its tokens. auth_failed
// when the sign-in fails or times out.
int login_command(const login_args& args, std::ostream& out, std::ostream& err);

struct logout_args {
    std::filesystem::path config_file;
    std::string mailbox;
};
// Deletes the mailbox's stored tokens (ok also when there were none).
int logout_command(const logout_args& args, std::ostream& out, std::ostream& err);

struct connect_args {
    std::filesystem::path config_file;
    std::string mailbox;
};
// Gets credentials and makes one EWS GetFolder(inbox); prints what worked.
int connect_command(const connect_args& args, std::ostream& out, std::ostream& err);

struct status_args {
    std::filesystem::path config_file;
    std::optional<std::string> listen;  // overrides the config's metrics.listen (e.g. another shard)
    bool json = false;
};
// GETs /status.json from the running daemon (at metrics.listen) and prints a
// table, or the JSON. 7 when the daemon does not answer, 8 when metrics.listen is unset.
int status_command(const status_args& args, std::ostream& out, std::ostream& err);

struct run_args {
    std::filesystem::path config_file;
    bool once = false;                 // sync every folder once, drain the outbox, exit
    std::optional<std::string> shard;  // "K/N": only the mailboxes of this shard
};
// The daemon (docs/daemon.md). Exit 0 after SIGINT/SIGTERM or a clean --once.
int run_command(const run_args& args, std::ostream& out, std::ostream& err);
// The same daemon, reporting to a service manager (`service run`; null: none).
int run_daemon(const run_args& args, std::ostream& err, service::platform::service_context* service);

struct service_args {
    std::string action;  // install | uninstall | run
    std::filesystem::path config_file;
    std::string name = "ewstrigd";
};
// The Windows service (docs/operations.md). Elsewhere: prints that systemd
// units are used (systemd/ewstrigd.service) and returns usage (2).
int service_command(const service_args& args, std::ostream& out, std::ostream& err);

struct outbox_args {
    std::string action;  // list | retry
    std::filesystem::path config_file;
    bool dead = false;  // list: dead letters only
    bool json = false;  // list: one JSON document
    std::vector<std::int64_t> ids;  // retry: these dead letters
    bool all_dead = false;          // retry: every dead letter
};
// Lists pending and dead outbox rows, or puts dead ones back to pending
// (docs/state.md, "Outbox"); beside a running daemon or without one. 1 when
// the config or the state database cannot be read, 2 when an ID is no dead letter.
int outbox_command(const outbox_args& args, std::ostream& out, std::ostream& err);

// Parses argv, runs the subcommand; --help/--version print and return 0.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace ewstrigd::cli
