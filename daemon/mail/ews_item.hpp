#pragma once
// EWS items as the live source fetches them -> match::message: the same
// conversion parse_ews_get_item (message_file.hpp) applies to saved files.

#include "ews/items.hpp"
#include "match/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::mail {

// The message an item describes; t:MimeContent, when present, fills the
// fields the XML lacks. item_id is the ItemId; folder is left empty.
match::message message_of(const ews::item& item);

// t:MimeContent (base64, line breaks allowed) -> the RFC 5322 bytes; nullopt
// when it decodes to nothing.
std::optional<std::string> decode_mime_content(std::string_view base64);

}  // namespace ewstrigd::mail
