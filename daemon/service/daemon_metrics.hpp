#pragma once
// Every metric the daemon exports, defined in one place. Construct one
// daemon_metrics on the registry at startup; the daemon updates it on the
// loop (cli/daemon_reporting.cpp). The modules that count keep plain
// counters and know nothing of metric types: watch::watch_totals (shared by
// all watchers), auth::refresh_counts (shared by all OAuth token services),
// actions::action_counters (the outbox runner) and the store's outbox counts
// are read just before each scrape and copied in with advance_to(); only the
// latency histogram is observed as it happens (the runner's
// on_first_attempt callback), since a histogram cannot be rebuilt from a total.
//
// Cardinality stays bounded at 10,000 mailboxes: no metric is labelled by
// mailbox (per-mailbox detail is in /healthz and /status.json); labels are
// states, action types, outcomes and EWS error codes, all bounded by the
// code (watch/totals.hpp caps the codes), and trigger names, bounded by the
// config.

#include "service/metrics.hpp"

#include <vector>

namespace ewstrigd::service {

/// Buckets of ewstrigd_event_to_action_seconds: 1 ms to 60 s, about three per decade.
const std::vector<double>& event_to_action_buckets();

struct daemon_metrics {
    explicit daemon_metrics(metrics::registry& r);

    /// ewstrigd_mailboxes{state}: mailboxes per connection state (connecting,
    /// connected, backing_off, failed, stopped); rebuilt on each scrape (count_states).
    metrics::family<metrics::gauge>& mailboxes;
    /// ewstrigd_notifications_total: doorbell rings (notifications, poll
    /// ticks, the ring per folder after each new subscription).
    metrics::family<metrics::counter>& notifications;
    /// ewstrigd_syncs_total{outcome}: folder syncs (all pages) by how they
    /// ended: proceed, retry_after, resubscribe, resync, reauthenticate,
    /// permanent, transient (ews::next_step).
    metrics::family<metrics::counter>& syncs;
    /// ewstrigd_items_seen_total: new items the syncs recorded as seen, each
    /// once: those handed to the triggers (matched or not) and those recorded
    /// without a look (a new-only folder's baseline, a folder no trigger
    /// applies to, an item gone before it was fetched).
    metrics::family<metrics::counter>& items_seen;
    /// ewstrigd_items_matched_total{trigger}: new items each trigger matched.
    metrics::family<metrics::counter>& items_matched;
    /// ewstrigd_actions_enqueued_total: outbox rows added for matching items.
    metrics::family<metrics::counter>& actions_enqueued;
    /// ewstrigd_actions_total{type,outcome}: action attempts; type = the
    /// action kind (actions::to_string); outcome = success, retry (a failure
    /// that may be retried; on the last attempt the row becomes a dead
    /// letter), failed (failed permanently, not retried).
    metrics::family<metrics::counter>& actions;
    /// ewstrigd_event_to_action_seconds: from the commit of an item's outbox
    /// row (right after the daemon learned of the item) to the start of the
    /// row's first attempt.
    metrics::family<metrics::histogram>& event_to_action;
    /// ewstrigd_outbox_depth: outbox rows waiting or running.
    metrics::family<metrics::gauge>& outbox_depth;
    /// ewstrigd_outbox_dead_letters: rows that exhausted their retries (kept for inspection).
    metrics::family<metrics::gauge>& outbox_dead_letters;
    /// ewstrigd_token_refreshes_total{outcome="success|failure"}: OAuth token
    /// requests (both label sets present from the start).
    metrics::family<metrics::counter>& token_refreshes;
    /// ewstrigd_ews_errors_total{code}: failed listens and syncs by
    /// ResponseCode, "HTTP nnn" or transport class (watch::error_label).
    metrics::family<metrics::counter>& ews_errors;
    /// ewstrigd_backoff_seconds_total: waits before retrying that the watchers
    /// scheduled, summed over mailboxes.
    metrics::family<metrics::counter>& backoff_seconds;
    /// ewstrigd_sync_commits_total: store transactions that recorded sync
    /// pages (each with one fsync); under load one holds the pages of many
    /// mailboxes (group commit, watch/commit_batcher.hpp).
    metrics::family<metrics::counter>& sync_commits;
    /// ewstrigd_reloads_total{outcome="applied|rejected"}: SIGHUP / SCM reloads.
    metrics::family<metrics::counter>& reloads;
};

/// Raises a counter to `total` (a running total kept elsewhere, e.g. by the
/// outbox runner); never lowers it.
void advance_to(metrics::counter& c, double total) noexcept;

}  // namespace ewstrigd::service
