// The save action: MIME and/or the event document into a directory,
// written atomically, never overwriting (unless configured).

#include "actions/event_json.hpp"
#include "actions/execution.hpp"
#include "actions/file_names.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ewstrigd::actions {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;

struct file_to_write {
    std::string name;
    std::string content;
};

std::string errno_text() { return std::strerror(errno); }

bool write_all(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

// Whether `path` holds exactly `content` (nullopt: it does not exist).
std::optional<bool> same_content(const fs::path& path, const std::string& content) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return std::nullopt;
    if (size != content.size()) return false;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return in.good() || in.eof() ? std::optional(buf.str() == content) : std::optional(false);
}

// temp file in `dir` + fsync + rename (RENAME_NOREPLACE unless `replace`) +
// fsync of the directory. Returns "" or what went wrong. EEXIST means someone
// else created the name meanwhile.
std::string write_atomically(const fs::path& dir, const file_to_write& f, bool replace, bool& exists) {
    static std::atomic<unsigned> counter{0};
    exists = false;
    const fs::path tmp = dir / ("." + f.name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    // 0640 minus the umask: a group (or a default ACL) can let the consumer read it.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return "cannot create " + tmp.string() + ": " + errno_text();
    if (!write_all(fd, f.content) || ::fsync(fd) != 0) {
        const std::string why = "cannot write " + tmp.string() + ": " + errno_text();
        ::close(fd);
        ::unlink(tmp.c_str());
        return why;
    }
    ::close(fd);
    const fs::path target = dir / f.name;
    int rc = replace ? std::rename(tmp.c_str(), target.c_str())
                     : ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && !replace && errno == EINVAL) {
        // The file system cannot do RENAME_NOREPLACE: a hard link fails on an existing name too.
        rc = ::link(tmp.c_str(), target.c_str());
        if (rc == 0) ::unlink(tmp.c_str());
    }
    if (rc != 0) {
        exists = errno == EEXIST;
        const std::string why = "cannot rename to " + target.string() + ": " + errno_text();
        ::unlink(tmp.c_str());
        return why;
    }
    if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);  // the rename itself survives a crash
        ::close(dfd);
    }
    return {};
}

// Picks NAME, NAME-1, NAME-2, ... (see docs/actions.md) and writes what is
// missing. Returns the outcome.
outcome save_files(const config::save_action& save, const std::string& sanitised, const std::string* mime,
                   const std::string& json) {
    const fs::path dir = save.dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec)) return outcome::retry("save directory " + save.dir + " is unusable: " + ec.message());
    constexpr unsigned max_suffix = 1000;
    for (unsigned attempt = 0; attempt < max_suffix; ++attempt) {
        const save_names names = save_file_names(sanitised, save.what, attempt);
        std::vector<file_to_write> files;
        if (!names.eml.empty()) files.push_back({names.eml, *mime});
        if (!names.json.empty()) files.push_back({names.json, json});
        std::vector<const file_to_write*> missing;
        bool conflict = false;
        for (const auto& f : files) {
            if (save.overwrite) {
                missing.push_back(&f);
                continue;
            }
            const auto same = same_content(dir / f.name, f.content);
            if (!same) missing.push_back(&f);
            else if (!*same) conflict = true;
        }
        if (conflict) continue;
        std::string written;
        for (const auto* f : missing) {
            bool exists = false;
            if (auto why = write_atomically(dir, *f, save.overwrite, exists); !why.empty()) {
                if (exists) break;  // created by someone else meanwhile: look again
                return outcome::retry(why);
            }
            written += (written.empty() ? "" : ", ") + (dir / f->name).string();
        }
        if (!missing.empty() && written.empty()) continue;
        if (missing.empty()) return outcome::ok("already saved as " + (dir / files.front().name).string());
        return outcome::ok("saved " + written);
    }
    return outcome::dead("save: " + std::to_string(max_suffix) + " files named like " + sanitised + " already exist in " +
                         save.dir);
}

}  // namespace

void executor::do_save(const std::shared_ptr<execution>& e) {
    const auto& save = std::get<config::save_action>(e->action.what);
    const std::string sanitised = sanitise_file_name(match::expand(save.name.text, context_of(e->j, e->msg)));
    auto finish = [e, sanitised, log = options_.log](const std::string* mime) {
        const auto& s = std::get<config::save_action>(e->action.what);
        const std::string json =
            s.what == config::save_action::format::eml ? std::string() : event_json(e->j, 2) + "\n";
        outcome o = save_files(s, sanitised, mime, json);
        if (o.result == outcome::kind::done) {
            log->info("mailbox={} trigger={} event={} {}", e->j.mailbox, e->j.trigger, e->j.event_id, o.detail);
        }
        e->complete(std::move(o));
    };
    if (save.what == config::save_action::format::json) return finish(nullptr);

    source::mail_source* src = options_.source_for ? options_.source_for(e->j.mailbox) : nullptr;
    if (src == nullptr) return e->complete(outcome::retry("mailbox " + e->j.mailbox + " has no mail source right now"));
    e->start_deadline(timeout_of(e->action));
    src->async_fetch_mime(e->msg.item_id,
                          net::bind_cancellation_slot(e->sub_slot(), [e, finish](source::outcome o, std::string mime) {
                              e->stop_deadline();
                              if (o.step != ews::next_step::proceed) {
                                  return e->complete(from_source(o, "fetching the message", e->timed_out));
                              }
                              finish(&mime);
                          }));
}

}  // namespace ewstrigd::actions
