#include "state/schema.hpp"

#include <array>
#include <string>

namespace ewstrigd::state::schema {

namespace {

// Version 1. Times are integer milliseconds since the epoch; outbox.state is
// text so that an admin's `sqlite3` query reads naturally.
void v1(sqlite::connection& db) {
    db.exec(R"sql(
CREATE TABLE sync_states (
    mailbox    TEXT    NOT NULL,
    folder     TEXT    NOT NULL,
    sync_state TEXT    NOT NULL CHECK (sync_state <> ''),
    updated    INTEGER NOT NULL,
    PRIMARY KEY (mailbox, folder)
) WITHOUT ROWID;

CREATE TABLE seen_items (
    mailbox  TEXT    NOT NULL,
    folder   TEXT    NOT NULL,
    item_id  TEXT    NOT NULL,
    event_id TEXT    NOT NULL,
    seen_at  INTEGER NOT NULL,
    PRIMARY KEY (mailbox, folder, item_id)
) WITHOUT ROWID;
CREATE INDEX seen_items_by_age ON seen_items (seen_at);

-- AUTOINCREMENT: ids are never reused after a prune, so an id an admin
-- noted down (requeue) cannot come to name another row.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT    NOT NULL,
    mailbox      TEXT    NOT NULL,
    folder       TEXT    NOT NULL,
    item_id      TEXT    NOT NULL,
    trigger      TEXT    NOT NULL,
    action_index INTEGER NOT NULL CHECK (action_index >= 0),
    payload      TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    created      INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    last_error   TEXT,
    finished     INTEGER,
    UNIQUE (event_id, trigger, action_index)
);
CREATE INDEX outbox_due ON outbox (next_attempt, id) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, finished);
)sql");
}

// Appending v2 means: write `void v2(sqlite::connection&)` above and add it
// here. Never edit a function that has shipped.
constexpr std::array<migration, 1> all{v1};

}  // namespace

std::span<const migration> migrations() { return all; }

int version(sqlite::connection& db) {
    sqlite::query q{db, "PRAGMA user_version"};
    if (!q.step()) db.fail("PRAGMA user_version returned nothing");
    return static_cast<int>(q.int64(0));
}

void migrate(sqlite::connection& db, std::span<const migration> steps) {
    const int known = static_cast<int>(steps.size());
    const auto check = [&](int found) {
        if (found > known)
            throw store_error(db.file().string() + ": written by a newer ewstrigd (schema version " +
                              std::to_string(found) + "; this ewstrigd knows versions up to " +
                              std::to_string(known) +
                              "). Upgrade ewstrigd, or restore a backup taken before the upgrade.");
        if (found < 0) throw store_error(db.file().string() + ": invalid schema version " + std::to_string(found));
    };
    // Fast path without the write lock, so that a reader (`ewstrigd status`)
    // never waits for the running daemon's writes.
    const int found = version(db);
    check(found);
    if (found == known) return;
    for (;;) {
        sqlite::transaction tx{db};
        // Read again inside the write lock: another process may have
        // migrated while we waited for it.
        const int now = version(db);
        check(now);
        if (now == known) return;  // nothing written; the rollback is free
        steps[static_cast<std::size_t>(now)](db);
        // PRAGMA takes no bound parameters; the value is our own counter.
        db.exec(("PRAGMA user_version = " + std::to_string(now + 1)).c_str());
        tx.commit();
    }
}

}  // namespace ewstrigd::state::schema
