#pragma once
// File modes of the state directory (DESIGN.md "Non-negotiables": state files
// 0600), private to state/. POSIX only; a Windows port replaces this file and
// lock_file.cpp.
//
// Deliberately no umask(): it is process-wide, and other threads (the action
// pool) may be creating files at the same moment.

#include <filesystem>

namespace ewstrigd::state {

// Creates `dir` (and missing parents) when absent; the directory itself gets
// 0700. An existing directory is left as it is: its mode is the admin's (or
// systemd's StateDirectoryMode=) choice. Throws store_error when `dir` is not
// a directory or cannot be created.
void ensure_private_dir(const std::filesystem::path& dir);

// Creates `file` empty with mode 0600 when absent, and narrows an existing
// file's group/other bits away (a copied-in database keeps no 0644). Throws
// store_error naming the file when that fails.
void ensure_private_file(const std::filesystem::path& file);

// Narrows `file` to 0600 if it exists; absent is fine (SQLite's -wal/-shm
// companions come and go). Throws store_error when chmod fails.
void narrow_if_present(const std::filesystem::path& file);

// fsync of a directory, so a file just created in it survives power loss.
void sync_dir(const std::filesystem::path& dir);

}  // namespace ewstrigd::state
