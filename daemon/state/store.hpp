#pragma once
// The durable state of one ewstrigd instance (DESIGN.md "Data flow" step 5):
// one SQLite database, `ewstrigd.db` under state_dir, in WAL mode.
//
// Durability: every commit survives a crash or SIGKILL of the daemon. Every
// commit also survives power loss (synchronous=FULL: the WAL is fsynced
// before COMMIT returns), except the `done` mark of action_done(), which is
// committed with synchronous=NORMAL: its WAL frame is in the OS when the
// call returns but is fsynced only by the next FULL commit or checkpoint.
// Power loss or an OS crash in between can roll back that mark alone, and
// the action then runs once more with the same event id: at-least-once, the
// same window as between "the action succeeded" and "marked done". The
// store refuses to open without WAL, where NORMAL would risk more.
//
// - sync states per (mailbox, folder): the source of truth for "what has been
//   handled";
// - seen items per (mailbox, folder, item id), so that a full resync fires
//   nothing twice; pruned after a retention period;
// - the action outbox: one row per action to run, done only after it
//   succeeded; failed rows retry until their attempts run out and then stay
//   as dead letters for an admin.
//
// The database file and its -wal/-shm companions are created 0600, state_dir
// 0700 when it is created. The schema carries a version (PRAGMA user_version)
// and is migrated forward on open; a database written by a newer ewstrigd is
// refused with a message saying so. Another process (`ewstrigd status`, a
// second `run` by mistake) gets a clear error rather than corrupting it:
// `run` takes an exclusive lock file `ewstrigd.lock` beside the database.
//
// Not thread-safe: used from the event loop thread only. Every method either
// succeeds or throws store_error (disk full, I/O error, corruption), which
// the daemon treats as fatal: state it cannot write is state it cannot trust.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::state {

struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using clock = std::chrono::system_clock;

// One action to enqueue for a new item.
struct new_action {
    std::string trigger;
    int action_index = 0;     // position in the trigger's `actions` list
    std::string payload;      // opaque to the store: what the executor needs (JSON)
    int max_attempts = 6;     // 1 + the action's `retries`
};

// An item seen by a sync, with the actions its matched triggers asked for
// (empty when nothing matched, or when it is only being recorded as seen).
struct new_item {
    std::string item_id;
    std::string event_id;  // stable id of this item's arrival, sent with every action
    std::vector<new_action> actions;
};

enum class outbox_state { pending, done, dead };

struct outbox_row {
    std::int64_t id = 0;
    std::string event_id;
    std::string mailbox;
    std::string folder;
    std::string item_id;
    std::string trigger;
    int action_index = 0;
    std::string payload;
    int attempts = 0;  // attempts made so far
    int max_attempts = 6;
    clock::time_point created;
    clock::time_point next_attempt;
    outbox_state state = outbox_state::pending;
    std::string last_error;
    std::optional<clock::time_point> finished;  // when it was done or went dead; none while pending
};

// What pick_pending shows of a pending row; the views last for the call.
struct pending_key {
    std::int64_t id = 0;
    std::string_view event_id;
    std::string_view mailbox;
    std::string_view trigger;
    int action_index = 0;
    clock::time_point next_attempt;
};

enum class pick { skip, take, stop };
using pending_visitor = std::function<pick(const pending_key&)>;

// commit_sync's arguments, for commit_syncs: views of values the caller
// keeps alive until the call returns.
struct sync_page {
    const std::string* mailbox = nullptr;
    const std::string* folder = nullptr;
    const std::string* new_sync_state = nullptr;
    const std::vector<new_item>* items = nullptr;
};

struct outbox_counts {
    std::uint64_t pending = 0;
    std::uint64_t dead = 0;
};

class store {
public:
    // Opens (creating when absent) state_dir/ewstrigd.db and takes the lock
    // when `exclusive` (`run`); readers such as `status` pass false and may
    // run beside the daemon. Throws store_error naming the path and the
    // reason; a held lock gives "another ewstrigd is using DIR (pid N)".
    static std::unique_ptr<store> open(const std::filesystem::path& state_dir, bool exclusive = true);
    // The database file open() uses in state_dir (to check for it without creating it).
    static std::filesystem::path database_path(const std::filesystem::path& state_dir);
    virtual ~store() = default;

    // The persisted sync state; nullopt when the folder was never synced.
    virtual std::optional<std::string> sync_state(const std::string& mailbox, const std::string& folder) = 0;

    // Which of `item_ids` are already recorded as seen, in the order given.
    virtual std::vector<std::string> seen_among(const std::string& mailbox, const std::string& folder,
                                                const std::vector<std::string>& item_ids) = 0;

    // ONE transaction: record every item as seen (an item already seen is
    // skipped together with its actions, so a replayed page enqueues
    // nothing twice), enqueue the actions of the others with next_attempt =
    // now, and store `new_sync_state`. Returns how many outbox rows it added.
    // Throws store_error, writing nothing, when new_sync_state is empty (the
    // EWS layer must never persist one: the next sync would replay the whole
    // folder), when an item lacks its id or event id, or on any failure.
    virtual std::size_t commit_sync(const std::string& mailbox, const std::string& folder,
                                    const std::string& new_sync_state, const std::vector<new_item>& items,
                                    clock::time_point now) = 0;

    // Several pages, of any mailboxes and folders, in ONE transaction: each
    // page as commit_sync would write it, and one fsync for them all (group
    // commit, watch/commit_batcher.hpp). Returns the rows each page added, in
    // order. Throws store_error, writing nothing, when any page fails
    // commit_sync's checks or on any failure. The default commits page by
    // page (fakes need not batch).
    virtual std::vector<std::size_t> commit_syncs(const std::vector<sync_page>& pages, clock::time_point now) {
        std::vector<std::size_t> added;
        added.reserve(pages.size());
        for (const auto& p : pages) added.push_back(commit_sync(*p.mailbox, *p.folder, *p.new_sync_state, *p.items, now));
        return added;
    }

    // Forgets the folder's sync state (ErrorInvalidSyncStateData): the next
    // sync starts from nothing; seen items stay, so nothing fires twice.
    virtual void reset_sync_state(const std::string& mailbox, const std::string& folder) = 0;

    // Pending rows whose next_attempt <= now, earliest next_attempt first
    // (then in enqueue order), at most `limit`.
    virtual std::vector<outbox_row> due_actions(clock::time_point now, std::size_t limit) = 0;
    // When the earliest pending row is due; nullopt when none is pending.
    virtual std::optional<clock::time_point> next_due() = 0;

    // The outbox runner's one read per pump: walks pending rows in the order
    // of due_actions (due or not), at most `limit`, showing `decide` each
    // row's key without its payload; returns the rows it answered `take`
    // for, read whole, in that order. `stop` ends the walk early. The
    // default reads whole rows through due_actions; the SQLite store copies
    // only the rows taken.
    virtual std::vector<outbox_row> pick_pending(std::size_t limit, const pending_visitor& decide);

    // Outcome of one attempt (each counts one attempt). `finished` is taken
    // from the system clock. A row that is not pending (already reported,
    // deleted by an admin) is left alone: no effect, no error.
    virtual void action_done(std::int64_t id) = 0;
    // Retried at `next_attempt`, or dead when its attempts are used up.
    virtual void action_failed(std::int64_t id, const std::string& error, clock::time_point next_attempt) = 0;
    // Dead at once: retrying cannot help (bad template result, 4xx, ...).
    virtual void action_dead(std::int64_t id, const std::string& error) = 0;

    virtual outbox_counts counts() = 0;
    // Dead rows, most recently dead first, at most `limit`.
    virtual std::vector<outbox_row> dead_letters(std::size_t limit) = 0;
    // Puts a dead row back to pending with fresh attempts, due at `now`
    // (admin retry). False when `id` names no dead row.
    virtual bool requeue(std::int64_t id, clock::time_point now) = 0;
    // requeue() for every dead row, in one transaction (`ewstrigd outbox
    // retry --all-dead`); returns how many went back.
    virtual std::size_t requeue_all_dead(clock::time_point now) = 0;

    // Deletes seen rows recorded before `cutoff` and done rows finished
    // before it; returns how many rows went.
    virtual std::size_t prune(clock::time_point cutoff) = 0;
};

}  // namespace ewstrigd::state
