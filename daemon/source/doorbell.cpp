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

}  // namespace

doorbell_news read_doorbell(const ews::response& r) {
    doorbell_news n;
    auto parsed = ews::parse_events(r);
    if (std::holds_alternative<ews::parse_error>(parsed)) {
        // A fault or another operation's answer: ews::classify says what it means.
        const ews::exchange_outcome o{200, std::nullopt, &r};
        auto d = ews::classify(o);
        if (d.step == ews::next_step::proceed)
            d = {ews::next_step::transient, {}, "unexpected-response", std::get<ews::parse_error>(parsed).message};
        n.failure = std::move(d);
        return n;
    }
    for (const auto& m : std::get<std::vector<ews::events_message>>(parsed)) {
        for (const auto& note : m.notifications) {
            if (note.more_events.value_or(false)) n.more_events = true;
            for (const auto& e : note.events) {
                if (!e.watermark.empty()) n.last_watermark = e.watermark;
                if (!is_item_event(e)) continue;
                if (!e.parent_folder_id && !e.old_parent_folder_id) n.unknown_folder = true;
                add_folder(n, e.parent_folder_id);
                add_folder(n, e.old_parent_folder_id);
            }
        }
        if (m.connection == ews::connection_status::closed) n.closed = true;
        if (m.status.klass == ews::response_class::error && !n.failure) {
            auto d = ews::classify_code(m.status.code, m.status.back_off_ms(), m.status.value("InnerErrorResponseCode"));
            if (d.step == ews::next_step::proceed) d = {ews::next_step::transient, {}, "", "an error frame without a ResponseCode"};
            if (!m.error_subscription_ids.empty() && d.step != ews::next_step::resubscribe) {
                d.reason = d.code + " for the subscription: it is gone, subscribe again";
                d.step = ews::next_step::resubscribe;
                d.delay = {};
            }
            n.failure = std::move(d);
        }
    }
    return n;
}

}  // namespace ewstrigd::source
