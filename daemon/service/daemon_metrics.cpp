#include "service/daemon_metrics.hpp"

namespace ewstrigd::service {

daemon_metrics::daemon_metrics(metrics::registry& r)
    : mailboxes(r.add_gauge("ewstrigd_mailboxes", "Mailboxes by connection state.", {"state"})),
      notifications_received(r.add_counter("ewstrigd_notifications_received_total",
                                           "Notifications (doorbells) that asked for a sync.")),
      syncs(r.add_counter("ewstrigd_syncs_total", "SyncFolderItems rounds by outcome.", {"outcome"})),
      items_matched(r.add_counter("ewstrigd_items_matched_total", "New items that matched a trigger.", {"trigger"})),
      actions(r.add_counter("ewstrigd_actions_total", "Executed actions by type and outcome.", {"type", "outcome"})),
      outbox_depth(r.add_gauge("ewstrigd_outbox_depth", "Outbox rows waiting or running.")),
      outbox_dead_letters(r.add_gauge("ewstrigd_outbox_dead_letters", "Outbox rows that exhausted their retries.")),
      token_refreshes(r.add_counter("ewstrigd_token_refreshes_total", "OAuth token requests.")),
      token_refresh_failures(r.add_counter("ewstrigd_token_refresh_failures_total", "OAuth token requests that failed.")),
      ews_errors(r.add_counter("ewstrigd_ews_errors_total", "EWS errors by response code.", {"code"})),
      backoff_seconds(r.add_counter("ewstrigd_backoff_seconds_total", "Seconds of back-off mailboxes were told to wait.")),
      event_to_action_seconds(r.add_histogram("ewstrigd_event_to_action_seconds",
                                              "Seconds from an item's arrival in a sync to its action succeeding.",
                                              {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}, {"type"})),
      reloads(r.add_counter("ewstrigd_reloads_total", "Configuration reloads by outcome.", {"outcome"})) {}

}  // namespace ewstrigd::service
