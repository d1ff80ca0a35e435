#include "notification_writer.hpp"

#include "soap_writer.hpp"
#include "time_format.hpp"

namespace ewstrigd::sim {
namespace {

std::string event_xml(const event& e, bool watermark) {
    const auto name = std::string(to_string(e.kind));
    std::string out = "<t:" + name + ">";
    if (watermark) out += t_element("Watermark", e.watermark);
    if (e.kind != event_kind::status) {
        out += t_element("TimeStamp", xs_datetime(e.timestamp));
        if (!e.item_id.empty()) {
            out += t_id_element("ItemId", e.item_id, e.item_change_key);
        } else {
            out += t_id_element("FolderId", e.folder_id, "AQAAAA==");
        }
        out += t_id_element("ParentFolderId", e.parent_folder_id, "AQAAAA==");
        if (e.kind == event_kind::moved) {
            out += t_id_element("OldItemId", e.old_item_id, "");
            out += t_id_element("OldParentFolderId", e.old_parent_folder_id, "AQAAAA==");
        }
        if (e.unread_count) out += t_element("UnreadCount", std::to_string(*e.unread_count));
    }
    out += "</t:" + name + ">";
    return out;
}

}  // namespace

std::string notification_xml(std::string_view subscription_id, const std::vector<event>& events,
                             const notification_options& opts) {
    std::string out = "<m:Notification>" + t_element("SubscriptionId", subscription_id);
    if (opts.previous_watermark) out += t_element("PreviousWatermark", *opts.previous_watermark);
    if (opts.more_events) out += t_element("MoreEvents", *opts.more_events ? "true" : "false");
    for (const auto& e : events) out += event_xml(e, opts.watermarks);
    out += "</m:Notification>";
    return out;
}

}  // namespace ewstrigd::sim
