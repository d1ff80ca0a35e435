#include "service/daemon_metrics.hpp"

namespace ewstrigd::service {

daemon_metrics::daemon_metrics(metrics::registry& r)
    : mailboxes(r.add_gauge("ewstrigd_mailboxes", "Mailboxes by connection state.", {"state"})),
      items_seen(r.add_counter("ewstrigd_items_seen_total", "New items handed to the triggers.")),
      actions_enqueued(r.add_counter("ewstrigd_actions_enqueued_total", "Outbox rows added for matching items.")),
      actions(r.add_counter("ewstrigd_actions_total", "Action attempts by type and outcome.", {"type", "outcome"})),
      outbox_depth(r.add_gauge("ewstrigd_outbox_depth", "Outbox rows waiting or running.")),
      outbox_dead_letters(r.add_gauge("ewstrigd_outbox_dead_letters", "Outbox rows that exhausted their retries.")),
      reloads(r.add_counter("ewstrigd_reloads_total", "Configuration reloads by outcome.", {"outcome"})) {}

void advance_to(metrics::counter& c, double total) noexcept { c.inc(total - c.value()); }

}  // namespace ewstrigd::service
