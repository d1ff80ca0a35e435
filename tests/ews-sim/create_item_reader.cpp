#include "create_item_reader.hpp"

#include "base64.hpp"
#include "ews/response.hpp"
#include "internet_headers.hpp"
#include "request_reader.hpp"

#include <array>

namespace ewstrigd::sim {
namespace {

using ews::ns::types;

item_error schema_error(std::string text) {
    return {{"ErrorSchemaValidation", "The request failed schema validation: " + std::move(text)}, true};
}

std::string text_of(ews::element parent, std::string_view name) {
    return parent.child(types, name).text();
}

mail_address read_mailbox(ews::element mailbox) {
    return {text_of(mailbox, "Name"), std::string(ews::trimmed(text_of(mailbox, "EmailAddress")))};
}

std::vector<mail_address> read_recipients(ews::element list) {
    std::vector<mail_address> out;
    for (auto mb : list.children(types, "Mailbox")) out.push_back(read_mailbox(mb));
    return out;
}

std::optional<mail_address> read_from(ews::element item) {
    const auto from = item.child(types, "From");
    if (!from) return std::nullopt;
    return read_mailbox(from.child(types, "Mailbox"));
}

std::optional<body_content> read_body(ews::element body) {
    if (!body) return std::nullopt;
    return body_content{body.text(), body.attribute("BodyType").value_or("Text") == "HTML"};
}

std::optional<item_error> read_extended_property(ews::element prop, message& m) {
    const auto uri = prop.child(types, "ExtendedFieldURI");
    const auto name = internet_header_name(uri);
    if (!name) {
        return item_error{{"ErrorInvalidExtendedProperty",
                           "ews-sim stores only extended properties with DistinguishedPropertySetId=\"InternetHeaders\" "
                           "and PropertyType=\"String\"."}};
    }
    const auto value = text_of(prop, "Value");
    if (!valid_header_field(*name, value)) return item_error{{"ErrorInvalidExtendedPropertyValue", invalid_header_text}};
    m.headers.emplace_back(*name, value);
    return std::nullopt;
}

}  // namespace

std::optional<item_error> read_file_attachments(ews::element list, std::vector<attachment>& out) {
    for (auto a = list.first_child(); a; a = a.next_sibling()) {
        if (!a.is(types, "FileAttachment")) {
            return item_error{{"ErrorInvalidRequest", "ews-sim accepts only t:FileAttachment attachments."}};
        }
        attachment att;
        att.name = text_of(a, "Name");
        att.content_type = text_of(a, "ContentType");
        if (att.content_type.empty()) att.content_type = "application/octet-stream";
        att.is_inline = ews::xs_boolean(a.child(types, "IsInline")).value_or(false);
        const auto content = base64_decode(text_of(a, "Content"));
        if (!content) {
            return schema_error("The 'http://schemas.microsoft.com/exchange/services/2006/types:Content' element is "
                                "invalid - The value is invalid according to its datatype "
                                "'http://www.w3.org/2001/XMLSchema:base64Binary'.");
        }
        att.content = *content;
        att.size = att.content.size();
        out.push_back(std::move(att));
    }
    return std::nullopt;
}

namespace {

create_entry read_message(ews::element item) {
    new_message out;
    auto& m = out.msg;
    m.subject = text_of(item, "Subject");
    if (const auto body = read_body(item.child(types, "Body"))) {
        m.body = body->text;
        m.body_is_html = body->is_html;
    }
    m.to = read_recipients(item.child(types, "ToRecipients"));
    m.cc = read_recipients(item.child(types, "CcRecipients"));
    m.bcc = read_recipients(item.child(types, "BccRecipients"));
    if (const auto importance = text_of(item, "Importance"); !importance.empty()) m.importance = importance;
    if (const auto v = text_of(item, "InReplyTo"); !v.empty()) m.headers.emplace_back("In-Reply-To", v);
    if (const auto v = text_of(item, "References"); !v.empty()) m.headers.emplace_back("References", v);
    if (const auto reply_to = read_recipients(item.child(types, "ReplyTo")); !reply_to.empty()) {
        m.headers.emplace_back("Reply-To", reply_to.front().email);
    }
    for (auto prop : item.children(types, "ExtendedProperty")) {
        if (auto err = read_extended_property(prop, m)) return *err;
    }
    if (auto err = read_file_attachments(item.child(types, "Attachments"), m.attachments)) return *err;
    out.from = read_from(item);
    return out;
}

create_entry read_response(ews::element item, response_kind kind) {
    // SmartResponseBaseType allows neither; Exchange refuses them by schema.
    for (const auto forbidden : {"ExtendedProperty", "Attachments"}) {
        if (item.child(types, forbidden)) {
            return schema_error("The element '" + std::string(item.local_name()) +
                                "' in namespace 'http://schemas.microsoft.com/exchange/services/2006/types' has "
                                "invalid child element '" + forbidden + "'.");
        }
    }
    new_response out;
    out.reference_item_id = item.child(types, "ReferenceItemId").attribute("Id").value_or("");
    if (out.reference_item_id.empty()) {
        return item_error{{"ErrorMissingInformationReferenceItemId", "The ReferenceItemId is missing."}};
    }
    auto& r = out.request;
    r.kind = kind;
    if (const auto subject = item.child(types, "Subject")) r.subject = subject.text();
    r.body = read_body(item.child(types, "Body"));
    r.new_body_content = read_body(item.child(types, "NewBodyContent"));
    r.to = read_recipients(item.child(types, "ToRecipients"));
    r.cc = read_recipients(item.child(types, "CcRecipients"));
    r.bcc = read_recipients(item.child(types, "BccRecipients"));
    out.from = read_from(item);
    return out;
}

}  // namespace

create_entry read_create_entry(ews::element item) {
    if (item.is(types, "Message")) return read_message(item);
    constexpr std::array<std::pair<std::string_view, response_kind>, 3> responses{{
        {"ReplyToItem", response_kind::reply},
        {"ReplyAllToItem", response_kind::reply_all},
        {"ForwardItem", response_kind::forward},
    }};
    for (const auto& [name, kind] : responses) {
        if (item.is(types, name)) return read_response(item, kind);
    }
    return item_error{{"ErrorInvalidRequest", "ews-sim creates only t:Message, t:ReplyToItem, t:ReplyAllToItem and "
                                              "t:ForwardItem items, not t:" +
                                                  std::string(item.local_name()) + "."}};
}

}  // namespace ewstrigd::sim
