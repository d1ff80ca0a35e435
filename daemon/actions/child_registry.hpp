#pragma once
// Remembers the process groups of running `run` children on disk, so that a
// daemon restarted after a SIGKILL (or a crash) can kill the children the
// previous instance left behind before it runs their actions again.
//
// Why: a child runs in its own process group, so killing the daemon outside
// systemd leaves it running; the restarted daemon retries the action (its
// outbox row was never marked done) and the orphan and the retry then both
// complete. Under systemd the unit's control group already kills them; this
// gives the same behaviour everywhere. It narrows the repeats to the real
// at-least-once window (an action that finished just before the kill).
//
// One file per child in `dir` (state_dir/children), named by the pid and
// holding the kernel boot id and the child's start time (/proc/PID/stat),
// so a pid reused by an unrelated process, or a file left from before a
// reboot, is never mistaken for our child. The files are not fsynced: after
// a machine crash there are no leftover children to kill.
//
// A group whose leader has already exited cannot be proven ours and is left
// alone (its other members came from a program that left them running).
//
// The directory must belong to one daemon: call kill_leftovers only while
// holding the state directory's lock (the store's), else a second instance
// would kill the first one's children.

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace ewstrigd::actions {

class child_registry {
public:
    explicit child_registry(std::filesystem::path dir);

    // Records a child just spawned by this process (still ours: not reaped).
    // Failing to record is not fatal; it returns false so the caller can log.
    bool add(pid_t pid);
    // Forgets a child once it has been reaped.
    void remove(pid_t pid);

    struct sweep {
        std::size_t killed = 0;    // process groups sent SIGKILL
        std::size_t finished = 0;  // entries whose child was already gone
    };
    // Kills the process groups recorded by a previous instance that are still
    // running, waits (bounded) for their leaders to die, and clears the
    // directory. Call before any new child is started.
    sweep kill_leftovers();

private:
    std::filesystem::path dir_;
    std::string boot_id_;
};

}  // namespace ewstrigd::actions
