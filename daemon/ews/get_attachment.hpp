#pragma once
// GetAttachment (pure): the request for attachments by their AttachmentId,
// and the attachments its answer carries (messages.xsd GetAttachmentType,
// AttachmentInfoResponseMessageType; types.xsd FileAttachmentType). Used by
// the send action's `attachments:` (docs/actions.md "Mail out").
//
// No AttachmentShape is sent: file attachments come with t:Content either
// way. t:Content is kept as the server sent it (base64, like
// item::mime_content); the source checks it and passes it on undecoded
// (util/base64.hpp compact_base64). Item attachments
// (t:ItemAttachment) are listed without contents: they have no file bytes.
//
// Pure; the parser never throws on any input.

#include "ews/items.hpp"
#include "ews/requests.hpp"
#include "ews/response.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::ews {

struct get_attachment {
    std::vector<std::string> attachment_ids;  // t:AttachmentId/@Id values; at least one
};

std::string soap_request(const request_context& ctx, const get_attachment& r);

struct attachment_content {
    attachment_info info;
    std::optional<std::string> content_base64;  // t:Content as sent; present iff the element is
};

// One response message per requested id, in request order.
struct attachments_message {
    ews_status status;
    std::vector<attachment_content> attachments;  // its m:Attachments
};

// Error: a SOAP fault, or not a GetAttachment response.
parse_result<std::vector<attachments_message>> parse_attachments(const response& r);

}  // namespace ewstrigd::ews
