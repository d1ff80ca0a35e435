// store::open and the SQLite implementation of the store contract.
#include "state/lock_file.hpp"
#include "state/private_files.hpp"
#include "state/schema.hpp"
#include "state/sqlite.hpp"
#include "state/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <system_error>
#include <utility>

namespace ewstrigd::state {

namespace {

using sqlite::from_millis;
using sqlite::query;
using sqlite::to_millis;

constexpr const char* database_name = "ewstrigd.db";
constexpr int busy_timeout_ms = 5000;
// last_error holds what an action printed; a runaway program must not grow
// the database without bound.
constexpr std::size_t max_error_bytes = 4096;

const char* state_name(outbox_state s) {
    switch (s) {
    case outbox_state::pending: return "pending";
    case outbox_state::done: return "done";
    case outbox_state::dead: return "dead";
    }
    return "pending";
}

std::string_view clipped(std::string_view error) {
    if (error.size() <= max_error_bytes) return error;
    std::size_t n = max_error_bytes;
    // Do not cut a UTF-8 sequence in half: back up over continuation bytes.
    while (n > 0 && (static_cast<unsigned char>(error[n]) & 0xC0) == 0x80) --n;
    return error.substr(0, n);
}

std::int64_t as_limit(std::size_t limit) {
    return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

constexpr const char* full_sync = "PRAGMA synchronous = FULL";

// Makes the autocommit statement run in its scope commit with
// synchronous=NORMAL (action_done: the policy in store.hpp). In WAL mode a
// NORMAL commit write()s its frames to the -wal file and returns without
// fsync, so it survives a crash of the process but not of the OS. The next
// FULL commit fdatasyncs the whole -wal file, frames of earlier NORMAL
// commits included, and a checkpoint syncs the WAL before copying it into
// the database. Only in WAL mode, which configure() insists on (with a
// rollback journal NORMAL would risk more than the last commit). PRAGMA
// synchronous acts when the statement is prepared and not inside a
// transaction: hence exec (prepared each time, never cached) around a whole
// autocommit statement.
class normal_sync_commit {
public:
    explicit normal_sync_commit(sqlite::connection& db) : db_(db) { db_.exec("PRAGMA synchronous = NORMAL"); }
    ~normal_sync_commit() {
        // Unwinding from a failed statement: the store is failing anyway; still, try to be FULL again.
        if (!ended_) sqlite3_exec(db_.handle(), full_sync, nullptr, nullptr, nullptr);
    }
    normal_sync_commit(const normal_sync_commit&) = delete;
    normal_sync_commit& operator=(const normal_sync_commit&) = delete;

    // Back to FULL for every later commit.
    void end() {
        ended_ = true;
        db_.exec(full_sync);
    }

private:
    sqlite::connection& db_;
    bool ended_ = false;
};

// The columns every outbox_row query selects, in read_row's order.
#define OUTBOX_COLUMNS                                                                                       \
    "id, event_id, mailbox, folder, item_id, trigger, action_index, payload, attempts, max_attempts, created, " \
    "next_attempt, state, last_error, finished"

class sqlite_store final : public store {
public:
    sqlite_store(std::optional<lock_file> lock, std::unique_ptr<sqlite::connection> db)
        : lock_(std::move(lock)), db_(std::move(db)) {}

    std::optional<std::string> sync_state(const std::string& mailbox, const std::string& folder) override {
        query q{*db_, "SELECT sync_state FROM sync_states WHERE mailbox = ?1 AND folder = ?2"};
        q.with(mailbox, folder);
        if (!q.step()) return std::nullopt;
        return q.text(0);
    }

    std::vector<std::string> seen_among(const std::string& mailbox, const std::string& folder,
                                        const std::vector<std::string>& item_ids) override {
        std::vector<std::string> seen;
        for (const auto& id : item_ids) {
            query q{*db_, "SELECT 1 FROM seen_items WHERE mailbox = ?1 AND folder = ?2 AND item_id = ?3"};
            if (q.with(mailbox, folder, id).step()) seen.push_back(id);
        }
        return seen;
    }

    std::size_t commit_sync(const std::string& mailbox, const std::string& folder, const std::string& new_sync_state,
                            const std::vector<new_item>& items, clock::time_point now) override {
        return commit_syncs({sync_page{&mailbox, &folder, &new_sync_state, &items}}, now).front();
    }

    std::vector<std::size_t> commit_syncs(const std::vector<sync_page>& pages, clock::time_point now) override {
        for (const auto& page : pages) check(page);
        const auto at = to_millis(now);
        std::vector<std::size_t> added;
        added.reserve(pages.size());
        sqlite::transaction tx{*db_};
        for (const auto& page : pages) added.push_back(write(page, at));
        tx.commit();
        return added;
    }

    void reset_sync_state(const std::string& mailbox, const std::string& folder) override {
        query{*db_, "DELETE FROM sync_states WHERE mailbox = ?1 AND folder = ?2"}.with(mailbox, folder).run();
    }

    std::vector<outbox_row> due_actions(clock::time_point now, std::size_t limit) override {
        query q{*db_, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'pending' AND next_attempt <= ?1 "
                      "ORDER BY next_attempt, id LIMIT ?2"};
        q.with(to_millis(now), as_limit(limit));
        return read_rows(q);
    }

    std::vector<outbox_row> pick_pending(std::size_t limit, const pending_visitor& decide) override {
        // The partial index outbox_due serves both the filter and the order.
        query q{*db_, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'pending' "
                      "ORDER BY next_attempt, id LIMIT ?1"};
        q.with(as_limit(limit));
        std::vector<outbox_row> taken;
        while (q.step()) {
            const pending_key key{q.int64(0), q.view(1), q.view(2), q.view(5), static_cast<int>(q.int64(6)),
                                  from_millis(q.int64(11))};
            const pick answer = decide(key);
            if (answer == pick::stop) break;
            if (answer == pick::take) taken.push_back(read_row(q));
        }
        return taken;
    }

    std::optional<clock::time_point> next_due() override {
        query q{*db_, "SELECT min(next_attempt) FROM outbox WHERE state = 'pending'"};
        if (!q.step() || q.is_null(0)) return std::nullopt;
        return from_millis(q.int64(0));
    }

    void action_done(std::int64_t id) override {
        normal_sync_commit relaxed{*db_};  // the durability policy in store.hpp
        {
            query q{*db_, "UPDATE outbox SET state = 'done', attempts = attempts + 1, finished = ?2, "
                          "last_error = NULL WHERE id = ?1 AND state = 'pending'"};
            q.with(id, to_millis(clock::now())).run();
        }
        relaxed.end();
    }

    void action_failed(std::int64_t id, const std::string& error, clock::time_point next_attempt) override {
        // Right-hand sides see the row before the update, so both CASEs test
        // the attempt being recorded now.
        query q{*db_,
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt = ?3, "
                "state = CASE WHEN attempts + 1 >= max_attempts THEN 'dead' ELSE 'pending' END, "
                "finished = CASE WHEN attempts + 1 >= max_attempts THEN ?4 ELSE NULL END "
                "WHERE id = ?1 AND state = 'pending'"};
        q.with(id, clipped(error), to_millis(next_attempt), to_millis(clock::now())).run();
    }

    void action_dead(std::int64_t id, const std::string& error) override {
        query q{*db_, "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?2, finished = ?3 "
                      "WHERE id = ?1 AND state = 'pending'"};
        q.with(id, clipped(error), to_millis(clock::now())).run();
    }

    outbox_counts counts() override {
        outbox_counts c;
        query q{*db_, "SELECT state, count(*) FROM outbox WHERE state IN ('pending', 'dead') GROUP BY state"};
        while (q.step()) {
            const auto n = static_cast<std::uint64_t>(q.int64(1));
            (q.text(0) == "pending" ? c.pending : c.dead) = n;
        }
        return c;
    }

    std::vector<outbox_row> dead_letters(std::size_t limit) override {
        query q{*db_, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'dead' "
                      "ORDER BY finished DESC, id DESC LIMIT ?1"};
        q.with(as_limit(limit));
        return read_rows(q);
    }

    bool requeue(std::int64_t id, clock::time_point now) override {
        query q{*db_, "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = ?2, finished = NULL "
                      "WHERE id = ?1 AND state = 'dead'"};
        q.with(id, to_millis(now)).run();
        return db_->changes() == 1;
    }

    std::size_t requeue_all_dead(clock::time_point now) override {
        query q{*db_, "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = ?1, finished = NULL "
                      "WHERE state = 'dead'"};
        q.with(to_millis(now)).run();
        return static_cast<std::size_t>(db_->changes());
    }

    std::size_t prune(clock::time_point cutoff) override {
        const auto before = to_millis(cutoff);
        std::size_t removed = 0;
        sqlite::transaction tx{*db_};
        {
            query{*db_, "DELETE FROM seen_items WHERE seen_at < ?1"}.with(before).run();
            removed += static_cast<std::size_t>(db_->changes());
        }
        {
            query{*db_, "DELETE FROM outbox WHERE state = 'done' AND finished < ?1"}.with(before).run();
            removed += static_cast<std::size_t>(db_->changes());
        }
        tx.commit();
        return removed;
    }

private:
    // An empty state would make the next sync start from scratch and replay
    // the whole folder: refused before anything is written.
    void check(const sync_page& page) const {
        if (page.new_sync_state->empty())
            throw store_error(db_->file().string() + ": refusing to store an empty sync state for mailbox=" +
                              *page.mailbox + " folder=" + *page.folder);
        for (const auto& item : *page.items)
            if (item.item_id.empty() || item.event_id.empty())
                throw store_error(db_->file().string() + ": item without an id or event id for mailbox=" +
                                  *page.mailbox + " folder=" + *page.folder);
    }

    // One page inside the caller's transaction; the outbox rows it added.
    std::size_t write(const sync_page& page, std::int64_t at) {
        const auto& mailbox = *page.mailbox;
        const auto& folder = *page.folder;
        std::size_t added = 0;
        for (const auto& item : *page.items) {
            {
                query seen{*db_,
                           "INSERT INTO seen_items (mailbox, folder, item_id, event_id, seen_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"};
                seen.with(mailbox, folder, item.item_id, item.event_id, at).run();
            }
            if (db_->changes() == 0) continue;  // seen before: its actions were enqueued then
            for (const auto& action : item.actions) {
                query enqueue{*db_,
                              "INSERT INTO outbox (event_id, mailbox, folder, item_id, trigger, action_index, payload, "
                              "max_attempts, created, next_attempt) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
                              "ON CONFLICT (event_id, trigger, action_index) DO NOTHING"};
                enqueue
                    .with(item.event_id, mailbox, folder, item.item_id, action.trigger,
                          std::int64_t{action.action_index}, action.payload, std::int64_t{action.max_attempts}, at)
                    .run();
                added += static_cast<std::size_t>(db_->changes());
            }
        }
        query store_state{*db_,
                          "INSERT INTO sync_states (mailbox, folder, sync_state, updated) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (mailbox, folder) DO UPDATE SET sync_state = excluded.sync_state, "
                          "updated = excluded.updated"};
        store_state.with(mailbox, folder, *page.new_sync_state, at).run();
        return added;
    }

    std::vector<outbox_row> read_rows(query& q) {
        std::vector<outbox_row> rows;
        while (q.step()) rows.push_back(read_row(q));
        return rows;
    }

    // The current row of a query selecting OUTBOX_COLUMNS.
    outbox_row read_row(const query& q) const {
        outbox_row r;
        r.id = q.int64(0);
        r.event_id = q.text(1);
        r.mailbox = q.text(2);
        r.folder = q.text(3);
        r.item_id = q.text(4);
        r.trigger = q.text(5);
        r.action_index = static_cast<int>(q.int64(6));
        r.payload = q.text(7);
        r.attempts = static_cast<int>(q.int64(8));
        r.max_attempts = static_cast<int>(q.int64(9));
        r.created = from_millis(q.int64(10));
        r.next_attempt = from_millis(q.int64(11));
        r.state = parse_state(q.view(12));
        r.last_error = q.text(13);
        if (!q.is_null(14)) r.finished = from_millis(q.int64(14));
        return r;
    }

    outbox_state parse_state(std::string_view s) const {
        for (auto st : {outbox_state::pending, outbox_state::done, outbox_state::dead})
            if (s == state_name(st)) return st;
        // The CHECK constraint makes this unreachable unless the file was
        // edited with checks off: say so rather than guess.
        throw store_error(db_->file().string() + ": outbox row with unknown state '" + std::string{s} + "'");
    }

    // Declared first so it is released last: nobody may take over the
    // directory while our connection is still open.
    std::optional<lock_file> lock_;
    std::unique_ptr<sqlite::connection> db_;
};

#undef OUTBOX_COLUMNS

void configure(sqlite::connection& db) {
    // Waits this long for another process's write (`ewstrigd status` reading,
    // an admin's sqlite3) instead of failing at once with SQLITE_BUSY.
    db.busy_timeout(busy_timeout_ms);
    db.exec("PRAGMA trusted_schema = OFF");
    {
        // journal_mode answers with the mode in force; WAL can be refused
        // (e.g. no shared memory on a network file system).
        query q{db, "PRAGMA journal_mode = WAL"};
        if (!q.step() || q.text(0) != "wal")
            throw store_error(db.file().string() + ": cannot switch to WAL mode (is state_dir on a local file system?)");
    }
    // FULL: a committed transaction survives power loss, not just a crash
    // (but for action_done: normal_sync_commit).
    db.exec(full_sync);
}

}  // namespace

std::vector<outbox_row> store::pick_pending(std::size_t limit, const pending_visitor& decide) {
    std::vector<outbox_row> taken;
    for (auto& row : due_actions(clock::time_point::max(), limit)) {
        const pick answer = decide({row.id, row.event_id, row.mailbox, row.trigger, row.action_index, row.next_attempt});
        if (answer == pick::stop) break;
        if (answer == pick::take) taken.push_back(std::move(row));
    }
    return taken;
}

std::filesystem::path store::database_path(const std::filesystem::path& state_dir) { return state_dir / database_name; }

std::unique_ptr<store> store::open(const std::filesystem::path& state_dir, bool exclusive) {
    ensure_private_dir(state_dir);
    std::optional<lock_file> lock;
    if (exclusive) lock.emplace(state_dir);  // before touching the database
    const auto file = database_path(state_dir);
    std::error_code ignored;  // an unreadable path fails just below, with its reason
    const bool existed = std::filesystem::exists(file, ignored);
    ensure_private_file(file);
    if (!existed) sync_dir(state_dir);
    // SQLite gives new -wal and -shm files the database's mode; this catches
    // companions left over from before the database itself was narrowed. It
    // runs before SQLite opens them (see narrow_if_present).
    for (const char* suffix : {"-wal", "-shm"}) narrow_if_present(file.string() + suffix);
    auto db = std::make_unique<sqlite::connection>(file);
    configure(*db);
    schema::migrate(*db);
    return std::make_unique<sqlite_store>(std::move(lock), std::move(db));
}

}  // namespace ewstrigd::state
