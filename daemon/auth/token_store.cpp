#include "auth/token_store.hpp"

#include "auth/json_fields.hpp"
#include "auth/token_response.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ewstrigd::auth {
namespace {

constexpr int format_version = 1;
constexpr std::string_view temp_marker = ".tmp.";

std::int64_t to_seconds(wall_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
wall_clock::time_point from_seconds(std::int64_t s) { return wall_clock::time_point{std::chrono::seconds{s}}; }

std::string errno_text(int e) { return std::strerror(e); }

// Mailbox ids become file names: config allows letters, digits, - _ . only;
// checked again here so no id can name a path outside the directory.
bool safe_id(std::string_view id) {
    if (id.empty() || id == "." || id == ".." || id.size() > 200) return false;
    return id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
           std::string_view::npos;
}

class fd_guard {
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

result<void> fsync_directory(const std::filesystem::path& dir) {
    fd_guard fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0)
        return fail("token store: cannot sync directory '" + dir.string() + "': " + errno_text(errno));
    return {};
}

}  // namespace

secret serialize_tokens(const stored_tokens& t) {
    nlohmann::json doc{
        {"version", format_version},
        {"mailbox_id", t.mailbox_id},
        {"address", t.address},
        {"authority", t.authority},
        {"tenant_id", t.tenant_id},
        {"client_id", t.client_id},
        {"scope", t.scope},
        {"refresh_token", t.refresh_token.reveal()},
        {"generation", std::to_string(t.generation)},
        {"saved_at", to_seconds(t.saved_at)},
    };
    if (t.access) {
        doc["access_token"] = t.access->token.reveal();
        doc["issued_at"] = to_seconds(t.access->times.issued_at);
        doc["expires_at"] = to_seconds(t.access->times.expires_at);
        if (t.access->times.refresh_in) doc["refresh_in"] = t.access->times.refresh_in->count();
    }
    secret text(doc.dump(2) + "\n");
    doc.clear();
    return text;
}

result<stored_tokens> parse_tokens(std::string_view text) {
    auto doc = detail::json_fields::parse(text, "token file");
    if (!doc) return doc.error();
    constexpr std::int64_t max_time = 400LL * 366 * 24 * 3600;  // far beyond any real date, far from overflow
    const auto version = doc->required_seconds("version", 1, 1000);
    stored_tokens t;
    t.mailbox_id = doc->required_string("mailbox_id");
    t.address = doc->optional_string("address").value_or("");
    t.authority = doc->required_string("authority");
    t.tenant_id = doc->required_string("tenant_id");
    t.client_id = doc->required_string("client_id");
    t.scope = doc->optional_string("scope").value_or("");
    t.refresh_token = secret(doc->required_string("refresh_token"));
    const auto generation = doc->required_string("generation");
    t.saved_at = from_seconds(doc->optional_seconds("saved_at", 0, max_time).value_or(0));
    if (doc->has("access_token")) {
        cached_access_token a;
        a.token = secret(doc->required_string("access_token"));
        a.times.issued_at = from_seconds(doc->required_seconds("issued_at", 0, max_time));
        a.times.expires_at = from_seconds(doc->required_seconds("expires_at", 0, max_time));
        if (auto r = doc->optional_seconds("refresh_in", 0, max_token_lifetime.count())) a.times.refresh_in = std::chrono::seconds{*r};
        t.access = std::move(a);
    }
    if (doc->problem()) return *doc->problem();
    if (version != format_version)
        return fail("token file: version " + std::to_string(version) + " is not supported by this ewstrigd");
    if (generation.empty() || generation.size() > 19 || generation.find_first_not_of("0123456789") != std::string::npos)
        return fail("token file: field 'generation' is not a number");
    t.generation = std::stoull(generation);
    if (t.refresh_token.empty()) return fail("token file: field 'refresh_token' is empty");
    return t;
}

token_store::token_store(std::filesystem::path state_dir) : dir_(std::move(state_dir) / "tokens") {}

std::filesystem::path token_store::file_of(std::string_view mailbox_id) const {
    return dir_ / (std::string(mailbox_id) + ".json");
}

result<void> token_store::ensure_directory() const {
    std::error_code ec;
    std::filesystem::create_directories(dir_.parent_path(), ec);
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
        return fail("token store: cannot create directory '" + dir_.string() + "': " + errno_text(errno));
    struct stat st {};
    if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail("token store: '" + dir_.string() + "' is not a directory");
    if ((st.st_mode & 077) != 0 && ::chmod(dir_.c_str(), 0700) != 0)
        return fail("token store: cannot restrict '" + dir_.string() + "' to mode 0700: " + errno_text(errno));
    return {};
}

result<std::optional<stored_tokens>> token_store::load(std::string_view mailbox_id) const {
    if (!safe_id(mailbox_id)) return fail("token store: mailbox id '" + std::string(mailbox_id) + "' is not a safe file name");
    const auto path = file_of(mailbox_id);
    fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::optional<stored_tokens>{};
        return fail("token store: cannot read '" + path.string() + "': " + errno_text(errno));
    }
    secret text;
    std::string buffer;
    char chunk[4096];
    for (;;) {
        const auto n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("token store: cannot read '" + path.string() + "': " + errno_text(errno));
        if (n == 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        if (buffer.size() > detail::max_json_body) return fail("token store: '" + path.string() + "' is too large");
    }
    text = secret(std::move(buffer));
    auto parsed = parse_tokens(text.reveal());
    if (!parsed) return fail("token store: '" + path.string() + "': " + parsed.error().message);
    if (parsed->mailbox_id != mailbox_id)
        return fail("token store: '" + path.string() + "' belongs to mailbox '" + parsed->mailbox_id + "'");
    return std::optional<stored_tokens>(std::move(*parsed));
}

result<std::uint64_t> token_store::save(stored_tokens t) const {
    if (!safe_id(t.mailbox_id)) return fail("token store: mailbox id '" + t.mailbox_id + "' is not a safe file name");
    if (auto ok = ensure_directory(); !ok) return ok.error();
    const auto path = file_of(t.mailbox_id);

    // The generation continues from whatever is on disk now (another process may have written).
    std::uint64_t previous = 0;
    if (auto old = load(t.mailbox_id); old && *old) previous = (*old)->generation;
    t.generation = std::max(previous, t.generation) + 1;
    t.saved_at = wall_clock::now();
    const secret text = serialize_tokens(t);

    // Remove temp files a crashed writer left behind (ours have this pid; others are old).
    std::error_code ec;
    const std::string prefix = t.mailbox_id + ".json" + std::string(temp_marker);
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(prefix)) {
            const auto pid = name.substr(prefix.size());
            if (pid.find_first_not_of("0123456789") == std::string::npos && !pid.empty() &&
                (::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH))
                std::filesystem::remove(entry.path(), ec);
        }
    }

    const auto temp = dir_ / (prefix + std::to_string(::getpid()));
    ::unlink(temp.c_str());
    fd_guard fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return fail("token store: cannot create '" + temp.string() + "': " + errno_text(errno));
    if (!write_all(fd.get(), text.reveal()) || ::fsync(fd.get()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return fail("token store: cannot write '" + temp.string() + "': " + errno_text(e));
    }
    if (::close(fd.release()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return fail("token store: cannot write '" + temp.string() + "': " + errno_text(e));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return fail("token store: cannot replace '" + path.string() + "': " + errno_text(e));
    }
    if (auto ok = fsync_directory(dir_); !ok) return ok.error();
    return t.generation;
}

result<bool> token_store::remove(std::string_view mailbox_id) const {
    if (!safe_id(mailbox_id)) return fail("token store: mailbox id '" + std::string(mailbox_id) + "' is not a safe file name");
    const auto path = file_of(mailbox_id);
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return false;
        return fail("token store: cannot delete '" + path.string() + "': " + errno_text(errno));
    }
    if (auto ok = fsync_directory(dir_); !ok) return ok.error();
    return true;
}

}  // namespace ewstrigd::auth
