// watch/commit_batcher.hpp: group commit of sync pages on a real store.
#include "watch/commit_batcher.hpp"

#include "test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::watch {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// What one page handed to the batcher came back with.
struct result {
    bool done = false;
    std::size_t added = 0;
    std::optional<std::string> error;
};

// A page of one new item with one action, for its own mailbox.
struct page_data {
    explicit page_data(std::string mailbox_id, std::string state = "S1")
        : mailbox(std::move(mailbox_id)), sync_state(std::move(state)) {}
    std::string mailbox;
    std::string folder = "inbox";
    std::string sync_state;
    std::vector<state::new_item> items{{"item-1", "event-of-" + mailbox, {{"t", 0, "{}", 6}}}};
    state::sync_page page() const { return {&mailbox, &folder, &sync_state, &items}; }
};

class commit_batcher_test : public ::testing::Test {
protected:
    void commit(commit_batcher& b, const page_data& p, result& r) {
        b.async_commit(p.page(), [&r](std::exception_ptr e, std::size_t added) {
            r.done = true;
            r.added = added;
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                r.error = ex.what();
            }
        });
    }
    // Runs the loop until every result is in (a few seconds at most).
    bool run_until_done(std::initializer_list<const result*> results) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        const auto all_done = [&] {
            for (const auto* r : results)
                if (!r->done) return false;
            return true;
        };
        while (!all_done() && std::chrono::steady_clock::now() < deadline) run_for(10ms);
        return all_done();
    }
    // The loop stops when it runs out of work; later commits bring new work.
    void run_for(std::chrono::milliseconds d) {
        ioc.restart();
        ioc.run_for(d);
    }

    boost::asio::io_context ioc;
    ewstrigd::testing::scratch_dir dir;
    std::unique_ptr<state::store> store = state::store::open(dir.path());
    std::unique_ptr<watch::clock> clock = make_system_clock(ioc.get_executor());
};

TEST_F(commit_batcher_test, pages_handed_in_together_share_one_transaction_and_an_idle_one_does_not_wait) {
    // An hour's window: the first commit must not wait for it.
    commit_batcher batcher(ioc.get_executor(), *store, *clock, 1h);
    const page_data a("mb-a"), b("mb-b"), c("mb-c");
    result ra, rb, rc;
    commit(batcher, a, ra);
    commit(batcher, b, rb);
    commit(batcher, c, rc);
    ASSERT_TRUE(run_until_done({&ra, &rb, &rc}));
    EXPECT_EQ(batcher.transactions(), 1u);
    for (const auto* r : {&ra, &rb, &rc}) {
        EXPECT_EQ(r->added, 1u);
        EXPECT_FALSE(r->error) << *r->error;
    }
    for (const auto* mb : {"mb-a", "mb-b", "mb-c"}) EXPECT_EQ(store->sync_state(mb, "inbox"), "S1") << mb;
    EXPECT_EQ(store->counts().pending, 3u);
}

TEST_F(commit_batcher_test, a_page_right_after_a_commit_waits_for_the_window_and_takes_later_ones_along) {
    commit_batcher batcher(ioc.get_executor(), *store, *clock, 300ms);
    const page_data first("mb-1"), second("mb-2"), third("mb-3");
    result r1, r2, r3;
    commit(batcher, first, r1);
    ASSERT_TRUE(run_until_done({&r1}));
    commit(batcher, second, r2);
    run_for(50ms);
    EXPECT_FALSE(r2.done) << "committed inside the window of the previous commit";
    EXPECT_EQ(store->sync_state("mb-2", "inbox"), std::nullopt) << "written before its handler ran";
    commit(batcher, third, r3);
    ASSERT_TRUE(run_until_done({&r2, &r3}));
    EXPECT_EQ(batcher.transactions(), 2u);
    EXPECT_EQ(r2.added + r3.added, 2u);
    EXPECT_EQ(store->sync_state("mb-3", "inbox"), "S1");
}

TEST_F(commit_batcher_test, a_page_that_fails_fails_alone) {
    commit_batcher batcher(ioc.get_executor(), *store, *clock, 1h);
    const page_data good("mb-good"), bad("mb-bad", ""), other("mb-other");
    result rg, rb, ro;
    commit(batcher, good, rg);
    commit(batcher, bad, rb);
    commit(batcher, other, ro);
    ASSERT_TRUE(run_until_done({&rg, &rb, &ro}));
    ASSERT_TRUE(rb.error);
    EXPECT_THAT(*rb.error, HasSubstr("empty sync state"));
    EXPECT_THAT(*rb.error, HasSubstr("mailbox=mb-bad"));
    EXPECT_FALSE(rg.error);
    EXPECT_FALSE(ro.error);
    EXPECT_EQ(rg.added + ro.added, 2u);
    EXPECT_EQ(store->sync_state("mb-good", "inbox"), "S1");
    EXPECT_EQ(store->sync_state("mb-other", "inbox"), "S1");
    EXPECT_EQ(store->sync_state("mb-bad", "inbox"), std::nullopt);
}

}  // namespace
}  // namespace ewstrigd::watch
