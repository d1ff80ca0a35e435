#include "actions/child_registry.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ewstrigd::actions {
namespace {

std::string read_boot_id() {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return id;
}

// The fields of /proc/PID/stat after the command name (field 2), which is
// in parentheses and may itself hold spaces and parentheses: they start at
// the last ')'. nullopt when the process does not exist.
std::optional<std::istringstream> stat_fields_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return std::nullopt;
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    return std::istringstream(stat.substr(close + 1));
}

// Field 22: when the process started, in clock ticks since boot. With the
// boot id it names one process for good, whatever pid reuse.
std::optional<std::string> start_time_of(pid_t pid) {
    auto fields = stat_fields_of(pid);
    if (!fields) return std::nullopt;
    std::string field;
    for (int n = 3; n <= 22; ++n) {
        if (!(*fields >> field)) return std::nullopt;
    }
    return field;
}

// Field 3, the state. A leader that has exited but is not yet reaped by its
// new parent is a zombie ('Z'): it runs nothing any more.
bool is_running(pid_t pid) {
    auto fields = stat_fields_of(pid);
    std::string state;
    return fields && (*fields >> state) && state != "Z";
}

}  // namespace

child_registry::child_registry(std::filesystem::path dir) : dir_(std::move(dir)), boot_id_(read_boot_id()) {}

bool child_registry::add(pid_t pid) {
    const auto started = start_time_of(pid);
    if (!started || boot_id_.empty()) return false;
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return false;
    const auto file = dir_ / std::to_string(pid);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    const std::string line = boot_id_ + " " + *started + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) ::unlink(file.c_str());
    return ok;
}

void child_registry::remove(pid_t pid) { ::unlink((dir_ / std::to_string(pid)).c_str()); }

child_registry::sweep child_registry::kill_leftovers() {
    sweep result;
    std::error_code ec;
    std::vector<pid_t> killed;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        const std::string name = entry.path().filename().string();
        std::ifstream in(entry.path());
        std::string boot_id;
        std::string started;
        in >> boot_id >> started;
        pid_t pid = 0;
        try {
            pid = static_cast<pid_t>(std::stoi(name));
        } catch (const std::exception&) {
            pid = 0;
        }
        // Only a leader that is provably the child we recorded: same boot,
        // same start time. Its group is the one we created (pgid = pid).
        if (pid > 0 && !boot_id_.empty() && boot_id == boot_id_ && start_time_of(pid) == started &&
            ::kill(-pid, SIGKILL) == 0) {
            killed.push_back(pid);
        } else {
            ++result.finished;
        }
        std::filesystem::remove(entry.path(), ec);
    }
    result.killed = killed.size();
    // SIGKILL is final once sent, but wait for the leaders to be gone so the
    // retried actions never overlap them. Bounded: a process stuck in an
    // uninterruptible wait must not hold the daemon's start-up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (pid_t pid : killed) {
        while (is_running(pid) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    return result;
}

}  // namespace ewstrigd::actions
