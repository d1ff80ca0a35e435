#include "source/doorbell.hpp"

#include "ews/notifications.hpp"

#include <algorithm>
#include <variant>

namespace ewstrigd::source {
namespace {

bool is_item_event(const ews::event& e) {
    switch (e.type) {
    case ews::event_type::new_mail:
    case ews::event_type::created:
    case ews::event_type::modified:
    case ews::event_type::moved:
    case ews::event_type::copied:
    case ews::event_type::deleted: return e.item_id.has_value();
    case ews::event_type::status:
    case ews::event_type::free_busy_changed: return false;
    }
    return false;
}

void add_folder(doorbell_news& n, const std::optional<ews::object_id>& id) {
    if (!id || id->id.empty()) return;
    if (std::find(n.folder_ids.begin(), n.folder_ids.end(), id->id) == n.folder_ids.end())
        n.folder_ids.push_back(id->id);
}

// The decision a GetStreamingEvents/GetEvents response that is no such
// response (a fault, another operation) stands for.
ews::decision not_events(const ews::response& r, const ews::parse_error& e) {
    const ews::exchange_outcome o{200, std::nullopt, &r};
    auto d = ews::classify(o);
    if (d.step == ews::next_step::proceed) d = {ews::next_step::transient, {}, "unexpected-response", e.message};
    return d;
}

void add_events(doorbell_news& n, const ews::notification& note) {
    if (note.more_events.value_or(false)) n.more_events = true;
    for (const auto& e : note.events) {
        if (!e.watermark.empty()) n.last_watermark = e.watermark;
        if (!is_item_event(e)) continue;
        if (!e.parent_folder_id && !e.old_parent_folder_id) n.unknown_folder = true;
        add_folder(n, e.parent_folder_id);
        add_folder(n, e.old_parent_folder_id);
    }
}

// What an Error message means; listing ErrorSubscriptionIds makes it
// terminal for those ids (ews-protocol.md §4) whatever its code says.
ews::decision error_decision(const ews::events_message& m) {
    auto d = ews::classify_code(m.status.code, m.status.back_off_ms(), m.status.value("InnerErrorResponseCode"));
    if (d.step == ews::next_step::proceed) d = {ews::next_step::transient, {}, "", "an error frame without a ResponseCode"};
    if (!m.error_subscription_ids.empty() && d.step != ews::next_step::resubscribe) {
        d.reason = d.code + " for the subscription: it is gone, subscribe again";
        d.step = ews::next_step::resubscribe;
        d.delay = {};
    }
    return d;
}

}  // namespace

doorbell_news read_doorbell(const ews::response& r) {
    doorbell_news n;
    auto parsed = ews::parse_events(r);
    if (const auto* e = std::get_if<ews::parse_error>(&parsed)) {
        n.failure = not_events(r, *e);
        return n;
    }
    for (const auto& m : std::get<std::vector<ews::events_message>>(parsed)) {
        for (const auto& note : m.notifications) add_events(n, note);
        if (m.connection == ews::connection_status::closed) n.closed = true;
        if (m.status.klass == ews::response_class::error && !n.failure) n.failure = error_decision(m);
    }
    return n;
}

grouped_news read_grouped_doorbell(const ews::response& r) {
    grouped_news g;
    auto parsed = ews::parse_events(r);
    if (const auto* e = std::get_if<ews::parse_error>(&parsed)) {
        g.failure = not_events(r, *e);
        return g;
    }
    for (const auto& m : std::get<std::vector<ews::events_message>>(parsed)) {
        for (const auto& note : m.notifications) {
            auto it = std::find_if(g.by_subscription.begin(), g.by_subscription.end(),
                                   [&](const auto& p) { return p.first == note.subscription_id; });
            if (it == g.by_subscription.end()) it = g.by_subscription.insert(it, {note.subscription_id, {}});
            add_events(it->second, note);
        }
        if (m.connection == ews::connection_status::closed) g.closed = true;
        if (m.status.klass != ews::response_class::error) continue;
        if (m.error_subscription_ids.empty()) {
            if (!g.failure) g.failure = error_decision(m);
            continue;
        }
        if (!g.id_failure) g.id_failure = error_decision(m);
        for (const auto& id : m.error_subscription_ids) {
            if (std::find(g.failed_ids.begin(), g.failed_ids.end(), id) == g.failed_ids.end())
                g.failed_ids.push_back(id);
        }
    }
    return g;
}

}  // namespace ewstrigd::source
