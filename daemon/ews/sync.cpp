#include "ews/sync.hpp"

namespace ewstrigd::ews {
namespace {

constexpr name_table<change_kind, 4> change_names{{
    {"Create", change_kind::create},
    {"Update", change_kind::update},
    {"Delete", change_kind::remove},
    {"ReadFlagChange", change_kind::read_flag_change},
}};

std::optional<sync_change> change_of(element c) {
    const auto kind = types_element_kind(change_names, c);
    if (!kind) return std::nullopt;
    sync_change out;
    out.kind = *kind;
    if (out.kind == change_kind::create || out.kind == change_kind::update) {
        // Create/Update wrap one item element of any kind.
        for (element e = c.first_child(); e; e = e.next_sibling()) {
            if (e.namespace_uri() != ns::types) continue;
            out.changed_item = item_of(e);
            out.item_id = out.changed_item->id;
            break;
        }
    } else {
        out.item_id = object_id_of(c.child(ns::types, "ItemId"));
        out.is_read = xs_boolean(c.child(ns::types, "IsRead"));
    }
    return out;
}

}  // namespace

std::string_view to_string(change_kind k) { return name_in(change_names, k); }

parse_result<std::vector<sync_message>> parse_sync_folder_items(const response& r) {
    if (auto err = expect_operation(r, {"SyncFolderItems"})) return *std::move(err);
    std::vector<sync_message> out;
    for (const auto& rm : r.messages()) {
        sync_message m{rm, trimmed(rm.node.child(ns::messages, "SyncState").text()),
                       xs_boolean(rm.node.child(ns::messages, "IncludesLastItemInRange")), {}};
        for (element c = rm.node.child(ns::messages, "Changes").first_child(); c; c = c.next_sibling()) {
            if (auto change = change_of(c)) m.changes.push_back(std::move(*change));
        }
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ewstrigd::ews
