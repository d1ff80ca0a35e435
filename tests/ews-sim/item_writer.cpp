#include "item_writer.hpp"

#include "base64.hpp"
#include "ews/requests.hpp"
#include "internet_headers.hpp"
#include "mime_writer.hpp"
#include "soap_writer.hpp"
#include "time_format.hpp"

#include <algorithm>
#include <array>

namespace ewstrigd::sim {
namespace {

// What BaseShape Default returns for a message; AllProperties adds the rest
// we model. MimeContent is only returned when asked for by name, as in
// Exchange.
constexpr std::array<std::string_view, 14> default_fields{
    "item:ParentFolderId", "item:ItemClass",      "item:Subject",        "item:Sensitivity",
    "item:Attachments",    "item:DateTimeReceived", "item:Size",         "item:Importance",
    "item:DisplayCc",      "item:DisplayTo",      "item:HasAttachments", "message:From",
    "message:IsRead",      "message:ToRecipients",
};

std::string mailbox_element(const mail_address& a) {
    std::string out = "<t:Mailbox>";
    if (!a.name.empty()) out += t_element("Name", a.name);
    out += t_element("EmailAddress", a.email);
    out += "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>";
    return out;
}

std::string recipients(std::string_view name, const std::vector<mail_address>& list) {
    std::string out = "<t:" + std::string(name) + ">";
    for (const auto& a : list) out += mailbox_element(a);
    out += "</t:" + std::string(name) + ">";
    return out;
}

std::string display_list(const std::vector<mail_address>& list) {
    std::string out;
    for (const auto& a : list) {
        if (!out.empty()) out += "; ";
        out += a.name.empty() ? a.email : a.name;
    }
    return out;
}

std::string boolean(bool b) { return b ? "true" : "false"; }

std::uint64_t item_size(const stored_item& item) {
    std::uint64_t n = item.msg.subject.size() + item.msg.body.size() + 512;
    for (const auto& a : item.msg.attachments) n += a.size;
    return n;
}

std::string attachments_xml(const stored_item& item) {
    std::string out = "<t:Attachments>";
    for (const auto& a : item.msg.attachments) {
        out += "<t:FileAttachment>";
        out += t_id_element("AttachmentId", a.id, "");
        out += t_element("Name", a.name);
        out += t_element("ContentType", a.content_type);
        out += t_element("Size", std::to_string(a.size));
        out += t_element("LastModifiedTime", xs_datetime(item.received));
        out += t_element("IsInline", boolean(a.is_inline));
        out += "<t:IsContactPhoto>false</t:IsContactPhoto></t:FileAttachment>";
    }
    out += "</t:Attachments>";
    return out;
}

}  // namespace

bool item_shape::wants(std::string_view field_uri) const {
    if (fields.contains(field_uri)) return true;
    if (field_uri == "item:MimeContent") return include_mime_content;
    if (base_shape == base::all_properties) return true;
    if (base_shape == base::default_shape) {
        return std::find(default_fields.begin(), default_fields.end(), field_uri) != default_fields.end();
    }
    return false;
}

std::string message_xml(const mailbox& mb, const stored_item& item, const item_shape& shape) {
    const auto& m = item.msg;
    const auto has_attachments = std::any_of(m.attachments.begin(), m.attachments.end(),
                                             [](const attachment& a) { return !a.is_inline; });
    const auto received = xs_datetime(item.received);
    std::string out = "<t:Message>";
    if (shape.wants("item:MimeContent")) {
        out += "<t:MimeContent CharacterSet=\"UTF-8\">" + base64_encode(mime_text(item)) + "</t:MimeContent>";
    }
    out += t_id_element("ItemId", item.id, item.change_key());
    if (shape.wants("item:ParentFolderId")) {
        const auto* f = mb.find_folder(item.folder_id);
        out += t_id_element("ParentFolderId", item.folder_id, f ? base64_encode("fck:1") : "");
    }
    if (shape.wants("item:ItemClass")) out += t_element("ItemClass", "IPM.Note");
    if (shape.wants("item:Subject")) out += t_element("Subject", m.subject);
    if (shape.wants("item:Sensitivity")) out += t_element("Sensitivity", "Normal");
    if (shape.wants("item:Body")) {
        out += std::string("<t:Body BodyType=\"") + (m.body_is_html ? "HTML" : "Text") + "\">" +
               ews::xml_escape(m.body) + "</t:Body>";
    }
    if (shape.wants("item:Attachments") && !m.attachments.empty()) out += attachments_xml(item);
    if (shape.wants("item:DateTimeReceived")) out += t_element("DateTimeReceived", received);
    if (shape.wants("item:Size")) out += t_element("Size", std::to_string(item_size(item)));
    if (shape.wants("item:Importance")) out += t_element("Importance", m.importance);
    const auto in_reply_to = header_value(m, "In-Reply-To");
    if (shape.wants("item:InReplyTo") && in_reply_to) out += t_element("InReplyTo", *in_reply_to);
    if (shape.wants("item:IsSubmitted")) out += t_element("IsSubmitted", "false");
    if (shape.wants("item:IsDraft")) out += t_element("IsDraft", boolean(m.is_draft));
    if (shape.wants("item:IsFromMe")) out += t_element("IsFromMe", "false");
    if (shape.wants("item:IsResend")) out += t_element("IsResend", "false");
    if (shape.wants("item:IsUnmodified")) out += t_element("IsUnmodified", "true");
    if (shape.wants("item:InternetMessageHeaders") && !m.headers.empty()) {
        out += "<t:InternetMessageHeaders>";
        for (const auto& [name, value] : m.headers) {
            out += "<t:InternetMessageHeader HeaderName=\"" + ews::xml_escape(name) + "\">" +
                   ews::xml_escape(value) + "</t:InternetMessageHeader>";
        }
        out += "</t:InternetMessageHeaders>";
    }
    if (shape.wants("item:DateTimeSent")) out += t_element("DateTimeSent", received);
    if (shape.wants("item:DateTimeCreated")) out += t_element("DateTimeCreated", received);
    if (shape.wants("item:DisplayCc")) out += t_element("DisplayCc", display_list(m.cc));
    if (shape.wants("item:DisplayTo")) out += t_element("DisplayTo", display_list(m.to));
    if (shape.wants("item:HasAttachments")) out += t_element("HasAttachments", boolean(has_attachments));
    for (const auto& name : shape.internet_headers) {
        if (const auto value = header_value(m, name)) out += internet_header_property_xml(name, *value);
    }
    if (shape.wants("item:LastModifiedTime")) out += t_element("LastModifiedTime", received);
    if (shape.wants("message:Sender")) out += "<t:Sender>" + mailbox_element(m.from) + "</t:Sender>";
    if (shape.wants("message:ToRecipients") && !m.to.empty()) out += recipients("ToRecipients", m.to);
    if (shape.wants("message:CcRecipients") && !m.cc.empty()) out += recipients("CcRecipients", m.cc);
    if (shape.wants("message:BccRecipients") && !m.bcc.empty()) out += recipients("BccRecipients", m.bcc);
    if (shape.wants("message:IsReadReceiptRequested")) out += t_element("IsReadReceiptRequested", "false");
    if (shape.wants("message:IsDeliveryReceiptRequested")) out += t_element("IsDeliveryReceiptRequested", "false");
    if (shape.wants("message:ConversationTopic")) out += t_element("ConversationTopic", m.subject);
    if (shape.wants("message:From")) out += "<t:From>" + mailbox_element(m.from) + "</t:From>";
    if (shape.wants("message:InternetMessageId")) out += t_element("InternetMessageId", m.internet_message_id);
    if (shape.wants("message:IsRead")) out += t_element("IsRead", boolean(item.is_read));
    const auto references = header_value(m, "References");
    if (shape.wants("message:References") && references) out += t_element("References", *references);
    out += "</t:Message>";
    return out;
}

}  // namespace ewstrigd::sim
