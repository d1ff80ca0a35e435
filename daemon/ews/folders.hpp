#pragma once
// GetFolder, FindFolder and CreateFolder responses (messages.xsd
// `FolderInfoResponseMessageType`, `FindFolderResponseMessageType`; types.xsd
// `BaseFolderType`, `FindFolderParentType`): the folders each response
// message carries, with their ids and display names, and for FindFolder the
// paging attributes of m:RootFolder.
//
// Pure; never throws on any input.

#include "ews/items.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::ews {

struct folder_info {
    std::string kind;  // element local name: Folder, CalendarFolder, ContactsFolder, SearchFolder, TasksFolder
    std::optional<object_id> id;
    std::optional<object_id> parent_id;
    std::string display_name;  // empty when absent
    std::string folder_class;
};

struct folders_message {
    ews_status status;
    std::vector<folder_info> folders;                   // m:Folders, or m:RootFolder/t:Folders
    std::optional<bool> includes_last_item_in_range;    // FindFolder only
    std::optional<std::uint64_t> indexed_paging_offset; // FindFolder only: the Offset of the next page
};

// One entry per response message. Error: a SOAP fault, or not one of these operations.
parse_result<std::vector<folders_message>> parse_folders(const response& r);

}  // namespace ewstrigd::ews
