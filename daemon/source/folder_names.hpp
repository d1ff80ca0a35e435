#pragma once
// Folder names of the config (mail_source.hpp): a distinguished folder id
// ("inbox") or a path from the mailbox root whose first element may be a
// distinguished id ("Inbox/Processed", "Projects/2026"). Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::source {

// ASCII lower case: cache keys, since names compare case-insensitively.
std::string folder_key(std::string_view name);

// The distinguished folder id (lower case, as EWS spells it) that `name`
// names case-insensitively, e.g. "Inbox" -> "inbox"; nullopt for others.
std::optional<std::string> distinguished_id(std::string_view name);

struct folder_path {
    // The first element as a distinguished id; when the first element is not
    // one, "msgfolderroot" and the whole path is in `below`.
    std::string root;
    std::vector<std::string> below;  // display names under `root`, in order
};

// Splits on '/', ignoring empty elements ("/Inbox//Processed/" is
// Inbox/Processed). nullopt for a name without any element.
std::optional<folder_path> parse_folder_path(std::string_view name);

// Case-insensitive (ASCII) equality, as Exchange compares folder names.
bool same_folder_name(std::string_view a, std::string_view b);

}  // namespace ewstrigd::source
