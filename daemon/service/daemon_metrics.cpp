#include "service/daemon_metrics.hpp"

namespace ewstrigd::service {

const std::vector<double>& event_to_action_buckets() {
    static const std::vector<double> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,   1,      2.5,   5,    10,    30,    60};
    return bounds;
}

daemon_metrics::daemon_metrics(metrics::registry& r)
    : mailboxes(r.add_gauge("ewstrigd_mailboxes", "Mailboxes by connection state.", {"state"})),
      notifications(r.add_counter("ewstrigd_notifications_total", "Doorbell rings: notifications and poll ticks.")),
      syncs(r.add_counter("ewstrigd_syncs_total", "Folder syncs by outcome.", {"outcome"})),
      items_seen(r.add_counter("ewstrigd_items_seen_total", "New items the syncs recorded as seen.")),
      items_matched(r.add_counter("ewstrigd_items_matched_total", "New items matched, by trigger.", {"trigger"})),
      actions_enqueued(r.add_counter("ewstrigd_actions_enqueued_total", "Outbox rows added for matching items.")),
      actions(r.add_counter("ewstrigd_actions_total", "Action attempts by type and outcome.", {"type", "outcome"})),
      event_to_action(r.add_histogram("ewstrigd_event_to_action_seconds",
                                      "Seconds from learning of an item to the start of its action.",
                                      event_to_action_buckets())),
      outbox_depth(r.add_gauge("ewstrigd_outbox_depth", "Outbox rows waiting or running.")),
      outbox_dead_letters(r.add_gauge("ewstrigd_outbox_dead_letters", "Outbox rows that exhausted their retries.")),
      token_refreshes(r.add_counter("ewstrigd_token_refreshes_total", "OAuth token requests by outcome.", {"outcome"})),
      ews_errors(r.add_counter("ewstrigd_ews_errors_total", "Failed listens and syncs by error code.", {"code"})),
      backoff_seconds(r.add_counter("ewstrigd_backoff_seconds_total", "Seconds mailboxes were told to wait.")),
      sync_commits(r.add_counter("ewstrigd_sync_commits_total", "Store transactions that recorded sync pages.")),
      reloads(r.add_counter("ewstrigd_reloads_total", "Configuration reloads by outcome.", {"outcome"})) {
    token_refreshes.with({"success"});
    token_refreshes.with({"failure"});
}

void advance_to(metrics::counter& c, double total) noexcept { c.inc(total - c.value()); }

}  // namespace ewstrigd::service
