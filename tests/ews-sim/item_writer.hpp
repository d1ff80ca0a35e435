#pragma once
// t:Message elements for GetItem, FindItem, SyncFolderItems, UpdateItem and
// MoveItem, holding the properties the request's ItemShape asked for, in
// types.xsd order (ItemType fields, then MessageType fields). Pure.
#include "store.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::sim {

// m:ItemShape: BaseShape plus AdditionalProperties FieldURIs ("item:Subject").
struct item_shape {
    enum class base { id_only, default_shape, all_properties };
    base base_shape = base::id_only;
    std::set<std::string, std::less<>> fields;
    bool include_mime_content = false;  // m:ItemShape/t:IncludeMimeContent
    // AdditionalProperties t:ExtendedFieldURI of InternetHeaders String properties (internet_headers.hpp).
    std::vector<std::string> internet_headers;

    bool wants(std::string_view field_uri) const;
};

// <t:Message>...</t:Message> for `item` of mailbox `mb` under `shape`.
std::string message_xml(const mailbox& mb, const stored_item& item, const item_shape& shape);

}  // namespace ewstrigd::sim
