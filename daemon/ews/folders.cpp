#include "ews/folders.hpp"

#include <array>
#include <charconv>

namespace ewstrigd::ews {
namespace {

constexpr std::array<std::string_view, 5> folder_kinds{"Folder", "CalendarFolder", "ContactsFolder", "SearchFolder",
                                                       "TasksFolder"};

bool is_folder(element e) {
    if (e.namespace_uri() != ns::types) return false;
    for (const auto k : folder_kinds) {
        if (e.local_name() == k) return true;
    }
    return false;
}

void append_folders(element parent, std::vector<folder_info>& out) {
    for (auto e = parent.first_child(); e; e = e.next_sibling()) {
        if (!is_folder(e)) continue;
        out.push_back({std::string{e.local_name()}, object_id_of(e.child(ns::types, "FolderId")),
                       object_id_of(e.child(ns::types, "ParentFolderId")),
                       trimmed(e.child(ns::types, "DisplayName").text()),
                       trimmed(e.child(ns::types, "FolderClass").text())});
    }
}

// xs:boolean / xs:int attribute values of m:RootFolder.
std::optional<bool> boolean_attribute(element e, std::string_view name) {
    const auto v = e.attribute(name);
    if (!v) return std::nullopt;
    const auto t = trimmed(*v);
    if (t == "true" || t == "1") return true;
    if (t == "false" || t == "0") return false;
    return std::nullopt;
}

std::optional<std::uint64_t> number_attribute(element e, std::string_view name) {
    const auto v = e.attribute(name);
    if (!v) return std::nullopt;
    const auto t = trimmed(*v);
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (t.empty() || ec != std::errc{} || end != t.data() + t.size()) return std::nullopt;
    return n;
}

}  // namespace

parse_result<std::vector<folders_message>> parse_folders(const response& r) {
    if (auto err = expect_operation(r, {"GetFolder", "FindFolder", "CreateFolder"})) return *std::move(err);
    std::vector<folders_message> out;
    for (const auto& rm : r.messages()) {
        folders_message m{rm, {}, std::nullopt, std::nullopt};
        append_folders(rm.node.child(ns::messages, "Folders"), m.folders);
        if (const auto root = rm.node.child(ns::messages, "RootFolder")) {
            append_folders(root.child(ns::types, "Folders"), m.folders);
            m.includes_last_item_in_range = boolean_attribute(root, "IncludesLastItemInRange");
            m.indexed_paging_offset = number_attribute(root, "IndexedPagingOffset");
        }
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ewstrigd::ews
