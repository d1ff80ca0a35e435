#pragma once
// Admin deliveries -> store messages: the JSON body of issue 3
// (from, to, cc, subject, body, importance, headers, attachments with
// content_base64) or a raw RFC 5322 message (Content-Type message/rfc822,
// parsed with GMime via mail/message_file.hpp; the raw text is kept and
// served as MimeContent). Pure.
#include "store.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::sim {

std::variant<message, std::string> message_from_json(std::string_view json);
std::variant<message, std::string> message_from_rfc822(std::string_view bytes);

}  // namespace ewstrigd::sim
