#include "actions/child_process.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ewstrigd::actions {
namespace {

namespace net = boost::asio;

struct fd_pair {
    int read = -1;
    int write = -1;
    ~fd_pair() {
        if (read >= 0) ::close(read);
        if (write >= 0) ::close(write);
    }
};

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// posix_spawnp with our file actions and attributes; returns 0 or an errno.
int spawn(process_spec& spec, int out_fd, int err_fd, pid_t& pid) {
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) return errno;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&actions, devnull, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    // Asio, curl and SQLite descriptors are not all close-on-exec: close them.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);  // e.g. SIGPIPE, ignored by the daemon
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    auto argv = c_strings(spec.argv);
    auto envp = c_strings(spec.env);
    const int rc = posix_spawnp(&pid, spec.argv.front().c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(devnull);
    return rc;
}

class process final : public child_process, public std::enable_shared_from_this<process> {
public:
    process(net::any_io_executor ex, process_limits limits, done_handler done)
        : ex_(ex), limits_(limits), done_(std::move(done)), pidfd_(ex), out_(ex), err_(ex), timeout_(ex),
          kill_timer_(ex), linger_(ex) {}

    ~process() override {
        if (pid_ > 0 && !reaped_) {  // the loop went away with the child running
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    void launch(process_spec spec) {
        if (spec.argv.empty() || spec.argv.front().empty()) return fail(ENOENT);
        fd_pair out;
        fd_pair err;
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return fail(errno);
        out.read = fds[0];
        out.write = fds[1];
        if (::pipe2(fds, O_CLOEXEC) != 0) return fail(errno);
        err.read = fds[0];
        err.write = fds[1];
        if (const int rc = spawn(spec, out.write, err.write, pid_); rc != 0) {
            pid_ = -1;
            return fail(rc);
        }
        // The raw system call: glibc 2.36's <sys/pidfd.h> lacks extern "C".
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd < 0) {  // cannot wait without blocking: undo the start
            const int e = errno;
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            reaped_ = true;
            return fail(e);
        }
        pidfd_.assign(pidfd);
        out_.assign(std::exchange(out.read, -1));
        err_.assign(std::exchange(err.read, -1));
        out_open_ = err_open_ = true;
        read(out_, out_buf_, result_.out, out_open_);
        read(err_, err_buf_, result_.err, err_open_);
        wait_exit();
        timeout_.expires_after(limits_.timeout);
        timeout_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->on_timeout();
        });
    }

    void kill() override {
        if (finished_ || pid_ <= 0 || cancelled_) return;
        if (exited_) {  // only pipes held by a stray descendant keep it open
            out_.close();
            err_.close();
            return;
        }
        cancelled_ = true;
        ::kill(-pid_, SIGKILL);
        timeout_.cancel();
        if (waiting_kill_) {
            waiting_kill_ = false;
            kill_timer_.cancel();
        }
    }

    int pid() const override { return pid_; }

private:
    void fail(int error) {
        result_.how = process_result::ending::spawn_failed;
        result_.code = error;
        finished_ = true;
        net::post(ex_, [self = shared_from_this()] {
            auto done = std::move(self->done_);  // breaks the cycle through the caller's state
            done(std::move(self->result_));
        });
    }

    void read(net::posix::stream_descriptor& s, std::array<char, 16384>& buf, captured_output& into, bool& open) {
        s.async_read_some(net::buffer(buf), [self = shared_from_this(), &s, &buf, &into, &open](
                                                  boost::system::error_code ec, std::size_t n) {
            const std::size_t room = self->limits_.output_limit - std::min(self->limits_.output_limit, into.text.size());
            into.text.append(buf.data(), std::min(n, room));
            into.dropped += n - std::min(n, room);
            if (ec) {
                open = false;
                s.close();
                self->maybe_finish();
                return;
            }
            self->read(s, buf, into, open);
        });
    }

    void wait_exit() {
        pidfd_.async_wait(net::posix::stream_descriptor::wait_read,
                          [self = shared_from_this()](boost::system::error_code ec) { self->on_exit_ready(ec); });
    }

    void on_exit_ready(boost::system::error_code ec) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == 0 && !ec) return wait_exit();  // spurious wake-up
        reaped_ = true;
        status_ = status;
        exited_ = true;
        timeout_.cancel();
        pidfd_.close();
        // After a timeout, the leader's exit ends the grace of the whole group
        // (its members got the SIGTERM at the same moment). Waiting for them to
        // vanish is not possible: orphans linger as zombies of another parent.
        if (waiting_kill_) {
            waiting_kill_ = false;
            kill_timer_.cancel();
            ::kill(-pid_, SIGKILL);
        }
        if (out_open_ || err_open_) {
            linger_.expires_after(limits_.linger);
            linger_.async_wait([self = shared_from_this()](boost::system::error_code lec) {
                if (lec) return;
                self->out_.close();  // completes the pending reads with operation_aborted
                self->err_.close();
            });
        }
        maybe_finish();
    }

    void on_timeout() {
        if (exited_ || cancelled_) return;
        timed_out_ = true;
        ::kill(-pid_, SIGTERM);
        waiting_kill_ = true;
        kill_timer_.expires_after(limits_.kill_grace);
        kill_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || !self->waiting_kill_) return;
            self->waiting_kill_ = false;
            ::kill(-self->pid_, SIGKILL);
            self->maybe_finish();
        });
    }

    void maybe_finish() {
        if (finished_ || !exited_ || out_open_ || err_open_ || waiting_kill_) return;
        finished_ = true;
        linger_.cancel();
        if (cancelled_) {
            result_.how = process_result::ending::cancelled;
        } else if (timed_out_) {
            result_.how = process_result::ending::timed_out;
        } else if (WIFEXITED(status_)) {
            result_.how = process_result::ending::exited;
            result_.code = WEXITSTATUS(status_);
        } else {
            result_.how = process_result::ending::signalled;
            result_.code = WIFSIGNALED(status_) ? WTERMSIG(status_) : 0;
        }
        auto done = std::move(done_);  // breaks the cycle through the caller's state
        done(std::move(result_));
    }

    net::any_io_executor ex_;
    process_limits limits_;
    done_handler done_;
    net::posix::stream_descriptor pidfd_;
    net::posix::stream_descriptor out_;
    net::posix::stream_descriptor err_;
    net::steady_timer timeout_;
    net::steady_timer kill_timer_;
    net::steady_timer linger_;
    std::array<char, 16384> out_buf_{};
    std::array<char, 16384> err_buf_{};
    process_result result_;
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
    bool exited_ = false;
    bool out_open_ = false;
    bool err_open_ = false;
    bool timed_out_ = false;
    bool cancelled_ = false;
    bool waiting_kill_ = false;
    bool finished_ = false;
};

}  // namespace

std::shared_ptr<child_process> child_process::start(net::any_io_executor ex, process_spec spec, process_limits limits,
                                                    done_handler done) {
    auto p = std::make_shared<process>(ex, limits, std::move(done));
    p->launch(std::move(spec));
    return p;
}

}  // namespace ewstrigd::actions
