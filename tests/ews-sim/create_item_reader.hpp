#pragma once
// Reads one child of CreateItem's m:Items: a t:Message to send or save, or a
// t:ReplyToItem / t:ReplyAllToItem / t:ForwardItem (response_objects.hpp).
// Unknown child elements are ignored (Exchange would reject some by schema);
// what the simulator cannot honour is refused, never silently dropped. Pure.
#include "ews/xml.hpp"
#include "response_objects.hpp"
#include "soap_writer.hpp"
#include "store.hpp"

#include <optional>
#include <string>
#include <variant>

namespace ewstrigd::sim {

struct new_message {
    message msg;  // From not yet filled in
    std::optional<mail_address> from;  // t:From: send-as
};

struct new_response {
    std::string reference_item_id;
    response_request request;
    std::optional<mail_address> from;
};

// Why an item cannot be created. `schema_fault`: the whole request is
// answered with the SOAP fault ErrorSchemaValidation, as Exchange answers
// what types.xsd forbids (bad base64, ExtendedProperty in a response object).
struct item_error {
    message_status status;
    bool schema_fault = false;
};

using create_entry = std::variant<new_message, new_response, item_error>;

create_entry read_create_entry(ews::element item);

// The t:FileAttachment children of `list` (t:Attachments or m:Attachments)
// appended to `out`; an error for other attachment kinds or bad base64.
std::optional<item_error> read_file_attachments(ews::element list, std::vector<attachment>& out);

}  // namespace ewstrigd::sim
