#include "stream_frames.hpp"

#include "notification_writer.hpp"
#include "soap_writer.hpp"

namespace ewstrigd::sim {
namespace {

// Per notification batch limit (ews-protocol.md §3.3).
constexpr std::size_t max_events_per_frame = 50;

std::string status_frame(std::string_view status) {
    return streaming_frame(
        response_message("GetStreamingEvents", {}, "<m:ConnectionStatus>" + std::string(status) + "</m:ConnectionStatus>"));
}

}  // namespace

std::string keepalive_frame() { return status_frame("OK"); }
std::string closed_frame() { return status_frame("Closed"); }

stream_poll poll_stream(store& st, const std::vector<std::string>& subscription_ids, time_point now) {
    std::string notifications;
    std::string gone;
    for (const auto& id : subscription_ids) {
        auto* s = st.find_subscription(id, now);
        if (!s) {
            gone += m_element("SubscriptionId", id);
            continue;
        }
        const auto events = st.take_events(*s, max_events_per_frame);
        if (!events.empty()) notifications += notification_xml(id, events, {});
    }
    if (!gone.empty()) {
        return {streaming_frame(response_message(
                    "GetStreamingEvents",
                    {"ErrorSubscriptionNotFound", "The specified subscription was not found."},
                    "<m:ErrorSubscriptionIds>" + gone +
                        "</m:ErrorSubscriptionIds><m:ConnectionStatus>Closed</m:ConnectionStatus>")),
                true};
    }
    if (notifications.empty()) return {};
    return {streaming_frame(response_message(
                "GetStreamingEvents", {},
                "<m:Notifications>" + notifications + "</m:Notifications>")),
            false};
}

}  // namespace ewstrigd::sim
