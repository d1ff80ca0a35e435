#pragma once
// Every metric the daemon exports, defined in one place. Construct one
// daemon_metrics on the registry at startup and pass references to it; the
// watch loop, token service and action runner update it on the loop.
//
// Cardinality stays bounded at 10,000 mailboxes: no metric is labelled by
// mailbox (per-mailbox detail is in /healthz and /status.json); labels are
// states, trigger names, action types, outcomes and EWS codes, all bounded by
// the configuration or the protocol.

#include "service/metrics.hpp"

namespace ewstrigd::service {

struct daemon_metrics {
    explicit daemon_metrics(metrics::registry& r);

    /// ewstrigd_mailboxes{state}: mailboxes per connection state (connecting,
    /// connected, idle, backing_off, failed, stopped); set on each scrape from
    /// the health source (see set_mailbox_states).
    metrics::family<metrics::gauge>& mailboxes;
    /// ewstrigd_notifications_received_total: doorbells (streaming/pull
    /// notifications, poll ticks) that asked for a sync.
    metrics::family<metrics::counter>& notifications_received;
    /// ewstrigd_syncs_total{outcome="ok|error"}: SyncFolderItems rounds.
    metrics::family<metrics::counter>& syncs;
    /// ewstrigd_items_matched_total{trigger}: new items that matched a trigger.
    metrics::family<metrics::counter>& items_matched;
    /// ewstrigd_actions_total{type,outcome}: executed actions; type = run,
    /// webhook, save, mark_read, move_to, log; outcome = success, retry, failed
    /// (dead-lettered after its last attempt).
    metrics::family<metrics::counter>& actions;
    /// ewstrigd_outbox_depth: outbox rows waiting or running.
    metrics::family<metrics::gauge>& outbox_depth;
    /// ewstrigd_outbox_dead_letters: rows that exhausted their retries (kept for inspection).
    metrics::family<metrics::gauge>& outbox_dead_letters;
    /// ewstrigd_token_refreshes_total / ewstrigd_token_refresh_failures_total: OAuth token requests.
    metrics::family<metrics::counter>& token_refreshes;
    metrics::family<metrics::counter>& token_refresh_failures;
    /// ewstrigd_ews_errors_total{code}: EWS ResponseCodes other than NoError,
    /// and "http_<status>" / "transport" for failures below SOAP.
    metrics::family<metrics::counter>& ews_errors;
    /// ewstrigd_backoff_seconds_total: time mailboxes were told to wait
    /// (throttling, network, credentials), summed when each back-off starts.
    metrics::family<metrics::counter>& backoff_seconds;
    /// ewstrigd_event_to_action_seconds{type}: from the item's arrival in the
    /// sync to the action finishing successfully.
    metrics::family<metrics::histogram>& event_to_action_seconds;
    /// ewstrigd_reloads_total{outcome="applied|rejected"}: SIGHUP / SCM reloads.
    metrics::family<metrics::counter>& reloads;
};

}  // namespace ewstrigd::service
