#pragma once
// What `ewstrigd run` tells the outside world about itself:
// - systemd (service/notifier.hpp): READY=1, STATUS="N/M mailboxes connected"
//   (sent at start and whenever it changes, checked every status_period),
//   RELOADING=1 ... READY=1, STOPPING=1, watchdog keep-alives;
// - when metrics.listen is set, /metrics, /healthz and /status.json
//   (service/health_server.hpp), fed from the watchers' status and totals,
//   the token services' totals, the outbox runner's counters and the store's
//   outbox counts at request time, and from action_started() as it happens.
//
// Loop affinity: construct, call and destroy on the thread running `ioc`.
// The inputs (watchers, store, runner) must outlive this object; after
// stopping() nothing calls them again.

#include "actions/outbox_runner.hpp"
#include "auth/oauth_provider.hpp"
#include "service/daemon_metrics.hpp"
#include "service/health_report.hpp"
#include "service/health_server.hpp"
#include "service/metrics.hpp"
#include "service/notifier.hpp"
#include "state/store.hpp"
#include "util/shard.hpp"
#include "watch/commit_batcher.hpp"
#include "watch/status.hpp"
#include "watch/totals.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::cli {

struct reporting_inputs {
    std::function<std::vector<watch::mailbox_status>()> mailboxes;  // one per watched mailbox
    state::store* store = nullptr;
    const actions::outbox_runner* runner = nullptr;
    const watch::watch_totals* watch = nullptr;    // shared by every watcher
    const auth::refresh_counts* tokens = nullptr;  // shared by every OAuth token service
    const watch::commit_batcher* commits = nullptr;  // group commit of every watcher's sync pages
};

struct reporting_options {
    std::optional<boost::asio::ip::tcp::endpoint> listen;  // nullopt: no health server
    std::string version;
    std::chrono::milliseconds status_period{std::chrono::seconds(2)};
};

/// metrics.listen for shard K of N: its port + K (docs/operations.md, "Shards"),
/// so the instances of one host do not collide. nullopt when `listen` is empty.
/// Throws std::invalid_argument when `listen` is not HOST:PORT or the port overflows.
std::optional<boost::asio::ip::tcp::endpoint> health_endpoint_for(const std::string& listen, util::shard shard);

/// The /healthz and /status.json row of a watcher's status (state names with
/// underscores, as in ewstrigd_mailboxes{state}).
service::mailbox_health health_row(const watch::mailbox_status& s, std::uint64_t outbox_pending);

/// Copy running totals into the metrics (before each scrape); counters only go up.
void feed_metrics(const watch::watch_totals& t, service::daemon_metrics& m);
void feed_metrics(const auth::refresh_counts& t, service::daemon_metrics& m);

class daemon_reporting {
public:
    daemon_reporting(boost::asio::io_context& ioc, reporting_inputs inputs, reporting_options options);
    ~daemon_reporting();
    daemon_reporting(const daemon_reporting&) = delete;
    daemon_reporting& operator=(const daemon_reporting&) = delete;

    /// Binds the health server (std::runtime_error naming the address when it
    /// cannot), then READY=1, the first STATUS=, the watchdog and the status timer.
    void start();
    /// RELOADING=1; then reloaded() with the outcome sends READY=1 again.
    void reloading();
    void reloaded(bool applied);
    /// STOPPING=1; stops the watchdog, the status timer and the health server.
    void stopping();

    /// The first attempt of an outbox row started, `since_enqueued` after its
    /// row was committed (runner_options::on_first_attempt).
    void action_started(state::clock::duration since_enqueued);

    /// The health server's bound endpoint (nullopt when metrics.listen is unset).
    std::optional<boost::asio::ip::tcp::endpoint> health_endpoint() const;

private:
    std::vector<service::mailbox_health> rows(bool with_outbox) const;
    void collect_metrics();
    void refresh_status();

    boost::asio::io_context& ioc_;
    reporting_inputs inputs_;
    reporting_options options_;
    service::notifier notifier_;
    service::metrics::registry registry_;
    service::daemon_metrics metrics_{registry_};
    std::unique_ptr<service::health_server> health_;
    boost::asio::steady_timer status_timer_;
    std::string last_status_;
    bool stopped_ = false;
};

}  // namespace ewstrigd::cli
