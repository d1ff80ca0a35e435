#pragma once
// The environment of a `run` action's process (pure; docs/actions.md lists it):
//   1. the daemon's own environment minus what a program must not inherit:
//      secrets (names containing SECRET, PASSWORD, PASSWD, TOKEN, CREDENTIAL,
//      PRIVATE, APIKEY/API_KEY, ACCESS_KEY, COOKIE), systemd's service
//      plumbing (NOTIFY_SOCKET, WATCHDOG_*, LISTEN_*, CREDENTIALS_DIRECTORY),
//      and the daemon's own EWSTRIGD_* settings (so they never mix with the
//      event's variables);
//   2. EWSTRIGD_SUBJECT, _FROM, _FROM_NAME, _TO, _CC, _ITEM_ID, _EVENT_ID,
//      _MAILBOX, _TRIGGER, _FOLDER, _RECEIVED, _IMPORTANCE, _ATTACHMENTS,
//      _MESSAGE_FILE (when the message was saved for it) and _MATCH_<NAME>
//      per capture (NAME upper-cased, other characters than A-Z 0-9 _ as _);
//   3. the action's own `env:` entries, expanded; a later entry replaces an
//      earlier one of the same name.
// Values lose NUL bytes (they would cut the C string short).

#include "actions/job.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::actions {

// True for a variable of the daemon that a program must not inherit.
bool is_withheld_variable(std::string_view name);

// "NAME=value" entries in the order described above.
std::vector<std::string> build_environment(const std::vector<std::string>& inherited, const job& j,
                                           const config::run_action& run, const std::string& message_file);

// The current process's environment as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace ewstrigd::actions
