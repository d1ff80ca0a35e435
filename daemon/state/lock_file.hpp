#pragma once
// The instance lock, private to state/: `ewstrigd.lock` in state_dir, held
// with flock(LOCK_EX | LOCK_NB) for the lifetime of the object and carrying
// the holder's pid for the message a second `ewstrigd run` prints.
//
// flock locks belong to the open file description, so two lock_file objects
// conflict even inside one process, and the kernel drops the lock when the
// holder dies (no stale lock after a crash). The descriptor is O_CLOEXEC:
// programs started by `run` actions must not inherit the lock.
// POSIX only; a Windows port would use LockFileEx.

#include <filesystem>

namespace ewstrigd::state {

class lock_file {
public:
    // Throws store_error "another ewstrigd is using DIR (pid N)" when another
    // holder has it, or naming the file and the reason on any other failure.
    explicit lock_file(const std::filesystem::path& state_dir);
    ~lock_file();
    lock_file(lock_file&& other) noexcept;
    lock_file& operator=(lock_file&&) = delete;
    lock_file(const lock_file&) = delete;
    lock_file& operator=(const lock_file&) = delete;

    static constexpr const char* file_name = "ewstrigd.lock";

private:
    int fd_ = -1;
};

}  // namespace ewstrigd::state
