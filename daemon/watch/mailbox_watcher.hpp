#pragma once
// One mailbox's watch loop (DESIGN.md "Data flow" step 3-5), on the shared
// io_context:
//
// - the doorbell loop keeps mail_source::async_listen open: again at once
//   after a normal end or a lost subscription, after a back-off (seeded by
//   the mailbox id, Retry-After honoured) on throttling, network or
//   credential trouble, every `failed_retry` after a permanent failure;
// - per folder a sync run, started by a ring, by the safety timer and at
//   start (poll mode; streaming and pull wait for the ring of their first
//   subscription, or for its failure), that ends once the folder is synced:
//   SyncFolderItems pages from the stored state until `more` is false; for
//   each page the unseen created items are fetched (only the parts the
//   triggers need), matched, and committed with their outbox rows and the
//   page's new sync state in ONE store transaction (none when nothing was
//   created and the state is the stored one). Rings during a sync coalesce into exactly one more
//   sync; rings during a back-off wait for the retry. A broken sync state
//   restarts the folder from nothing; seen items fire nothing again.
//
// An idle mailbox keeps no suspended coroutine (10,000 mailboxes: issue 8):
// the doorbell is a chain of callbacks, the safety timer an entry in the
// clock's list (clock::call_every), and a folder's coroutine lives only
// while it syncs or backs off.
//
// on_start: catch-up (default) makes a folder's very first sync fire for
// the mail already in it; new-only records what is there as seen, without
// actions, when the folder has no sync state yet.
//
// Counts (rings, syncs by outcome, items seen and matched, errors by code,
// back-off scheduled) go to hooks.totals (watch/totals.hpp), which the
// daemon shares among its watchers and reads for /metrics; health is status().
//
// Loop affinity: every member is used from the io_context's thread only.
// The source, store and clock must outlive the watcher. A store_error (or
// any exception but cancellation) ends the loop and is handed to
// hooks.on_fatal: state that cannot be written cannot be trusted.
// Destroy the watcher only after stop()'s callback ran (or never started).

#include "config/model.hpp"
#include "source/mail_source.hpp"
#include "state/store.hpp"
#include "util/backoff.hpp"
#include "watch/clock.hpp"
#include "watch/commit_batcher.hpp"
#include "watch/plan.hpp"
#include "watch/status.hpp"
#include "watch/totals.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::watch {

struct watch_timing {
    std::chrono::milliseconds safety_interval{std::chrono::minutes(5)};  // sync even without a ring
    std::chrono::milliseconds failed_retry{std::chrono::minutes(15)};    // after a permanent failure
    std::chrono::milliseconds backoff_initial{std::chrono::seconds(1)};
    std::chrono::milliseconds backoff_cap{std::chrono::minutes(5)};
};

struct watcher_hooks {
    std::function<void()> on_enqueued;                 // outbox rows were added: wake the runner
    std::function<void(std::exception_ptr)> on_fatal;  // the store failed; the daemon must stop
    watch_totals* totals = nullptr;                    // daemon-wide counts to add to (none: kept private)
};

// What all watchers of a daemon share: one object they point to instead of
// a copy each (~160 bytes per mailbox at 10,000 mailboxes: issue 8). The
// store, the clock and the batcher must outlive every watcher holding the
// context.
struct watcher_context {
    boost::asio::any_io_executor ex;
    state::store& store;
    watch::clock& clock;
    // Group commit of the watchers' pages (commit_batcher.hpp); must outlive
    // every watcher.
    commit_batcher& commits;
    watcher_hooks hooks;
    watch_timing timing;
};

class mailbox_watcher {
public:
    // `mailbox` is an element of *cfg. The watcher keeps `cfg` alive and
    // refers to its mailbox and triggers there instead of copying them
    // (10,000 mailboxes: issue 8).
    mailbox_watcher(std::shared_ptr<const watcher_context> context, std::shared_ptr<const config::config> cfg,
                    const config::mailbox_config& mailbox, std::shared_ptr<source::mail_source> source);
    ~mailbox_watcher();
    mailbox_watcher(const mailbox_watcher&) = delete;
    mailbox_watcher& operator=(const mailbox_watcher&) = delete;

    // Starts the doorbell, the safety timer and one sync loop per folder.
    void start();

    // Syncs every folder once (retrying a broken state, a throttle or a
    // transient failure a few times), then calls done(true when every folder
    // synced). No doorbell. For `run --once`.
    void sync_once(std::function<void(bool)> done);

    // Cancels every loop; `done` is posted once all have ended.
    void stop(std::function<void()> done);

    // A reloaded configuration (reload) holding this mailbox with the same
    // connection settings (config::same_connection): its triggers apply from
    // the next page on; pages already being handled finish with the old
    // ones. A configuration without this mailbox changes nothing.
    void set_config(std::shared_ptr<const config::config> cfg);

    const config::mailbox_config& mailbox() const { return *bound_.mailbox; }
    const std::shared_ptr<source::mail_source>& source() const { return source_; }
    mailbox_status status() const;

private:
    struct folder;

    void start_doorbell();
    void listen(boost::asio::cancellation_slot slot);
    void listened(boost::asio::cancellation_slot slot, std::chrono::system_clock::time_point started,
                  source::outcome o);
    void wake(folder& f);
    void wake_all_if_never_rung();
    util::backoff folder_backoff(const folder& f) const;
    boost::asio::awaitable<void> folder_run(folder* f);
    boost::asio::awaitable<void> once_loop(std::function<void(bool)> done);
    boost::asio::awaitable<source::outcome> sync_folder(folder* f);  // counted in the totals
    boost::asio::awaitable<source::outcome> sync_pages(folder* f);
    boost::asio::awaitable<source::outcome> handle_page(folder* f, const source::folder_changes& changes,
                                                        bool baseline);

    void spawn(boost::asio::awaitable<void> loop);
    void loop_ended(std::exception_ptr e);
    void ring(const std::string& folder_name);
    void count_failure(const source::outcome& o);
    void note_success();
    void note_failure(const source::outcome& o, std::string_view what, std::string_view folder_name,
                      std::chrono::milliseconds retry_in);

    // The configuration, this mailbox's entry in it and its triggers there;
    // replaced as a whole by set_config; a page being handled keeps a copy.
    struct bound_config {
        std::shared_ptr<const config::config> whole;
        const config::mailbox_config* mailbox = nullptr;
        trigger_list triggers;
    };
    const std::string& mailbox_id() const { return bound_.mailbox->id; }

    std::shared_ptr<const watcher_context> context_;  // executor, store, clock, hooks, timing
    bound_config bound_;
    std::shared_ptr<source::mail_source> source_;

    std::vector<std::unique_ptr<folder>> folders_;
    // In place, not list nodes: every idle watcher has a doorbell and a safety timer (issue 8).
    boost::asio::cancellation_signal doorbell_signal_;
    periodic_call safety_timer_;
    util::backoff doorbell_delay_;
    int quick_listens_ = 0;  // listens in a row that ended within a second
    int running_ = 0;
    bool stopping_ = false;
    // Streaming and pull: the first sync waits for the first subscription's
    // ring (see start()); set until a ring came or the first listen failed.
    bool first_ring_pending_ = false;
    // The doorbell failed and has not rung since: a sync that succeeds
    // meanwhile does not make the mailbox look connected, since no
    // notification would reach it.
    bool doorbell_down_ = false;
    // What only sync_once() and stop() use, made by the first of them: an
    // idle watcher keeps a pointer instead (issue 8).
    struct occasional_state {
        std::list<boost::asio::cancellation_signal> once_signals;  // sync_once
        std::function<void()> stopped;                            // stop()'s callback
    };
    occasional_state& occasional();
    std::unique_ptr<occasional_state> occasional_;
    std::shared_ptr<mailbox_watcher*> alive_ = std::make_shared<mailbox_watcher*>(this);  // ring handlers check it
    // What status() reports, compact (10,000 watchers: issue 8): "never" is
    // a default time point, and the last error takes room only once there
    // was one; the mailbox id is the config's.
    struct failure_note {
        std::string text;
        std::chrono::system_clock::time_point time;
    };
    connection_state state_ = connection_state::connecting;
    std::chrono::system_clock::time_point last_ring_{};
    std::chrono::system_clock::time_point last_sync_{};
    std::chrono::system_clock::time_point last_event_{};
    std::unique_ptr<failure_note> last_failure_;
    std::unique_ptr<watch_totals> private_totals_;  // only when hooks.totals is null
    watch_totals& totals_;
};

}  // namespace ewstrigd::watch
