#pragma once
// EWS items (types.xsd `ItemType`/`MessageType` and their kin: Message,
// MeetingRequest, CalendarItem, Item, ...) as the server sent them, from
// GetItem, FindItem, MoveItem/UpdateItem responses and SyncFolderItems
// changes. Values are kept as sent (dateTimes as text, importance as the
// enum's name); turning them into a match::message is mail/'s job.
// Every property may be absent: absent text is empty, absent flags nullopt.
//
// Pure; never throws on any input.

#include "ews/response.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ewstrigd::ews {

// ItemId / FolderId / ParentFolderId ... : Id and ChangeKey attributes.
struct object_id {
    std::string id;
    std::string change_key;
};
// The Id/ChangeKey of `e`, nullopt when `e` is null.
std::optional<object_id> object_id_of(element e);

struct mailbox {
    std::string name;
    std::string email_address;
};

struct attachment_info {
    std::string kind;  // FileAttachment | ItemAttachment | ReferenceAttachment
    std::string id;    // t:AttachmentId/@Id (what GetAttachment asks for); empty when absent
    std::string name;
    std::optional<std::uint64_t> size;
    std::string content_type;
    std::optional<bool> is_inline;
};

struct item_body {
    std::string body_type;  // "HTML" | "Text" (BodyType attribute; "Text" when absent)
    std::string text;       // entities decoded
};

struct item {
    std::string kind;  // element local name: Message, MeetingRequest, ...
    std::optional<object_id> id;  // t:ItemId (the docs' misspelt t:ItemID too)
    std::string subject;
    std::optional<mailbox> from;
    std::optional<mailbox> sender;
    std::vector<mailbox> to;
    std::vector<mailbox> cc;
    std::string date_time_received;  // xs:dateTime as sent, e.g. "2006-10-28T01:37:06Z"
    std::string importance;          // Low | Normal | High, empty when absent
    std::optional<bool> is_read;
    std::optional<bool> has_attachments;
    std::vector<attachment_info> attachments;
    std::vector<std::string> categories;
    std::vector<std::pair<std::string, std::string>> internet_headers;  // name, value in order
    std::string internet_message_id;
    std::optional<item_body> body;
    std::optional<std::string> mime_content;  // base64 as sent; present iff t:MimeContent is
};

// One item element in the types namespace.
item item_of(element e);

// One attachment element in the types namespace (t:FileAttachment, ...):
// its kind and the properties above; the contents are GetAttachment's (ews/get_attachment.hpp).
attachment_info attachment_of(element e);

// The items of one response message (its m:Items, or m:RootFolder/t:Items for FindItem).
struct items_message {
    ews_status status;
    std::vector<item> items;
};

// Every response message of a GetItem/FindItem/MoveItem/UpdateItem/CopyItem/
// CreateItem response with its items. Error: the response has none of
// these shapes (e.g. a Subscribe response), or is a SOAP fault.
parse_result<std::vector<items_message>> parse_items(const response& r);

}  // namespace ewstrigd::ews
