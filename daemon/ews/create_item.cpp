#include "ews/create_item.hpp"

#include "ews/xml_writer.hpp"

#include <algorithm>
#include <array>

namespace ewstrigd::ews {
namespace {

void mailbox(writer& w, const mail_recipient& r) {
    w.open("t:Mailbox");
    if (!r.name.empty()) w.text("t:Name", r.name);
    w.text("t:EmailAddress", r.email).close("t:Mailbox");
}

void recipients(writer& w, std::string_view qname, const std::vector<mail_recipient>& list) {
    if (list.empty()) return;
    w.open(qname);
    for (const auto& r : list) mailbox(w, r);
    w.close(qname);
}

// t:Message in types.xsd order: ItemType's Subject, Body, Attachments,
// InReplyTo, ExtendedProperty; then MessageType's recipients, From, References.
void write_message(writer& w, const outgoing_message& m) {
    w.open("t:Message").text("t:Subject", m.subject);
    w.tag("t:Body", {{"BodyType", m.html ? "HTML" : "Text"}}, false).content(m.body).close("t:Body");
    if (!m.attachments.empty()) {
        w.open("t:Attachments");
        for (const auto& a : m.attachments) {
            w.open("t:FileAttachment").text("t:Name", a.name);
            if (!a.content_type.empty()) w.text("t:ContentType", a.content_type);
            w.text("t:Content", a.content_base64).close("t:FileAttachment");
        }
        w.close("t:Attachments");
    }
    if (!m.in_reply_to.empty()) w.text("t:InReplyTo", m.in_reply_to);
    for (const auto& [name, value] : m.internet_headers) {
        w.open("t:ExtendedProperty");
        write_header_uri(w, name);
        w.text("t:Value", value).close("t:ExtendedProperty");
    }
    recipients(w, "t:ToRecipients", m.to);
    recipients(w, "t:CcRecipients", m.cc);
    recipients(w, "t:BccRecipients", m.bcc);
    if (m.from) {
        w.open("t:From");
        mailbox(w, *m.from);
        w.close("t:From");
    }
    if (!m.references.empty()) w.text("t:References", m.references);
    w.close("t:Message");
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
    auto d = classify_message(s);
    if (refuses_the_mail(s.code)) d.step = next_step::permanent;
    return d;
}

std::string soap_request(const request_context& ctx, const send_message& r) {
    writer w;
    w.tag("m:CreateItem", {{"MessageDisposition", "SendAndSaveCopy"}}, false).open("m:SavedItemFolderId");
    write_folder(w, r.saved_to);
    w.close("m:SavedItemFolderId").open("m:Items");
    write_message(w, r.message);
    w.close("m:Items").close("m:CreateItem");
    return soap_envelope(ctx, w.take());
}

std::string soap_request(const request_context& ctx, const find_by_header& r) {
    return soap_request(ctx, find_item{r.folder, {}, 1, 0, header_equals{r.header, r.value}});
}

}  // namespace ewstrigd::ews
