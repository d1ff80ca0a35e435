#pragma once
// Group commit of sync pages: the pages the watchers of a daemon hand in
// within one commit window go to the store in one transaction, one fsync
// for them all (issue 8: the WAL fsync and SQLite's page writes were ~30 %
// of the CPU per mail when every mail committed alone).
//
// - An idle daemon loses nothing: a page that finds no commit in the last
//   `window` is committed at once (posted, so pages completed in the same
//   turn of the loop join it). Under load, commits are at least `window`
//   apart and each takes every page queued meanwhile: at most 1/window
//   fsyncs per second, and a page waits at most `window`.
// - Each page completes with the rows it added only after its transaction
//   committed: the promise (an action is enqueued durably before the sync
//   state moves on) is the store's, unchanged.
// - A failed batch is retried page by page, so a page that fails (an empty
//   sync state, a full disk) fails alone with its own store_error.
//
// Loop affinity: construct, use and destroy on the loop's thread. Pages
// queued when it is destroyed are dropped with their handlers; the daemon
// destroys it after every watcher has stopped.

#include "state/store.hpp"
#include "watch/clock.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

namespace ewstrigd::watch {

class commit_batcher {
public:
    using commit_signature = void(std::exception_ptr, std::size_t);

    commit_batcher(boost::asio::any_io_executor ex, state::store& store, watch::clock& clock,
                   std::chrono::milliseconds window);
    commit_batcher(const commit_batcher&) = delete;
    commit_batcher& operator=(const commit_batcher&) = delete;

    /// Commits `page` (whose strings and items the caller keeps alive until
    /// completion); completes with the outbox rows it added or the store's error.
    template <class Token>
    auto async_commit(state::sync_page page, Token&& token) {
        return boost::asio::async_initiate<Token, commit_signature>(
            [this](auto handler, state::sync_page p) {
                enqueue(p, boost::asio::any_completion_handler<commit_signature>(std::move(handler)));
            },
            token, page);
    }

    /// Transactions committed so far (for tests and metrics).
    std::size_t transactions() const noexcept { return transactions_; }

private:
    struct waiting {
        state::sync_page page;
        boost::asio::any_completion_handler<commit_signature> handler;
    };

    void enqueue(state::sync_page page, boost::asio::any_completion_handler<commit_signature> handler);
    void flush();

    boost::asio::any_io_executor ex_;
    state::store& store_;
    watch::clock& clock_;
    std::chrono::milliseconds window_;
    boost::asio::steady_timer timer_;
    std::vector<waiting> queue_;
    bool scheduled_ = false;
    std::optional<std::chrono::steady_clock::time_point> last_flush_;
    std::size_t transactions_ = 0;
    std::shared_ptr<const int> lifetime_ = std::make_shared<const int>(0);
};

}  // namespace ewstrigd::watch
