#pragma once
// GetStreamingEvents and GetEvents responses (messages.xsd
// `GetStreamingEventsResponseMessageType`, `GetEventsResponseMessageType`;
// types.xsd `NotificationType`, `BaseObjectChangedEventType`,
// `MovedCopiedEventType`, `ModifiedEventType`). See ews-protocol.md §2.3, §2.4.
//
// Streaming messages carry m:Notifications/m:Notification*, pull messages one
// m:Notification. Events keep their document order; values are kept as sent
// (timestamps as xs:dateTime text). A streaming body holding several
// envelopes must be split first (envelope_splitter.hpp); this parses one.
//
// Pure; never throws on any input.

#include "ews/items.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::ews {

enum class event_type { new_mail, created, modified, moved, copied, deleted, status, free_busy_changed };
// The element name: "NewMailEvent", "CreatedEvent", ...
std::string_view to_string(event_type t);

struct event {
    event_type type = event_type::status;
    std::string watermark;   // empty when absent (streaming events usually have none)
    std::string timestamp;   // xs:dateTime as sent; empty for StatusEvent
    std::optional<object_id> item_id;     // ItemId, for item events
    std::optional<object_id> folder_id;   // FolderId, for folder events
    std::optional<object_id> parent_folder_id;
    std::optional<object_id> old_item_id;          // moved/copied
    std::optional<object_id> old_folder_id;        // moved/copied
    std::optional<object_id> old_parent_folder_id; // moved/copied
    std::optional<std::uint64_t> unread_count;     // modified (folder)
};

struct notification {
    std::string subscription_id;
    std::string previous_watermark;  // empty when absent
    std::optional<bool> more_events;
    std::vector<event> events;
};

enum class connection_status { none, ok, closed };
std::string_view to_string(connection_status s);  // "", "OK", "Closed"

struct events_message {
    ews_status status;
    std::vector<notification> notifications;
    connection_status connection = connection_status::none;
    std::vector<std::string> error_subscription_ids;  // m:ErrorSubscriptionIds/m:SubscriptionId
};

// One entry per GetStreamingEvents/GetEvents response message. Error: a SOAP
// fault, or neither operation.
parse_result<std::vector<events_message>> parse_events(const response& r);

}  // namespace ewstrigd::ews
