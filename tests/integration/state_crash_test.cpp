// Crash safety of the store: a child process commits sync batches in a loop
// and is SIGKILLed at a random moment; the parent reopens the database and
// checks that every commit is all-or-nothing and that every commit the child
// reported as returned is there.
//
// Batch k of a folder stores sync state "k", records items k*10 .. k*10+9 as
// seen (plus a replay of the previous batch's last three, which must enqueue
// nothing), and item n carries n % 3 actions. So from the sync state alone
// the parent knows exactly which items and outbox rows must exist.
#include "state/store.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <map>
#include <random>
#include <set>

namespace ewstrigd::state {
namespace {

constexpr int items_per_batch = 10;
constexpr int replayed = 3;
const std::array<std::string, 2> folders{"inbox", "archive"};

std::string item_id(int n) { return "item-" + std::to_string(n); }
int actions_of(int n) { return n % 3; }

std::vector<new_item> batch(const std::string& folder, int k) {
    std::vector<new_item> items;
    for (int n = std::max(0, k * items_per_batch - replayed); n < (k + 1) * items_per_batch; ++n) {
        new_item it{item_id(n), folder + ":" + item_id(n), {}};
        for (int a = 0; a < actions_of(n); ++a)
            it.actions.push_back({"trigger", a, R"({"n":)" + std::to_string(n) + "}", 6});
        items.push_back(std::move(it));
    }
    return items;
}

// The last batch committed for `folder`, -1 when none.
int last_batch(store& s, const std::string& folder) {
    const auto state = s.sync_state("mb", folder);
    return state ? std::stoi(*state) : -1;
}

struct report {
    std::int32_t folder;
    std::int32_t batch;
};

// Runs in the forked child: never returns, never touches gtest.
[[noreturn]] void commit_forever(const std::filesystem::path& dir, int report_fd) {
    try {
        auto s = store::open(dir);
        std::array<int, folders.size()> next{};
        for (std::size_t f = 0; f < folders.size(); ++f) next[f] = last_batch(*s, folders[f]) + 1;
        for (;;) {
            for (std::size_t f = 0; f < folders.size(); ++f) {
                const int k = next[f]++;
                s->commit_sync("mb", folders[f], std::to_string(k), batch(folders[f], k),
                               state::clock::now());
                const report r{static_cast<std::int32_t>(f), k};
                if (::write(report_fd, &r, sizeof r) != sizeof r) ::_exit(4);
            }
        }
    } catch (...) {
        ::_exit(3);
    }
}

// Runs in the forked child: enqueues one action at a time, marks it done
// (a commit without fsync, store.hpp) and reports its id once that returned.
[[noreturn]] void mark_done_forever(const std::filesystem::path& dir, int report_fd) {
    try {
        auto s = store::open(dir);
        for (int k = 0;; ++k) {
            const auto id = "done-" + std::to_string(k);
            s->commit_sync("mb", "done-folder", std::to_string(k), {{id, "event-" + id, {{"t", 0, "{}", 6}}}},
                           state::clock::now());
            for (const auto& row : s->due_actions(clock::time_point::max(), 10)) {
                s->action_done(row.id);
                if (::write(report_fd, &row.id, sizeof row.id) != sizeof row.id) ::_exit(4);
            }
        }
    } catch (...) {
        ::_exit(3);
    }
}

// Kills and reaps the child whatever way the test ends.
class child_process {
public:
    explicit child_process(pid_t pid) : pid_(pid) {}
    ~child_process() { kill_and_reap(); }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }
    int kill_and_reap() {
        int status = 0;
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        return status;
    }

private:
    pid_t pid_;
};

// Forks a child running `body(dir, write end of a pipe)`; returns its pid
// (-1 when it could not) and the read end in `reports`.
pid_t fork_reporting(void (*body)(const std::filesystem::path&, int), const std::filesystem::path& dir,
                     int& reports) {
    int fds[2];
    if (::pipe(fds) != 0) return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        body(dir, fds[1]);
        ::_exit(5);  // bodies never return
    }
    ::close(fds[1]);
    reports = fds[0];
    if (pid < 0) ::close(fds[0]);
    return pid;
}

// Reads one report, failing after `limit` (the child hangs or died).
::testing::AssertionResult read_report(int fd, report& r, std::chrono::milliseconds limit) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) return ::testing::AssertionFailure() << "no report in time";
    if (::read(fd, &r, sizeof r) != sizeof r) return ::testing::AssertionFailure() << "child stopped reporting";
    return ::testing::AssertionSuccess();
}

void check_invariant(store& s, const std::map<std::string, int>& reported) {
    std::map<std::pair<std::string, std::string>, std::set<int>> rows;  // (folder, item) -> action indexes
    for (const auto& r : s.due_actions(clock::time_point::max(), 1'000'000)) {
        auto& indexes = rows[std::pair{r.folder, r.item_id}];
        EXPECT_TRUE(indexes.insert(r.action_index).second)
            << "outbox row twice: " << r.folder << " " << r.item_id << " #" << r.action_index;
    }
    std::size_t expected_rows = 0;
    for (const auto& folder : folders) {
        const int k = last_batch(s, folder);
        const auto it = reported.find(folder);
        const int last_reported = it == reported.end() ? -1 : it->second;
        // Committed and reported means durable; at most one more commit may
        // have completed between the commit and the report.
        EXPECT_GE(k, last_reported) << folder;
        EXPECT_LE(k, last_reported + 1) << folder;

        std::vector<std::string> candidates;
        for (int n = 0; n < (k + 3) * items_per_batch; ++n) candidates.push_back(item_id(n));
        const auto seen = s.seen_among("mb", folder, candidates);
        ASSERT_EQ(seen.size(), static_cast<std::size_t>((k + 1) * items_per_batch))
            << folder << ": seen items do not match sync state " << k;
        for (int n = 0; n < (k + 1) * items_per_batch; ++n) {
            ASSERT_EQ(seen[static_cast<std::size_t>(n)], item_id(n)) << folder;
            const auto r = rows.find({folder, item_id(n)});
            const std::size_t count = r == rows.end() ? 0 : r->second.size();
            EXPECT_EQ(count, static_cast<std::size_t>(actions_of(n))) << folder << " " << item_id(n);
            expected_rows += count;
        }
    }
    std::size_t all_rows = 0;
    for (const auto& [key, indexes] : rows) all_rows += indexes.size();
    EXPECT_EQ(all_rows, expected_rows) << "outbox rows for items not recorded as seen";
}

TEST(state_crash, killed_mid_commit_leaves_whole_batches_only) {
    ewstrigd::testing::scratch_dir scratch;
    const auto seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng{seed};

    std::map<std::string, int> reported;
    for (int round = 0; round < 6; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        int reports = -1;
        const pid_t pid = fork_reporting(&commit_forever, scratch.path(), reports);
        ASSERT_GE(pid, 0);
        child_process child{pid};

        const int commits = std::uniform_int_distribution<int>{1, 40}(rng);
        for (int i = 0; i < commits; ++i) {
            report r{};
            ASSERT_TRUE(read_report(reports, r, std::chrono::seconds{30}));
            reported[folders.at(static_cast<std::size_t>(r.folder))] = r.batch;
            if (i == 0) {
                // The child holds the lock now: a second `run` is refused by pid.
                try {
                    store::open(scratch.path());
                    ADD_FAILURE() << "second exclusive open succeeded";
                } catch (const store_error& e) {
                    EXPECT_NE(std::string{e.what()}.find("(pid " + std::to_string(pid) + ")"), std::string::npos)
                        << e.what();
                }
            }
        }
        // Land the kill anywhere inside the commit that follows (busy wait:
        // this is the randomness of the moment, not a synchronisation).
        const auto spin = std::chrono::microseconds{std::uniform_int_distribution<int>{0, 3000}(rng)};
        const auto until = std::chrono::steady_clock::now() + spin;
        while (std::chrono::steady_clock::now() < until) {
        }
        const int status = child.kill_and_reap();
        // Reports written before the kill are commits that returned.
        for (report r{}; ::read(reports, &r, sizeof r) == sizeof r;)
            reported[folders.at(static_cast<std::size_t>(r.folder))] = r.batch;
        ::close(reports);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "child ended on its own (exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";

        auto s = store::open(scratch.path());  // the lock died with the child
        check_invariant(*s, reported);
        if (::testing::Test::HasFailure()) return;
        // Learn what the killed commit did, so the next round's bounds hold.
        for (const auto& folder : folders) reported[folder] = last_batch(*s, folder);
    }
}

}  // namespace
}  // namespace ewstrigd::state

namespace ewstrigd::state {
namespace {

TEST(state_crash, done_marks_that_returned_survive_a_sigkill) {
    ewstrigd::testing::scratch_dir scratch;
    int reports = -1;
    const pid_t pid = fork_reporting(&mark_done_forever, scratch.path(), reports);
    ASSERT_GE(pid, 0);
    child_process child{pid};
    std::set<std::int64_t> done;
    pollfd p{reports, POLLIN, 0};
    for (std::int64_t id = 0; done.size() < 200;) {
        ASSERT_EQ(::poll(&p, 1, 30'000), 1) << "no report in time";
        ASSERT_EQ(::read(reports, &id, sizeof id), static_cast<ssize_t>(sizeof id)) << "child stopped reporting";
        done.insert(id);
    }
    const int status = child.kill_and_reap();
    for (std::int64_t id = 0; ::read(reports, &id, sizeof id) == sizeof id;) done.insert(id);
    ::close(reports);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    auto s = store::open(scratch.path());
    const auto pending = s->due_actions(clock::time_point::max(), 1000);
    for (const auto& row : pending) EXPECT_FALSE(done.contains(row.id)) << "done mark of row " << row.id << " lost";
    EXPECT_LE(pending.size(), 1u) << "only the row being marked when the kill came may be pending";
}

}  // namespace
}  // namespace ewstrigd::state
