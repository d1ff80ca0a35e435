#include "ews/create_item.hpp"

#include <algorithm>
#include <array>

namespace ewstrigd::ews {
namespace {

// Markup is our own literals; every value goes through xml_escape.
void element(std::string& out, std::string_view qname, std::string_view value) {
    out += '<';
    out += qname;
    out += '>';
    out += xml_escape(value);
    out += "</";
    out += qname;
    out += '>';
}

void mailbox(std::string& out, const mail_recipient& r) {
    out += "<t:Mailbox>";
    if (!r.name.empty()) element(out, "t:Name", r.name);
    element(out, "t:EmailAddress", r.email);
    out += "</t:Mailbox>";
}

void recipients(std::string& out, std::string_view qname, const std::vector<mail_recipient>& list) {
    if (list.empty()) return;
    out += '<';
    out += qname;
    out += '>';
    for (const auto& r : list) mailbox(out, r);
    out += "</";
    out += qname;
    out += '>';
}

std::string header_uri(std::string_view header) {
    return R"(<t:ExtendedFieldURI DistinguishedPropertySetId="InternetHeaders" PropertyName=")" + xml_escape(header) +
           R"(" PropertyType="String"/>)";
}

std::string folder(const folder_ref& f) {
    if (const auto* d = std::get_if<distinguished_folder>(&f)) {
        if (!d->mailbox) return R"(<t:DistinguishedFolderId Id=")" + xml_escape(d->id) + R"("/>)";
        return R"(<t:DistinguishedFolderId Id=")" + xml_escape(d->id) + R"("><t:Mailbox><t:EmailAddress>)" +
               xml_escape(*d->mailbox) + "</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>";
    }
    const auto& id = std::get<folder_id>(f);
    std::string out = R"(<t:FolderId Id=")" + xml_escape(id.id) + '"';
    if (id.change_key) out += R"( ChangeKey=")" + xml_escape(*id.change_key) + '"';
    return out + "/>";
}

// t:Message in types.xsd order: ItemType's Subject, Body, Attachments,
// InReplyTo, ExtendedProperty; then MessageType's recipients, From, References.
std::string message(const outgoing_message& m) {
    std::string out = "<t:Message>";
    element(out, "t:Subject", m.subject);
    out += m.html ? R"(<t:Body BodyType="HTML">)" : R"(<t:Body BodyType="Text">)";
    out += xml_escape(m.body);
    out += "</t:Body>";
    if (!m.attachments.empty()) {
        out += "<t:Attachments>";
        for (const auto& a : m.attachments) {
            out += "<t:FileAttachment>";
            element(out, "t:Name", a.name);
            if (!a.content_type.empty()) element(out, "t:ContentType", a.content_type);
            element(out, "t:Content", a.content_base64);
            out += "</t:FileAttachment>";
        }
        out += "</t:Attachments>";
    }
    if (!m.in_reply_to.empty()) element(out, "t:InReplyTo", m.in_reply_to);
    for (const auto& [name, value] : m.internet_headers) {
        out += "<t:ExtendedProperty>" + header_uri(name);
        element(out, "t:Value", value);
        out += "</t:ExtendedProperty>";
    }
    recipients(out, "t:ToRecipients", m.to);
    recipients(out, "t:CcRecipients", m.cc);
    recipients(out, "t:BccRecipients", m.bcc);
    if (m.from) {
        out += "<t:From>";
        mailbox(out, *m.from);
        out += "</t:From>";
    }
    if (!m.references.empty()) element(out, "t:References", m.references);
    return out + "</t:Message>";
}

bool refuses_the_mail(std::string_view code) {
    static constexpr std::array<std::string_view, 5> codes{"ErrorInvalidSmtpAddress", "ErrorSendAsDenied",
                                                           "ErrorMessageSizeExceeded", "ErrorInvalidSender",
                                                           "ErrorMimeContentInvalid"};
    return code.find("Recipient") != std::string_view::npos ||
           std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

decision classify_send_error(const ews_status& s) {
    auto d = classify_code(s.code, s.back_off_ms(), s.value("InnerErrorResponseCode"));
    if (refuses_the_mail(s.code)) d.step = next_step::permanent;
    if (d.step == next_step::proceed) d = {next_step::transient, {}, s.code, "an error without a ResponseCode"};
    if (d.code.empty()) d.code = s.code;
    if (!s.message_text.empty()) d.reason += (d.reason.empty() ? "" : ": ") + s.message_text;
    return d;
}

std::string soap_request(const request_context& ctx, const send_message& r) {
    std::string body = R"(<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId>)";
    body += folder(r.saved_to);
    body += "</m:SavedItemFolderId><m:Items>";
    body += message(r.message);
    body += "</m:Items></m:CreateItem>";
    return soap_envelope(ctx, body);
}

std::string soap_request(const request_context& ctx, const find_by_header& r) {
    std::string body = R"(<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>)";
    body += R"(<m:IndexedPageItemView MaxEntriesReturned="1" Offset="0" BasePoint="Beginning"/>)";
    body += "<m:Restriction><t:IsEqualTo>" + header_uri(r.header) + R"(<t:FieldURIOrConstant><t:Constant Value=")" +
            xml_escape(r.value) + R"("/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>)";
    body += "<m:ParentFolderIds>" + folder(r.folder) + "</m:ParentFolderIds></m:FindItem>";
    return soap_envelope(ctx, body);
}

}  // namespace ewstrigd::ews
