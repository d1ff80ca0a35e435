#pragma once
// RFC 5322 text of a stored message, for t:MimeContent: the raw text when it
// was delivered raw, otherwise built from the fields (multipart/mixed with
// base64 parts when it has attachments). Pure.
#include "store.hpp"

#include <string>

namespace ewstrigd::sim {

std::string mime_text(const stored_item& item);

}  // namespace ewstrigd::sim
