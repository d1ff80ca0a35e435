#include "state/lock_file.hpp"

#include "state/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>

namespace ewstrigd::state {

namespace {

// The pid the holder wrote, or "unknown" (it may not have written it yet).
std::string holder_pid(int fd) {
    char buf[32] = {};
    const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
    long pid = 0;
    if (n > 0) {
        const auto [end, ec] = std::from_chars(buf, buf + n, pid);
        if (ec == std::errc{} && end != buf && pid > 0) return std::to_string(pid);
    }
    return "unknown";
}

}  // namespace

lock_file::lock_file(const std::filesystem::path& state_dir) {
    const auto path = state_dir / file_name;
    const auto failed = [&](const char* what, int err) {
        if (fd_ >= 0) ::close(fd_);
        return store_error(path.string() + ": " + what + ": " + std::generic_category().message(err));
    };
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
    if (fd_ < 0) throw failed("cannot open the lock file", errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK) {
            const auto pid = holder_pid(fd_);
            ::close(fd_);
            throw store_error("another ewstrigd is using " + state_dir.string() + " (pid " + pid + ")");
        }
        throw failed("cannot lock", err);
    }
    // Only the holder writes, so a reader sees either the old or the new pid.
    const auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0) throw failed("cannot write", errno);
    const auto written = ::pwrite(fd_, pid.data(), pid.size(), 0);
    if (written < 0) throw failed("cannot write", errno);
    if (static_cast<std::size_t>(written) != pid.size()) throw failed("cannot write", EIO);
    if (::fchmod(fd_, S_IRUSR | S_IWUSR) != 0) throw failed("cannot set mode 0600", errno);
}

lock_file::~lock_file() {
    // Closing releases the lock. The file stays: unlinking it would let a
    // newcomer lock a fresh inode while a third process still holds the old.
    if (fd_ >= 0) ::close(fd_);
}

lock_file::lock_file(lock_file&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

}  // namespace ewstrigd::state
