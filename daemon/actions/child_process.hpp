#pragma once
// A child process for the run action, waited for on the event loop.
//
// - posix_spawnp: argv as given (no shell; argv[0] searched in PATH unless
//   it holds a '/'), the given environment and working directory, stdin from
//   /dev/null, stdout/stderr into pipes, every other descriptor closed, all
//   signals back to their defaults and unblocked, and its own process group
//   (the group is what a timeout or a cancellation kills).
// - The exit is awaited through a pidfd (Linux >= 5.3) watched by Asio: one
//   descriptor per child, no process-wide SIGCHLD handler that would reap
//   children other code owns (waitpid(-1)) or wake for every child, and no
//   polling. Output is read as it arrives, at most `output_limit` bytes per
//   stream kept and the rest counted.
// - Timeout: SIGTERM to the group, then SIGKILL to the group `kill_grace`
//   later or as soon as the leader has exited, whichever comes first.
//   kill(): SIGKILL to the group.
// - After the child exits, pipes still held open by a descendant that left
//   the group are read for at most `linger`, then closed.
// - Loop affinity: use from the io_context's thread. `done` runs once, on the
//   loop, never inside start(). Destroying the last reference to a running
//   child (the io_context going away) kills its group and reaps it.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::actions {

struct process_spec {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value"
    std::string cwd;               // empty: the daemon's
};

struct process_limits {
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    std::chrono::milliseconds kill_grace{std::chrono::seconds(5)};
    std::size_t output_limit = std::size_t{64} << 10;
    std::chrono::milliseconds linger{std::chrono::seconds(1)};
};

struct captured_output {
    std::string text;
    std::uint64_t dropped = 0;  // bytes beyond output_limit
};

struct process_result {
    enum class ending { exited, signalled, timed_out, cancelled, spawn_failed };
    ending how = ending::exited;
    int code = 0;  // exit status, signal number, or errno of the failed spawn
    captured_output out;
    captured_output err;
};

class child_process {
public:
    using done_handler = std::function<void(process_result)>;

    // Starts the process; a spawn failure also completes through `done`.
    static std::shared_ptr<child_process> start(boost::asio::any_io_executor ex, process_spec spec,
                                                process_limits limits, done_handler done);
    // Kills the group at once; completes with ending::cancelled (unless it had already exited).
    virtual void kill() = 0;
    virtual int pid() const = 0;
    virtual ~child_process() = default;
};

}  // namespace ewstrigd::actions
