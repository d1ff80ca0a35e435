#pragma once
// Exit codes of the ewstrigd binary, documented in README.md.

namespace ewstrigd::cli::exit_code {

inline constexpr int ok = 0;               // done; for `test`: at least one trigger matched
inline constexpr int invalid_config = 1;   // the configuration has errors (all printed)
inline constexpr int usage = 2;            // bad command line
inline constexpr int no_match = 3;         // `test`: no trigger matched the message
inline constexpr int bad_message = 4;      // `test`: the message file is unreadable or not a message
inline constexpr int auth_failed = 5;      // `login`/`connect`: sign-in, token or EWS call failed (reason on stderr)
inline constexpr int not_running = 7;      // `status`: nothing answers on metrics.listen, or not with a status
inline constexpr int metrics_disabled = 8; // `status`: the config has no metrics.listen, so the daemon serves no status

}  // namespace ewstrigd::cli::exit_code
