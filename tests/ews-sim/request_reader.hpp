#pragma once
// Helpers the operation handlers share to read request elements. Pure.
#include "ews/xml.hpp"
#include "item_writer.hpp"
#include "store.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace ewstrigd::sim {

// Everything an operation handler needs.
struct op_context {
    store& st;
    mailbox& mb;
    ews::element op;  // the m:<Operation> element
    time_point now;
    const affinity_headers* affinity = nullptr;  // of the request (backends.hpp)
};

// The folder a t:FolderId / t:DistinguishedFolderId names, or nullptr. A
// DistinguishedFolderId with t:Mailbox is looked up in that mailbox.
const folder* resolve_folder(op_context& ctx, ews::element folder_id);

// The m:ItemShape (or m:FolderShape) child of the operation.
item_shape read_item_shape(ews::element shape);

// Attribute value or child text of `e` as a number.
std::optional<std::uint64_t> number_attribute(ews::element e, std::string_view name);

// The t:/m: child element children of `parent` in document order.
std::vector<ews::element> child_elements(ews::element parent);

}  // namespace ewstrigd::sim
