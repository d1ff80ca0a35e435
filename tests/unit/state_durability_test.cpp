// The store's durability policy (state/store.hpp): which commits fsync the
// WAL. A VFS that forwards to SQLite's default one counts the syncs of -wal
// files, so the test sees what reaches the disk, not what a PRAGMA says.
#include "state/store.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace ewstrigd::state {
namespace {

using namespace std::chrono_literals;

// Registered as the default VFS while it lives (the store opens with the
// default); every file method forwards to the VFS that was default before.
class wal_sync_counter {
public:
    wal_sync_counter() {
        base_ = sqlite3_vfs_find(nullptr);
        vfs_ = *base_;
        vfs_.zName = "wal-sync-counter";
        vfs_.szOsFile = static_cast<int>(sizeof(counted_file)) + base_->szOsFile;
        vfs_.xOpen = &open;
        self_ = this;
        if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("sqlite3_vfs_register");
    }
    ~wal_sync_counter() {
        sqlite3_vfs_unregister(&vfs_);
        self_ = nullptr;
    }
    wal_sync_counter(const wal_sync_counter&) = delete;
    wal_sync_counter& operator=(const wal_sync_counter&) = delete;

    int syncs() const { return syncs_; }

private:
    struct counted_file {
        sqlite3_file base;
        sqlite3_file* real;
        bool wal;
    };

    static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<counted_file*>(f)->real; }

    static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
        auto* file = reinterpret_cast<counted_file*>(f);
        file->real = reinterpret_cast<sqlite3_file*>(file + 1);
        file->wal = (flags & SQLITE_OPEN_WAL) != 0;
        const int rc = self_->base_->xOpen(self_->base_, name, file->real, flags, out_flags);
        file->base.pMethods = file->real->pMethods != nullptr ? &methods : nullptr;
        return rc;
    }

    static int sync(sqlite3_file* f, int flags) {
        if (reinterpret_cast<counted_file*>(f)->wal) ++self_->syncs_;
        return real(f)->pMethods->xSync(real(f), flags);
    }

    static constexpr sqlite3_io_methods methods{
        3,
        [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); },
        [](sqlite3_file* f, void* p, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), p, n, o); },
        [](sqlite3_file* f, const void* p, int n, sqlite3_int64 o) {
            return real(f)->pMethods->xWrite(real(f), p, n, o);
        },
        [](sqlite3_file* f, sqlite3_int64 n) { return real(f)->pMethods->xTruncate(real(f), n); },
        &sync,
        [](sqlite3_file* f, sqlite3_int64* n) { return real(f)->pMethods->xFileSize(real(f), n); },
        [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); },
        [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); },
        [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); },
        [](sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); },
        [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); },
        [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); },
        [](sqlite3_file* f, int i, int sz, int ext, void volatile** p) {
            return real(f)->pMethods->xShmMap(real(f), i, sz, ext, p);
        },
        [](sqlite3_file* f, int o, int n, int fl) { return real(f)->pMethods->xShmLock(real(f), o, n, fl); },
        [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); },
        [](sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); },
        [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return real(f)->pMethods->xFetch(real(f), o, n, p); },
        [](sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); },
    };

    static inline wal_sync_counter* self_ = nullptr;  // SQLite's callbacks carry no context of ours
    sqlite3_vfs* base_ = nullptr;
    sqlite3_vfs vfs_{};
    int syncs_ = 0;
};

const clock::time_point t0 = clock::time_point{std::chrono::milliseconds{1'700'000'000'000}};

class durability_test : public ::testing::Test {
protected:
    ewstrigd::testing::scratch_dir dir_;
    wal_sync_counter counter_;  // before the store: its connection uses the counting VFS
    std::unique_ptr<store> s_ = store::open(dir_.path());

    // Enqueues one action for a fresh item; returns its row id.
    std::int64_t enqueue(const std::string& item_id) {
        s_->commit_sync("mb", "inbox", "state-" + item_id, {{item_id, "event-" + item_id, {{"t", 0, "{}", 6}}}}, t0);
        for (const auto& row : s_->due_actions(clock::time_point::max(), 100))
            if (row.item_id == item_id) return row.id;
        ADD_FAILURE() << "no outbox row for " << item_id;
        return -1;
    }

    // WAL syncs made by `write`.
    template <typename Write>
    int syncs_of(Write write) {
        const int before = counter_.syncs();
        write();
        return counter_.syncs() - before;
    }

    // The row's state as an admin's sqlite3 reads it.
    std::string state_on_disk(std::int64_t id) const {
        sqlite3* db = nullptr;
        std::string state;
        if (sqlite3_open_v2(store::database_path(dir_.path()).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
            SQLITE_OK) {
            const std::string sql = "SELECT state FROM outbox WHERE id = " + std::to_string(id);
            sqlite3_exec(
                db, sql.c_str(),
                [](void* out, int, char** values, char**) {
                    *static_cast<std::string*>(out) = values[0] ? values[0] : "";
                    return 0;
                },
                &state, nullptr);
        }
        sqlite3_close(db);
        return state;
    }
};

TEST_F(durability_test, the_enqueue_commit_syncs_the_wal_and_the_done_mark_does_not) {
    std::int64_t id = 0;
    EXPECT_GE(syncs_of([&] { id = enqueue("a"); }), 1) << "enqueue commit must be synchronous=FULL";
    EXPECT_EQ(syncs_of([&] { s_->action_done(id); }), 0) << "done mark must be synchronous=NORMAL";
    // Every other commit is FULL again; its sync covers the done mark's frames too.
    EXPECT_GE(syncs_of([&] { id = enqueue("b"); }), 1);
    EXPECT_GE(syncs_of([&] { s_->action_failed(id, "try again", t0 + 1s); }), 1);
    EXPECT_GE(syncs_of([&] { s_->action_dead(id, "gave up"); }), 1);
    EXPECT_GE(syncs_of([&] { s_->requeue(id, t0); }), 1);
    EXPECT_GE(syncs_of([&] { s_->reset_sync_state("mb", "inbox"); }), 1);
}

TEST_F(durability_test, a_done_mark_is_there_after_the_store_is_reopened) {
    const auto id = enqueue("a");
    s_->action_done(id);
    s_.reset();
    s_ = store::open(dir_.path());
    EXPECT_EQ(s_->counts().pending, 0u);
    EXPECT_EQ(state_on_disk(id), "done");
}

}  // namespace
}  // namespace ewstrigd::state
