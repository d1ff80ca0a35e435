#pragma once
// Mail out over EWS (pure): CreateItem sending one t:Message, and FindItem
// looking for a sent message by one of its internet headers.
//
// Replies and forwards are sent as plain t:Message items that carry the
// reply semantics themselves (subject prefix, InReplyTo, References, quoted
// body), not as t:ReplyToItem/t:ForwardItem: types.xsd's
// SmartResponseBaseType allows neither t:ExtendedProperty nor attachments,
// and every mail ewstrigd sends must carry the X-Ewstrigd-Event header so a
// retry can find it in Sent Items and other ewstrigd instances can ignore it.
// Internet headers are written as t:ExtendedProperty with
// DistinguishedPropertySetId="InternetHeaders", PropertyType="String" (how
// Exchange maps X- headers and the like to MAPI named properties).
//
// Element order follows types.xsd ItemType/MessageType; tests/ews_schema
// validates the output. Every value is XML-escaped (ews::xml_escape).

#include "ews/error_policy.hpp"
#include "ews/requests.hpp"
#include "ews/response.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ewstrigd::ews {

struct mail_recipient {
    std::string name;   // display name, may be empty
    std::string email;  // addr-spec
};

struct file_attachment {
    std::string name;
    std::string content_type;    // e.g. "application/pdf"; empty: left to the server
    std::string content_base64;  // the bytes, base64 (RFC 4648 §4, no line breaks)
};

struct outgoing_message {
    std::string subject;
    std::string body;
    bool html = false;  // body type HTML, else Text
    std::vector<mail_recipient> to;
    std::vector<mail_recipient> cc;
    std::vector<mail_recipient> bcc;
    std::optional<mail_recipient> from;  // send as; absent: the mailbox itself
    std::string in_reply_to;             // Message-ID of the message answered, with <>
    std::string references;              // References header value
    std::vector<std::pair<std::string, std::string>> internet_headers;  // name, value
    std::vector<file_attachment> attachments;
};

// CreateItem MessageDisposition="SendAndSaveCopy", the copy saved to `saved_to`.
struct send_message {
    outgoing_message message;
    folder_ref saved_to = distinguished_folder{"sentitems", std::nullopt};
};

// FindItem (IdOnly, at most one entry) in `folder` restricted to items whose
// internet header `header` IsEqualTo `value`: a find_item with that
// header_equals restriction.
struct find_by_header {
    folder_ref folder = distinguished_folder{"sentitems", std::nullopt};
    std::string header;
    std::string value;
};

std::string soap_request(const request_context& ctx, const send_message& r);
std::string soap_request(const request_context& ctx, const find_by_header& r);

// The decision for an Error response message of CreateItem or FindItem:
// ews::classify_message, except that codes about the mail itself (a recipient
// refused - any code naming Recipient -, ErrorInvalidSmtpAddress,
// ErrorSendAsDenied, ErrorMessageSizeExceeded, ...) are permanent: sending
// the same mail again changes nothing.
decision classify_send_error(const ews_status& s);

}  // namespace ewstrigd::ews
