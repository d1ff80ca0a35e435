#pragma once
// SyncFolderItems responses (messages.xsd `SyncFolderItemsResponseMessageType`,
// types.xsd `SyncFolderItemsChangesType`): the new SyncState, whether the
// last item in range was returned, and the changes in document order.
// On ErrorInvalidSyncStateData the server still sends an empty SyncState
// (ews-protocol.md §2.5): callers must not persist an empty sync_state.
//
// Pure; never throws on any input.

#include "ews/items.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::ews {

enum class change_kind { create, update, remove, read_flag_change };
// "Create", "Update", "Delete", "ReadFlagChange": the element names.
std::string_view to_string(change_kind k);

struct sync_change {
    change_kind kind = change_kind::create;
    std::optional<object_id> item_id;  // the ItemId of the item (create/update) or of the change (delete/read flag)
    std::optional<item> changed_item;  // create/update: the item with the properties asked for
    std::optional<bool> is_read;       // read_flag_change: the new flag
};

struct sync_message {
    ews_status status;
    std::string sync_state;                          // empty when absent or on error
    std::optional<bool> includes_last_item_in_range;
    std::vector<sync_change> changes;
};

// One entry per SyncFolderItemsResponseMessage. Error: a SOAP fault, or not
// a SyncFolderItems response.
parse_result<std::vector<sync_message>> parse_sync_folder_items(const response& r);

}  // namespace ewstrigd::ews
