// The run action: optional message file, argv + environment, child_process.

#include "actions/child_process.hpp"
#include "actions/child_registry.hpp"
#include "actions/environment.hpp"
#include "actions/execution.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ewstrigd::actions {
namespace {

namespace net = boost::asio;

bool uses_message_file(const config::run_action& run) {
    auto uses = [](const config::templated& t) {
        const auto names = match::placeholder_names(t.text);
        return std::find(names.begin(), names.end(), "message_file") != names.end();
    };
    return std::any_of(run.argv.begin(), run.argv.end(), uses) ||
           std::any_of(run.env.begin(), run.env.end(), [&](const auto& e) { return uses(e.second); });
}

// Writes `mime` to a new 0600 file in `dir`; returns its path or "" (errno set).
std::string write_private_file(const std::filesystem::path& dir, const std::string& mime) {
    std::string path = (dir / "ewstrigd-message-XXXXXX.eml").string();
    const int fd = ::mkostemps(path.data(), 4, O_CLOEXEC);  // mkstemp files are 0600
    if (fd < 0) return {};
    std::size_t off = 0;
    while (off < mime.size()) {
        const ssize_t n = ::write(fd, mime.data() + off, mime.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            ::unlink(path.c_str());
            errno = e;
            return {};
        }
        off += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(path.c_str());
        errno = e;
        return {};
    }
    return path;
}

std::string describe(const process_result& r, const std::string& program, std::chrono::milliseconds timeout) {
    using ending = process_result::ending;
    switch (r.how) {
        case ending::exited: return "'" + program + "' exited with status " + std::to_string(r.code);
        case ending::signalled:
            return "'" + program + "' was killed by signal " + std::to_string(r.code) + " (" + ::strsignal(r.code) + ")";
        case ending::timed_out:
            return "'" + program + "' timed out after " + std::to_string(timeout.count()) +
                   " ms; its process group was killed";
        case ending::cancelled: return "'" + program + "' was killed: shutting down";
        case ending::spawn_failed: return "'" + program + "' could not be started: " + std::strerror(r.code);
    }
    return {};
}

outcome outcome_of(const process_result& r, const std::string& program, std::chrono::milliseconds timeout) {
    using ending = process_result::ending;
    const std::string text = describe(r, program, timeout);
    if (r.how == ending::exited && r.code == 0) return outcome::ok(text);
    if (r.how == ending::spawn_failed) {
        if (r.code == ENOENT) return outcome::dead("program '" + program + "' not found");
        if (r.code == EACCES || r.code == ENOEXEC || r.code == EPERM || r.code == EISDIR || r.code == ENOTDIR ||
            r.code == ELOOP || r.code == ENAMETOOLONG) {
            return outcome::dead("program '" + program + "' is not executable: " + std::strerror(r.code));
        }
    }
    return outcome::retry(text);
}

void log_output(spdlog::logger& log, const job& j, const char* stream, const captured_output& o) {
    if (o.text.empty() && o.dropped == 0) return;
    std::string_view text = o.text;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (o.dropped > 0) {
        log.info("mailbox={} trigger={} event={} run {} ({} more bytes dropped): {}", j.mailbox, j.trigger, j.event_id,
                 stream, o.dropped, text);
    } else {
        log.info("mailbox={} trigger={} event={} run {}: {}", j.mailbox, j.trigger, j.event_id, stream, text);
    }
}

}  // namespace

void executor::do_run(const std::shared_ptr<execution>& e) {
    const auto& run = std::get<config::run_action>(e->action.what);
    if (!run.cwd.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(run.cwd, ec)) {
            return e->complete(outcome::dead("working directory '" + run.cwd + "' is not a directory"));
        }
    }
    auto launch = [this, e](std::string message_file) {
        const auto& r = std::get<config::run_action>(e->action.what);
        const auto ctx = context_of(e->j, e->msg, message_file);
        process_spec spec;
        for (const auto& arg : r.argv) spec.argv.push_back(match::expand(arg.text, ctx));
        spec.env = build_environment(options_.environment, e->j, r, message_file);
        spec.cwd = r.cwd;
        if (spec.argv.empty() || spec.argv.front().empty()) {
            if (!message_file.empty()) ::unlink(message_file.c_str());
            return e->complete(outcome::dead("the program name expanded to an empty string"));
        }
        process_limits limits;
        limits.timeout = timeout_of(e->action);
        limits.kill_grace = options_.kill_grace;
        limits.output_limit = options_.output_limit;
        limits.linger = options_.output_linger;
        const std::string program = spec.argv.front();
        auto log = options_.log;
        auto* children = options_.children;
        // Set right after start(): `done` never runs inside it.
        auto pid = std::make_shared<pid_t>(0);
        auto child = child_process::start(
            ex_, std::move(spec), limits, [e, log, program, message_file, limits, children, pid](process_result result) {
                if (children != nullptr && *pid > 0) children->remove(*pid);
                if (!message_file.empty()) ::unlink(message_file.c_str());
                log_output(*log, e->j, "stdout", result.out);
                log_output(*log, e->j, "stderr", result.err);
                e->complete(outcome_of(result, program, limits.timeout));
            });
        *pid = child->pid();
        if (children != nullptr && *pid > 0 && !children->add(*pid)) {
            log->warn("mailbox={} trigger={} event={} could not record run child {} under the state directory: "
                      "a restart after a crash would not stop it",
                      e->j.mailbox, e->j.trigger, e->j.event_id, *pid);
        }
        // Cancellation kills the group; the child's own timer handles the timeout.
        e->abort = [weak = std::weak_ptr<child_process>(child)] {
            if (auto c = weak.lock()) c->kill();
        };
    };
    if (!uses_message_file(run)) return launch({});

    source::mail_source* src = options_.source_for ? options_.source_for(e->j.mailbox) : nullptr;
    if (src == nullptr) return e->complete(outcome::retry("mailbox " + e->j.mailbox + " has no mail source right now"));
    e->start_deadline(timeout_of(e->action));
    src->async_fetch_mime(
        e->msg.item_id,
        net::bind_cancellation_slot(e->sub_slot(), [this, e, launch](source::outcome o, std::string mime) {
            e->stop_deadline();
            if (o.step != ews::next_step::proceed) return e->complete(from_source(o, "fetching the message", e->timed_out));
            if (e->cancelled || e->finished()) return e->complete(outcome::retry("cancelled"));
            const std::string path = write_private_file(options_.temp_dir, mime);
            if (path.empty()) {
                return e->complete(outcome::retry("cannot write the message file in " + options_.temp_dir.string() +
                                                  ": " + std::strerror(errno)));
            }
            launch(path);
        }));
}

}  // namespace ewstrigd::actions
