#pragma once
// m:Notification elements (types.xsd NotificationType) for GetEvents and
// GetStreamingEvents. Pure.
#include "store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::sim {

struct notification_options {
    bool watermarks = false;                 // pull events carry Watermark; streaming ones don't
    std::optional<std::string> previous_watermark;
    std::optional<bool> more_events;
};

std::string notification_xml(std::string_view subscription_id, const std::vector<event>& events,
                             const notification_options& opts);

}  // namespace ewstrigd::sim
