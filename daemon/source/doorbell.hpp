#pragma once
// What one GetStreamingEvents frame or GetEvents response means for the
// doorbell (ews-protocol.md §2.3, §2.4, §4). Pure: a parsed envelope in, a
// summary out; ews_source turns it into rings and outcomes.

#include "ews/error_policy.hpp"
#include "ews/response.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ewstrigd::source {

struct doorbell_news {
    // Folders (FolderId/@Id) with item events (new, created, modified, moved
    // in or out), deduplicated, in order of first mention.
    std::vector<std::string> folder_ids;
    bool unknown_folder = false;  // an item event without ParentFolderId: ring every folder
    bool closed = false;          // ConnectionStatus Closed: the server ends this connection
    // An Error message (or error frame): what to do. Any frame listing
    // ErrorSubscriptionIds is terminal for those ids (ews-protocol.md §4), so
    // it yields resubscribe whatever its code says.
    std::optional<ews::decision> failure;
    std::string last_watermark;   // pull: of the last event (StatusEvent included)
    bool more_events = false;     // pull: MoreEvents=true
};

// `r` must be a GetStreamingEvents or GetEvents response; anything else
// (a SOAP fault, another operation) yields a failure from ews::classify.
doorbell_news read_doorbell(const ews::response& r);

// One frame of a GetStreamingEvents connection carrying the subscriptions
// of several mailboxes (stream_hub.hpp): the news of each subscription
// apart, and which subscriptions failed. An Error message listing
// ErrorSubscriptionIds concerns those ids only; one without ids (or any
// other failure) concerns the whole connection.
struct grouped_news {
    std::vector<std::pair<std::string, doorbell_news>> by_subscription;  // in order of first mention
    std::vector<std::string> failed_ids;
    std::optional<ews::decision> id_failure;  // what failed_ids got (step resubscribe)
    std::optional<ews::decision> failure;     // of the whole connection
    bool closed = false;
};

grouped_news read_grouped_doorbell(const ews::response& r);

}  // namespace ewstrigd::source
