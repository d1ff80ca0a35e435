// SyncFolderItems with opaque sync states and MaxChangesReturned paging.
#include "ews/response.hpp"
#include "op_handlers.hpp"
#include "soap_writer.hpp"

#include <algorithm>

namespace ewstrigd::sim {
namespace {

// messages.xsd MaxSyncChangesReturnedType: 1..512.
constexpr std::uint64_t max_changes_limit = 512;

std::string change_xml(op_context& ctx, const sync_change& c, const item_shape& shape) {
    switch (c.kind) {
    case change_kind::create: return "<t:Create>" + message_xml(ctx.mb, *c.item, shape) + "</t:Create>";
    case change_kind::update: return "<t:Update>" + message_xml(ctx.mb, *c.item, shape) + "</t:Update>";
    case change_kind::remove: return "<t:Delete>" + t_id_element("ItemId", c.item_id, "") + "</t:Delete>";
    case change_kind::read_flag_change:
        return "<t:ReadFlagChange>" + t_id_element("ItemId", c.item_id, c.item->change_key()) +
               t_element("IsRead", c.item->is_read ? "true" : "false") + "</t:ReadFlagChange>";
    }
    return {};
}

}  // namespace

ews_outcome sync_folder_items(op_context& ctx) {
    const auto shape = read_item_shape(ctx.op.child(ews::ns::messages, "ItemShape"));
    const auto ids = child_elements(ctx.op.child(ews::ns::messages, "SyncFolderId"));
    const auto* f = ids.empty() ? nullptr : resolve_folder(ctx, ids.front());
    const auto state = ews::trimmed(ctx.op.child(ews::ns::messages, "SyncState").text());
    const auto max = ews::xs_unsigned(ctx.op.child(ews::ns::messages, "MaxChangesReturned"));
    if (!max || *max < 1 || *max > max_changes_limit) {
        return fault_reply("ErrorSchemaValidation",
                           "The request failed schema validation: MaxChangesReturned must be 1..512.");
    }
    const auto empty_state = "<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>";
    if (!f) {
        return ok_reply("SyncFolderItems",
                        response_message("SyncFolderItems",
                                         folder_not_found,
                                         empty_state));
    }
    auto page = ctx.st.sync_items(ctx.mb, f->id, state, static_cast<std::size_t>(*max));
    if (const auto* err = std::get_if<store_error>(&page)) {
        // Exchange still sends an empty SyncState on error (ews-protocol.md §2.5).
        return ok_reply("SyncFolderItems", response_message("SyncFolderItems", {err->code, err->text}, empty_state));
    }
    const auto& p = std::get<sync_page>(page);
    std::string changes;
    for (const auto& c : p.changes) changes += change_xml(ctx, c, shape);
    return ok_reply("SyncFolderItems",
                    response_message("SyncFolderItems", {},
                                     m_element("SyncState", p.sync_state) +
                                         m_element("IncludesLastItemInRange",
                                                   p.includes_last_item_in_range ? "true" : "false") +
                                         "<m:Changes>" + changes + "</m:Changes>"));
}

}  // namespace ewstrigd::sim
