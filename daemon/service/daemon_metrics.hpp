#pragma once
// Every metric the daemon exports, defined in one place. Construct one
// daemon_metrics on the registry at startup; the daemon updates it on the
// loop (cli/daemon_reporting.cpp: most values are read from the watchers,
// the outbox runner and the store just before each scrape).
//
// Only families the daemon can feed today are registered, so nothing shows a
// value nobody measures. Not fed yet, and therefore absent (docs/operations.md):
// notifications received, syncs by outcome, items matched per trigger, token
// refreshes, EWS errors by code, back-off seconds, event-to-action latency;
// they need hooks in watch/, source/ and auth/ that do not exist yet.
//
// Cardinality stays bounded at 10,000 mailboxes: no metric is labelled by
// mailbox (per-mailbox detail is in /healthz and /status.json); labels are
// states, action types and outcomes, all bounded by the code.

#include "service/metrics.hpp"

namespace ewstrigd::service {

struct daemon_metrics {
    explicit daemon_metrics(metrics::registry& r);

    /// ewstrigd_mailboxes{state}: mailboxes per connection state (connecting,
    /// connected, backing_off, failed, stopped); rebuilt on each scrape (count_states).
    metrics::family<metrics::gauge>& mailboxes;
    /// ewstrigd_items_seen_total: new items the syncs handed to the triggers
    /// (each item once, also when nothing matched).
    metrics::family<metrics::counter>& items_seen;
    /// ewstrigd_actions_enqueued_total: outbox rows added for matching items.
    metrics::family<metrics::counter>& actions_enqueued;
    /// ewstrigd_actions_total{type,outcome}: action attempts; type = run,
    /// webhook, save, mark_read, move_to, log; outcome = success, retry (a
    /// failure that may be retried; on the last attempt the row becomes a dead
    /// letter), failed (failed permanently, not retried).
    metrics::family<metrics::counter>& actions;
    /// ewstrigd_outbox_depth: outbox rows waiting or running.
    metrics::family<metrics::gauge>& outbox_depth;
    /// ewstrigd_outbox_dead_letters: rows that exhausted their retries (kept for inspection).
    metrics::family<metrics::gauge>& outbox_dead_letters;
    /// ewstrigd_reloads_total{outcome="applied|rejected"}: SIGHUP / SCM reloads.
    metrics::family<metrics::counter>& reloads;
};

/// Raises a counter to `total` (a running total kept elsewhere, e.g. by the
/// outbox runner); never lowers it.
void advance_to(metrics::counter& c, double total) noexcept;

}  // namespace ewstrigd::service
