// GetFolder: the folders exchangelib resolves before anything else
// (account.inbox -> GetFolder(root), GetFolder(inbox)); FindFolder (Shallow,
// paged) and CreateFolder, with which ewstrigd resolves and creates move targets.
#include "ews/response.hpp"
#include "op_handlers.hpp"
#include "soap_writer.hpp"

#include <algorithm>

namespace ewstrigd::sim {
namespace {

std::string folder_xml(const mailbox& mb, const folder& f) {
    std::uint64_t total = 0;
    for (const auto& [id, item] : mb.items) if (item.folder_id == f.id) ++total;
    std::uint64_t children = 0;
    for (const auto& c : mb.folders) if (c.parent_id == f.id) ++children;
    std::string out = "<t:Folder>" + t_id_element("FolderId", f.id, "AQAAAA==");
    if (!f.parent_id.empty()) out += t_id_element("ParentFolderId", f.parent_id, "AQAAAA==");
    if (!f.folder_class.empty()) out += t_element("FolderClass", f.folder_class);
    out += t_element("DisplayName", f.display_name);
    out += t_element("TotalCount", std::to_string(total));
    out += t_element("ChildFolderCount", std::to_string(children));
    out += t_element("UnreadCount", std::to_string(mb.unread_count(f.id)));
    out += "</t:Folder>";
    return out;
}

const folder* target_folder(op_context& ctx, ews::element parent) {
    const auto ids = child_elements(parent);
    return ids.empty() ? nullptr : resolve_folder(ctx, ids.front());
}

}  // namespace

ews_outcome get_folder(op_context& ctx) {
    std::string messages;
    for (auto id : child_elements(ctx.op.child(ews::ns::messages, "FolderIds"))) {
        const auto* f = resolve_folder(ctx, id);
        if (!f) {
            messages += response_message(
                "GetFolder", folder_not_found, "");
            continue;
        }
        // A distinguished id may name another mailbox; count in the one that owns the folder.
        const mailbox* owner = &ctx.mb;
        for (const auto& [address, mb] : ctx.st.mailboxes()) {
            if (mb.find_folder(f->id)) owner = &mb;
        }
        messages += response_message("GetFolder", {}, "<m:Folders>" + folder_xml(*owner, *f) + "</m:Folders>");
    }
    return ok_reply("GetFolder", messages);
}

ews_outcome find_folder(op_context& ctx) {
    const auto view = ctx.op.child(ews::ns::messages, "IndexedPageFolderView");
    const auto max = std::max<std::uint64_t>(number_attribute(view, "MaxEntriesReturned").value_or(1000), 1);
    const auto offset = number_attribute(view, "Offset").value_or(0);
    std::string messages;
    for (auto id : child_elements(ctx.op.child(ews::ns::messages, "ParentFolderIds"))) {
        const auto* parent = resolve_folder(ctx, id);
        if (!parent) {
            messages += response_message("FindFolder", folder_not_found, "");
            continue;
        }
        const auto parent_id = parent->id;  // `parent` may point into another mailbox's folders
        std::vector<const folder*> children;
        for (const auto& f : ctx.mb.folders) {
            if (f.parent_id == parent_id) children.push_back(&f);
        }
        std::string folders;
        const auto end = std::min<std::uint64_t>(children.size(), offset + max);
        for (auto i = offset; i < end; ++i) folders += folder_xml(ctx.mb, *children[static_cast<std::size_t>(i)]);
        messages += response_message(
            "FindFolder", {},
            "<m:RootFolder IndexedPagingOffset=\"" + std::to_string(std::max(end, offset)) + "\" TotalItemsInView=\"" +
                std::to_string(children.size()) + "\" IncludesLastItemInRange=\"" +
                (end >= children.size() ? "true" : "false") + "\"><t:Folders>" + folders + "</t:Folders></m:RootFolder>");
    }
    return ok_reply("FindFolder", messages);
}

ews_outcome create_folder(op_context& ctx) {
    const auto* parent = target_folder(ctx, ctx.op.child(ews::ns::messages, "ParentFolderId"));
    std::string messages;
    for (auto f : child_elements(ctx.op.child(ews::ns::messages, "Folders"))) {
        if (!parent) {
            messages += response_message("CreateFolder", {"ErrorParentFolderNotFound", "The parent folder could not be found."},
                                         "");
            continue;
        }
        const auto name = ews::trimmed(f.child(ews::ns::types, "DisplayName").text());
        auto made = ctx.st.create_folder(ctx.mb, parent->id, name);
        if (const auto* err = std::get_if<store_error>(&made)) {
            messages += response_message("CreateFolder", {err->code, err->text}, "");
            continue;
        }
        const auto* created = std::get<const folder*>(made);
        messages += response_message("CreateFolder", {},
                                     "<m:Folders><t:Folder>" + t_id_element("FolderId", created->id, "AQAAAA==") +
                                         "</t:Folder></m:Folders>");
        // push_back may have moved the folders: resolve the parent again for the next one.
        parent = ctx.mb.find_folder(std::get<const folder*>(made)->parent_id);
    }
    return ok_reply("CreateFolder", messages);
}

}  // namespace ewstrigd::sim
