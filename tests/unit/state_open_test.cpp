// store::open: file modes, the instance lock, WAL, schema versions and bad files.
#include "state/schema.hpp"
#include "state/store.hpp"

#include "test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ewstrigd::state {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const clock::time_point t0 = clock::time_point{std::chrono::milliseconds{1'700'000'000'000}};

unsigned mode_of(const fs::path& p) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) ADD_FAILURE() << "cannot stat " << p;
    return st.st_mode & 07777;
}

// A raw connection, as an admin's sqlite3 would have, to look beneath the store.
class raw_db {
public:
    explicit raw_db(const fs::path& file) {
        if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
    }
    ~raw_db() { sqlite3_close(db_); }
    raw_db(const raw_db&) = delete;
    raw_db& operator=(const raw_db&) = delete;

    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << (error ? error : "?");
            sqlite3_free(error);
        }
    }
    std::string scalar(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        std::string out;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
            sqlite3_column_text(stmt, 0))
            out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        else
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
        sqlite3_finalize(stmt);
        return out;
    }

private:
    sqlite3* db_ = nullptr;
};

std::string error_of(const fs::path& dir, bool exclusive = true) {
    try {
        store::open(dir, exclusive);
    } catch (const store_error& e) {
        return e.what();
    }
    return "(no error)";
}

class umask_scope {
public:
    explicit umask_scope(mode_t m) : old_(::umask(m)) {}
    ~umask_scope() { ::umask(old_); }
    umask_scope(const umask_scope&) = delete;
    umask_scope& operator=(const umask_scope&) = delete;

private:
    mode_t old_;
};

TEST(state_open, creates_state_dir_0700_and_every_file_0600_whatever_the_umask) {
    ewstrigd::testing::scratch_dir scratch;
    const auto dir = scratch.path() / "var" / "ewstrigd";
    umask_scope permissive{0};
    auto s = store::open(dir);
    s->commit_sync("mb", "inbox", "S1", {{"a", "e", {{"t", 0, "{}", 6}}}}, t0);
    EXPECT_EQ(mode_of(dir), 0700u);
    for (const char* name : {"ewstrigd.db", "ewstrigd.db-wal", "ewstrigd.db-shm", "ewstrigd.lock"}) {
        ASSERT_TRUE(fs::exists(dir / name)) << name;
        EXPECT_EQ(mode_of(dir / name), 0600u) << name;
    }
}

TEST(state_open, an_existing_state_dir_keeps_its_mode) {
    ewstrigd::testing::scratch_dir scratch;
    fs::permissions(scratch.path(), fs::perms(0750));
    store::open(scratch.path());
    EXPECT_EQ(mode_of(scratch.path()), 0750u);
}

TEST(state_open, a_world_readable_database_and_companions_are_narrowed) {
    ewstrigd::testing::scratch_dir scratch;
    store::open(scratch.path());
    // Another connection keeps a non-empty -wal and -shm in place (as after
    // a crash), so it is the store that narrows them, not SQLite's creation.
    raw_db holder{scratch.path() / "ewstrigd.db"};
    holder.exec("PRAGMA wal_autocheckpoint = 0; CREATE TABLE extra (x); INSERT INTO extra VALUES (1)");
    const char* const names[] = {"ewstrigd.db", "ewstrigd.db-wal", "ewstrigd.db-shm", "ewstrigd.lock"};
    for (const char* name : names) {
        ASSERT_GT(fs::file_size(scratch.path() / name), 0u) << name;
        fs::permissions(scratch.path() / name, fs::perms(0644));
    }
    auto s = store::open(scratch.path());
    for (const char* name : names) EXPECT_EQ(mode_of(scratch.path() / name), 0600u) << name;
}

TEST(state_open, second_exclusive_open_names_the_directory_and_the_holder_pid) {
    ewstrigd::testing::scratch_dir scratch;
    auto first = store::open(scratch.path());
    EXPECT_EQ(error_of(scratch.path()),
              "another ewstrigd is using " + scratch.path().string() + " (pid " + std::to_string(::getpid()) + ")");
    EXPECT_EQ(error_of(scratch.path()), error_of(scratch.path())) << "a failed attempt leaves the lock alone";

    // A reader (`ewstrigd status`) does not need the lock and sees the data.
    first->commit_sync("mb", "inbox", "S1", {}, t0);
    EXPECT_EQ(store::open(scratch.path(), false)->sync_state("mb", "inbox"), "S1");

    first.reset();
    EXPECT_NO_THROW(store::open(scratch.path()));
}

TEST(state_open, data_survives_close_and_reopen) {
    ewstrigd::testing::scratch_dir scratch;
    {
        auto s = store::open(scratch.path());
        s->commit_sync("mb", "inbox", "S1", {{"a", "e", {{"t", 0, "{}", 6}}}}, t0);
    }
    auto s = store::open(scratch.path());
    EXPECT_EQ(s->sync_state("mb", "inbox"), "S1");
    EXPECT_THAT(s->seen_among("mb", "inbox", {"a"}), ElementsAre("a"));
    EXPECT_EQ(s->counts().pending, 1u);
}

TEST(state_open, database_is_in_wal_mode_at_the_current_schema_version) {
    ewstrigd::testing::scratch_dir scratch;
    auto s = store::open(scratch.path());
    raw_db raw{scratch.path() / "ewstrigd.db"};
    EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.scalar("PRAGMA user_version"), std::to_string(schema::current_version()));
    EXPECT_EQ(raw.scalar("PRAGMA integrity_check"), "ok");
}

TEST(state_open, database_from_a_newer_ewstrigd_is_refused_naming_file_and_versions) {
    ewstrigd::testing::scratch_dir scratch;
    const auto file = scratch.path() / "ewstrigd.db";
    store::open(scratch.path());
    const int newer = schema::current_version() + 1;
    raw_db{file}.exec("PRAGMA user_version = " + std::to_string(newer));

    const auto error = error_of(scratch.path());
    EXPECT_THAT(error, HasSubstr(file.string()));
    EXPECT_THAT(error, HasSubstr("newer ewstrigd"));
    EXPECT_THAT(error, HasSubstr("schema version " + std::to_string(newer)));
    EXPECT_THAT(error, HasSubstr("up to " + std::to_string(schema::current_version())));
    EXPECT_EQ(raw_db{file}.scalar("PRAGMA user_version"), std::to_string(newer)) << "the file was left alone";
    EXPECT_THAT(error_of(scratch.path()), HasSubstr("newer ewstrigd")) << "the refusal released the lock";
}

TEST(state_open, garbage_file_is_a_store_error_naming_the_path) {
    for (const std::string& garbage : {std::string(4096, '\x5a'), std::string("hello"),
                                      std::string("SQLite format 3") + std::string(200, '\xff')}) {
        ewstrigd::testing::scratch_dir scratch;
        const auto file = scratch.write("ewstrigd.db", garbage);
        const auto error = error_of(scratch.path());
        EXPECT_THAT(error, HasSubstr(file.string())) << garbage.size();
        EXPECT_THAT(error, HasSubstr("not a database")) << garbage.size();
    }
}

TEST(state_open, unusable_paths_are_store_errors_naming_them) {
    ewstrigd::testing::scratch_dir scratch;
    const auto not_a_dir = scratch.write("plain-file", "x");
    EXPECT_THAT(error_of(not_a_dir), HasSubstr(not_a_dir.string()));
    fs::create_directory(scratch.path() / "d");
    fs::create_directory(scratch.path() / "d" / "ewstrigd.db");
    EXPECT_THAT(error_of(scratch.path() / "d"), HasSubstr((scratch.path() / "d" / "ewstrigd.db").string()));
}

// A version 1 database exactly as the first release wrote it (frozen here on
// purpose: migrations must keep opening it after the schema moves on).
constexpr const char* frozen_v1 = R"sql(
CREATE TABLE sync_states (mailbox TEXT NOT NULL, folder TEXT NOT NULL,
    sync_state TEXT NOT NULL CHECK (sync_state <> ''), updated INTEGER NOT NULL,
    PRIMARY KEY (mailbox, folder)) WITHOUT ROWID;
CREATE TABLE seen_items (mailbox TEXT NOT NULL, folder TEXT NOT NULL, item_id TEXT NOT NULL,
    event_id TEXT NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (mailbox, folder, item_id)) WITHOUT ROWID;
CREATE INDEX seen_items_by_age ON seen_items (seen_at);
CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, mailbox TEXT NOT NULL,
    folder TEXT NOT NULL, item_id TEXT NOT NULL, trigger TEXT NOT NULL,
    action_index INTEGER NOT NULL CHECK (action_index >= 0), payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0), max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    created INTEGER NOT NULL, next_attempt INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    last_error TEXT, finished INTEGER, UNIQUE (event_id, trigger, action_index));
CREATE INDEX outbox_due ON outbox (next_attempt, id) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, finished);
INSERT INTO sync_states VALUES ('mb', 'inbox', 'S-v1', 1700000000000);
INSERT INTO seen_items VALUES ('mb', 'inbox', 'item-1', 'ev-1', 1700000000000);
INSERT INTO outbox (event_id, mailbox, folder, item_id, trigger, action_index, payload, max_attempts,
                    created, next_attempt) VALUES ('ev-1', 'mb', 'inbox', 'item-1', 't', 0, '{}', 6,
                    1700000000000, 1700000000000);
PRAGMA user_version = 1;
)sql";

TEST(state_open, version_1_database_is_opened_and_usable) {
    ewstrigd::testing::scratch_dir scratch;
    {
        raw_db raw{scratch.path() / "ewstrigd.db"};
        raw.exec(frozen_v1);
    }
    auto s = store::open(scratch.path());
    EXPECT_EQ(s->sync_state("mb", "inbox"), "S-v1");
    EXPECT_THAT(s->seen_among("mb", "inbox", {"item-1"}), ElementsAre("item-1"));
    const auto due = s->due_actions(t0, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].event_id, "ev-1");
    EXPECT_EQ(s->commit_sync("mb", "inbox", "S-now", {{"item-1", "ev-1", {{"t", 0, "{}", 6}}}}, t0), 0u);
    s->action_done(due[0].id);
    EXPECT_EQ(s->counts().pending, 0u);
}

// The migration mechanism with a made-up version 2, as the next release would add it.
void test_v1(sqlite::connection& db) { db.exec("CREATE TABLE things (name TEXT NOT NULL)"); }
void test_v2(sqlite::connection& db) { db.exec("ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'"); }
void broken_v2(sqlite::connection& db) {
    db.exec("CREATE TABLE half_done (x)");
    db.exec("this is not SQL");
}

TEST(state_migrations, a_version_1_database_is_carried_forward_to_version_2) {
    ewstrigd::testing::scratch_dir scratch;
    const auto file = scratch.path() / "test.db";
    {
        sqlite::connection db{file};
        const schema::migration only_v1[] = {test_v1};
        schema::migrate(db, only_v1);
        EXPECT_EQ(schema::version(db), 1);
        db.exec("INSERT INTO things (name) VALUES ('kept')");
    }
    sqlite::connection db{file};
    const schema::migration both[] = {test_v1, test_v2};
    schema::migrate(db, both);
    EXPECT_EQ(schema::version(db), 2);
    sqlite::query q{db, "SELECT name, colour FROM things"};
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.text(0), "kept");
    EXPECT_EQ(q.text(1), "red");
    schema::migrate(db, both);  // idempotent at the current version
    EXPECT_EQ(schema::version(db), 2);
}

TEST(state_migrations, a_failing_step_leaves_the_previous_version_whole) {
    ewstrigd::testing::scratch_dir scratch;
    sqlite::connection db{scratch.path() / "test.db"};
    const schema::migration steps[] = {test_v1, broken_v2};
    try {
        schema::migrate(db, steps);
        FAIL() << "the broken step succeeded";
    } catch (const store_error& e) {
        EXPECT_THAT(e.what(), HasSubstr((scratch.path() / "test.db").string()));
    }
    EXPECT_EQ(schema::version(db), 1);
    sqlite::query q{db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'"};
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.int64(0), 0);
}

TEST(state_migrations, an_older_build_refuses_a_newer_database) {
    ewstrigd::testing::scratch_dir scratch;
    sqlite::connection db{scratch.path() / "test.db"};
    const schema::migration both[] = {test_v1, test_v2};
    schema::migrate(db, both);
    const schema::migration only_v1[] = {test_v1};
    EXPECT_THROW(schema::migrate(db, only_v1), store_error);
}

}  // namespace
}  // namespace ewstrigd::state
