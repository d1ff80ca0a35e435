#include "source/folder_names.hpp"

#include <algorithm>
#include <array>

namespace ewstrigd::source {
namespace {

// The DistinguishedFolderIdNameType values of types.xsd that hold mail or
// other folders (calendar, contacts, ...). A user folder with one of these
// names at the root level is shadowed; Exchange's own clients resolve these
// names the same way.
constexpr std::array<std::string_view, 27> distinguished{
    "inbox",         "drafts",         "sentitems",       "deleteditems",   "outbox",
    "junkemail",     "msgfolderroot",  "root",            "archiveinbox",   "archivemsgfolderroot",
    "archiveroot",   "archivedeleteditems", "calendar",   "contacts",       "tasks",
    "notes",         "journal",        "conversationhistory", "searchfolders", "syncissues",
    "conflicts",     "localfailures",  "serverfailures",  "recoverableitemsroot", "recoverableitemsdeletions",
    "clutter",       "scheduled",
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string folder_key(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (const char c : name) out += lower(c);
    return out;
}

bool same_folder_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<std::string> distinguished_id(std::string_view name) {
    const auto key = folder_key(name);
    for (const auto d : distinguished) {
        if (d == key) return key;
    }
    return std::nullopt;
}

std::optional<folder_path> parse_folder_path(std::string_view name) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = std::min(name.find('/', start), name.size());
        if (end > start) parts.emplace_back(name.substr(start, end - start));
        start = end + 1;
    }
    if (parts.empty()) return std::nullopt;
    folder_path p;
    if (auto d = distinguished_id(parts.front())) {
        p.root = *d;
        p.below.assign(parts.begin() + 1, parts.end());
    } else {
        p.root = "msgfolderroot";
        p.below = std::move(parts);
    }
    return p;
}

}  // namespace ewstrigd::source
