#include "ews/notifications.hpp"

namespace ewstrigd::ews {
namespace {

constexpr name_table<event_type, 8> event_names{{
    {"NewMailEvent", event_type::new_mail},
    {"CreatedEvent", event_type::created},
    {"ModifiedEvent", event_type::modified},
    {"MovedEvent", event_type::moved},
    {"CopiedEvent", event_type::copied},
    {"DeletedEvent", event_type::deleted},
    {"StatusEvent", event_type::status},
    {"FreeBusyChangedEvent", event_type::free_busy_changed},
}};

event event_of(element e, event_type type) {
    const auto id = [e](std::string_view local) { return object_id_of(e.child(ns::types, local)); };
    event ev;
    ev.type = type;
    ev.watermark = trimmed(e.child(ns::types, "Watermark").text());
    ev.timestamp = trimmed(e.child(ns::types, "TimeStamp").text());
    ev.item_id = id("ItemId");
    ev.folder_id = id("FolderId");
    ev.parent_folder_id = id("ParentFolderId");
    ev.old_item_id = id("OldItemId");
    ev.old_folder_id = id("OldFolderId");
    ev.old_parent_folder_id = id("OldParentFolderId");
    ev.unread_count = xs_unsigned(e.child(ns::types, "UnreadCount"));
    return ev;
}

notification notification_of(element n) {
    notification out;
    out.subscription_id = trimmed(n.child(ns::types, "SubscriptionId").text());
    out.previous_watermark = trimmed(n.child(ns::types, "PreviousWatermark").text());
    out.more_events = xs_boolean(n.child(ns::types, "MoreEvents"));
    for (element e = n.first_child(); e; e = e.next_sibling()) {
        if (const auto type = types_element_kind(event_names, e)) out.events.push_back(event_of(e, *type));
    }
    return out;
}

connection_status connection_of(element e) {
    const std::string v = trimmed(e.text());
    if (v == "OK") return connection_status::ok;
    if (v == "Closed") return connection_status::closed;
    return connection_status::none;
}

}  // namespace

std::string_view to_string(event_type t) { return name_in(event_names, t); }

std::string_view to_string(connection_status s) {
    switch (s) {
    case connection_status::ok: return "OK";
    case connection_status::closed: return "Closed";
    case connection_status::none: break;
    }
    return "";
}

parse_result<std::vector<events_message>> parse_events(const response& r) {
    if (auto err = expect_operation(r, {"GetStreamingEvents", "GetEvents"})) return *std::move(err);
    std::vector<events_message> out;
    for (const auto& rm : r.messages()) {
        events_message m{rm, {}, connection_of(rm.node.child(ns::messages, "ConnectionStatus")), {}};
        for (const element n : rm.node.child(ns::messages, "Notifications").children(ns::messages, "Notification"))
            m.notifications.push_back(notification_of(n));
        if (const element n = rm.node.child(ns::messages, "Notification")) m.notifications.push_back(notification_of(n));
        for (const element id :
             rm.node.child(ns::messages, "ErrorSubscriptionIds").children(ns::messages, "SubscriptionId"))
            m.error_subscription_ids.push_back(trimmed(id.text()));
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ewstrigd::ews
