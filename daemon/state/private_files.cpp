#include "state/private_files.hpp"

#include "state/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace ewstrigd::state {

namespace {

constexpr mode_t owner_only = S_IRUSR | S_IWUSR;
constexpr mode_t group_other = S_IRWXG | S_IRWXO;

[[noreturn]] void fail(const std::filesystem::path& p, const char* what, int err) {
    throw store_error(p.string() + ": " + what + ": " + std::generic_category().message(err));
}

void narrow(int fd, const std::filesystem::path& file) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) fail(file, "cannot stat", errno);
    if ((st.st_mode & group_other) != 0 && ::fchmod(fd, st.st_mode & S_IRWXU) != 0)
        fail(file, "cannot narrow the file mode to 0600", errno);
}

// Opens `file` (creating it 0600 when `flags` has O_CREAT) and narrows its
// mode; an absent file is fine only when not asked to create it.
void open_and_narrow(const std::filesystem::path& file, int flags) {
    const int fd = ::open(file.c_str(), flags | O_CLOEXEC, owner_only);
    if (fd < 0) {
        if (errno == ENOENT && (flags & O_CREAT) == 0) return;
        fail(file, "cannot open", errno);
    }
    try {
        narrow(fd, file);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
}

}  // namespace

void ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    if (std::filesystem::exists(dir, ec)) throw store_error(dir.string() + ": exists but is not a directory");
    if (dir.has_parent_path() && !dir.parent_path().empty()) {
        std::filesystem::create_directories(dir.parent_path(), ec);
        if (ec) throw store_error(dir.parent_path().string() + ": cannot create: " + ec.message());
    }
    if (::mkdir(dir.c_str(), S_IRWXU) != 0 && errno != EEXIST) fail(dir, "cannot create the state directory", errno);
    // mkdir's mode went through the umask; state it exactly.
    if (::chmod(dir.c_str(), S_IRWXU) != 0) fail(dir, "cannot set mode 0700", errno);
}

void ensure_private_file(const std::filesystem::path& file) { open_and_narrow(file, O_RDWR | O_CREAT); }

// By path, never by opening: closing any descriptor of a file drops every
// POSIX lock this process holds on it, and SQLite's locks on -shm/-wal are
// what keep another reader from truncating the shared memory under us.
void narrow_if_present(const std::filesystem::path& file) {
    struct stat st{};
    if (::lstat(file.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        fail(file, "cannot stat", errno);
    }
    if (S_ISLNK(st.st_mode)) fail(file, "refusing a symbolic link", ELOOP);
    if ((st.st_mode & group_other) != 0 && ::chmod(file.c_str(), st.st_mode & S_IRWXU) != 0)
        fail(file, "cannot narrow the file mode to 0600", errno);
}

void sync_dir(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail(dir, "cannot open", errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) fail(dir, "cannot fsync", err);
}

}  // namespace ewstrigd::state
