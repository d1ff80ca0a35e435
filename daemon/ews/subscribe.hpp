#pragma once
// Subscribe responses (messages.xsd `SubscribeResponseMessageType`):
// SubscriptionId, and the Watermark that pull (and push) subscriptions carry.
// Streaming subscriptions have no Watermark (ews-protocol.md §2.2). Ids and
// watermarks are opaque: stored verbatim (trimmed of surrounding whitespace).
//
// Pure; never throws on any input.

#include "ews/response.hpp"

#include <string>
#include <vector>

namespace ewstrigd::ews {

struct subscription {
    ews_status status;
    std::string subscription_id;  // empty on error
    std::string watermark;        // empty for streaming subscriptions
};

// One entry per SubscribeResponseMessage. Error: a SOAP fault, or not a
// Subscribe response.
parse_result<std::vector<subscription>> parse_subscribe(const response& r);

}  // namespace ewstrigd::ews
