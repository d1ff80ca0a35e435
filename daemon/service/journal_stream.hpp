#pragma once
// Whether a file descriptor is connected to systemd-journald: systemd sets
// JOURNAL_STREAM=<device>:<inode> for a service whose stdout/stderr it
// connects to the journal (systemd.exec(5)). A process whose stderr was
// redirected since (a shell in between, `2>file`) no longer matches.

namespace ewstrigd::service {

// `journal_stream` is the value of $JOURNAL_STREAM, or null if unset.
bool fd_is_journal_stream(int fd, const char* journal_stream);

}  // namespace ewstrigd::service
