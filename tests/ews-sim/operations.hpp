#pragma once
// Executes one parsed EWS request against the store: the answer to send, or
// (GetStreamingEvents with valid ids) a request to open a stream, which the
// HTTP layer serves with stream_frames.hpp. Pure apart from mutating the store.
//
// Supported: GetFolder, FindFolder (Shallow, IndexedPageFolderView), CreateFolder, Subscribe (streaming, pull), GetEvents,
// GetStreamingEvents, Unsubscribe, SyncFolderItems, GetItem, FindItem,
// UpdateItem (message:IsRead), MoveItem, GetAttachment, CreateItem (mail:
// create_item_ops.cpp). Any other operation
// gets an ErrorInvalidRequest SOAP fault; a request naming no mailbox gets
// ErrorNonExistentMailbox.
#include "ews_request.hpp"
#include "store.hpp"

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace ewstrigd::sim {

struct soap_reply {
    unsigned status = 200;  // 500 for SOAP faults
    std::string body;
};

struct stream_request {
    std::string mailbox;
    std::vector<std::string> subscription_ids;
    std::chrono::minutes connection_timeout{30};
};

using ews_outcome = std::variant<soap_reply, stream_request>;

// `affinity`: the request's server affinity headers (backends.hpp).
ews_outcome execute(store& st, const ews_request& req, time_point now, const affinity_headers& affinity = {});

// The reply for a request that could not be parsed.
soap_reply fault_reply(std::string_view code, std::string_view message);

}  // namespace ewstrigd::sim
