#pragma once
// Saved messages -> match::message, for `ewstrigd test --message FILE`.
// Input is untrusted: every failure is a value naming what is wrong, never a
// crash or an exception.

#include "match/message.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::mail {

struct read_error {
    std::string message;  // human readable, names the file/element at fault
};

using read_result = std::variant<match::message, read_error>;

// RFC 5322 message (.eml), MIME multipart included; parsed with GMime.
read_result parse_eml(std::string_view bytes);

// A saved EWS GetItem response (SOAP envelope with one Message item). When the
// item carries MimeContent, the MIME text fills fields the XML lacks
// (headers, body, attachments).
read_result parse_ews_get_item(std::string_view xml);

// Reads FILE and picks the parser by content: XML (a SOAP envelope) or .eml.
read_result read_message_file(const std::filesystem::path& file);

}  // namespace ewstrigd::mail
