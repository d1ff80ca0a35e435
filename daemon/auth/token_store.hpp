#pragma once
// Where a mailbox's OAuth tokens survive restarts: one JSON file per mailbox,
// STATE_DIR/tokens/<mailbox id>.json, shared by `ewstrigd login` (writes the
// first refresh token) and the daemon (writes each rotated one).
//
// - Directory 0700, files 0600 (created so; an existing directory with wider
//   permissions is tightened). Only the service user can read them.
// - save() is atomic and durable: write a temp file in the same directory,
//   fsync it, rename it over the old file, fsync the directory. A crash at any
//   instant leaves either the previous or the new file, both complete; stray
//   temp files of a crashed writer are ignored by load() and removed by the
//   next save().
// - Concurrent writers (login while the daemon runs) do not corrupt the file:
//   the last rename wins. `generation` grows with every save so a reader can
//   tell that someone else wrote (the daemon adopts a newer login).
// - Errors name the file and the failed operation, never a token.
// POSIX only (rename/fsync semantics).

#include "auth/error.hpp"
#include "auth/secret.hpp"
#include "auth/token_policy.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::auth {

struct cached_access_token {
    secret token;
    token_times times;
};

struct stored_tokens {
    std::string mailbox_id;
    std::string address;
    // What the refresh token belongs to: a token of another client, tenant
    // or authority is not used (the config changed; sign in again).
    std::string authority;
    std::string tenant_id;
    std::string client_id;
    std::string scope;
    secret refresh_token;
    std::optional<cached_access_token> access;
    std::uint64_t generation = 0;  // set by save(): previous + 1
    wall_clock::time_point saved_at{};
};

// The file's text (pure; the tokens are in it, hence a secret).
secret serialize_tokens(const stored_tokens& t);
// Errors name the field that is wrong; never echo values.
result<stored_tokens> parse_tokens(std::string_view text);

class token_store {
public:
    // `state_dir` is config::config::state_dir; files go to state_dir/tokens.
    explicit token_store(std::filesystem::path state_dir);

    const std::filesystem::path& directory() const { return dir_; }
    std::filesystem::path file_of(std::string_view mailbox_id) const;

    // nullopt when the mailbox never signed in (no file).
    result<std::optional<stored_tokens>> load(std::string_view mailbox_id) const;

    // Writes `t` (generation and saved_at are set here; the stored generation
    // is returned). Creates the directory when missing.
    result<std::uint64_t> save(stored_tokens t) const;

    // True when a file was removed, false when there was none.
    result<bool> remove(std::string_view mailbox_id) const;

private:
    result<void> ensure_directory() const;

    std::filesystem::path dir_;
};

}  // namespace ewstrigd::auth
