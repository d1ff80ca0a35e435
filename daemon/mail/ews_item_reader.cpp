// parse_ews_get_item: a saved GetItem SOAP response -> match::message.
// Element names follow types.xsd (MessageType / ItemType) in
// /work/shared/reference/ews; all item properties live in the types namespace.

#include "ews/xml.hpp"
#include "mail/html_text.hpp"
#include "mail/message_file.hpp"

#include <glib.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace ewstrigd::mail {
namespace {

using ews::element;
namespace ns = ews::ns;

std::string t_text(element parent, std::string_view local) { return parent.child(ns::types, local).text(); }

std::optional<bool> xs_boolean(element e) {
    if (!e) return std::nullopt;
    const std::string v = e.text();
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    return std::nullopt;
}

std::optional<std::uint64_t> xs_unsigned(element e) {
    const std::string v = e.text();
    std::uint64_t out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
    return out;
}

// xs:dateTime as EWS sends it: "2006-10-28T01:37:06Z", optionally with
// fractional seconds or a "+02:00" offset. A value without a zone is rejected
// rather than guessed.
std::optional<std::chrono::sys_seconds> xs_date_time(element e) {
    if (!e) return std::nullopt;
    const std::string v = e.text();
    GDateTime* dt = g_date_time_new_from_iso8601(v.c_str(), nullptr);
    if (dt == nullptr) return std::nullopt;
    const auto secs = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return std::chrono::sys_seconds{std::chrono::seconds{secs}};
}

match::mail_address mailbox_of(element parent) {
    const element mb = parent.child(ns::types, "Mailbox");
    return {t_text(mb, "Name"), t_text(mb, "EmailAddress")};
}

std::vector<match::mail_address> recipients(element item, std::string_view local) {
    std::vector<match::mail_address> out;
    for (const element mb : item.child(ns::types, local).children(ns::types, "Mailbox"))
        out.push_back({t_text(mb, "Name"), t_text(mb, "EmailAddress")});
    return out;
}

std::optional<match::importance> importance_of(element e) {
    if (!e) return std::nullopt;
    const std::string v = e.text();
    if (v == "High") return match::importance::high;
    if (v == "Low") return match::importance::low;
    return match::importance::normal;
}

// FileAttachment, ItemAttachment and ReferenceAttachment all carry Name,
// Size, ContentType and IsInline (AttachmentType in types.xsd).
std::vector<match::attachment> attachments_of(element item) {
    std::vector<match::attachment> out;
    for (element a = item.child(ns::types, "Attachments").first_child(); a; a = a.next_sibling()) {
        if (a.namespace_uri() != ns::types) continue;
        match::attachment att;
        att.name = t_text(a, "Name");
        att.size = xs_unsigned(a.child(ns::types, "Size")).value_or(0);
        att.content_type = t_text(a, "ContentType");
        att.is_inline = xs_boolean(a.child(ns::types, "IsInline")).value_or(false);
        out.push_back(std::move(att));
    }
    return out;
}

// The MIME text of the item, when the response carries it; nullopt when it
// is absent or does not parse (the XML properties still stand on their own).
// The CharacterSet attribute is not applied: it names the charset the server
// used to write the MIME text, whose parts declare their own charsets, and
// GMime already falls back to UTF-8 then ISO-8859-1 for undeclared 8-bit text.
std::optional<match::message> mime_of(element item) {
    const element mime = item.child(ns::types, "MimeContent");
    if (!mime) return std::nullopt;
    const std::string b64 = mime.text();
    gsize size = 0;
    // g_base64_decode skips characters outside the alphabet, e.g. line breaks.
    std::unique_ptr<guchar, decltype(&g_free)> raw{g_base64_decode(b64.c_str(), &size), &g_free};
    if (raw == nullptr || size == 0) return std::nullopt;
    auto parsed = parse_eml(std::string_view{reinterpret_cast<const char*>(raw.get()), size});
    if (auto* m = std::get_if<match::message>(&parsed)) return std::move(*m);
    return std::nullopt;
}

template <class T>
void fill_if_empty(T& field, T&& from_mime) {
    if (field.empty()) field = std::move(from_mime);
}

match::message message_of(element item) {
    match::message m;
    m.item_id = std::string{item.child(ns::types, "ItemId").attribute("Id").value_or("")};
    m.subject = t_text(item, "Subject");
    m.from = mailbox_of(item.child(ns::types, "From"));
    if (m.from.email.empty() && m.from.name.empty()) m.from = mailbox_of(item.child(ns::types, "Sender"));
    m.to = recipients(item, "ToRecipients");
    m.cc = recipients(item, "CcRecipients");
    if (const element body = item.child(ns::types, "Body")) {
        m.body = body.attribute("BodyType").value_or("Text") == "HTML" ? html_to_text(body.text()) : body.text();
    }
    m.attachments = attachments_of(item);
    const auto has_attachments = xs_boolean(item.child(ns::types, "HasAttachments"));
    const auto importance = importance_of(item.child(ns::types, "Importance"));
    for (const element s : item.child(ns::types, "Categories").children(ns::types, "String"))
        m.categories.push_back(s.text());
    m.is_read = xs_boolean(item.child(ns::types, "IsRead")).value_or(false);
    m.received = xs_date_time(item.child(ns::types, "DateTimeReceived"));
    for (const element h :
         item.child(ns::types, "InternetMessageHeaders").children(ns::types, "InternetMessageHeader"))
        m.headers.emplace_back(h.attribute("HeaderName").value_or(""), h.text());

    if (auto mime = mime_of(item)) {
        fill_if_empty(m.subject, std::move(mime->subject));
        if (m.from.email.empty() && m.from.name.empty()) m.from = std::move(mime->from);
        fill_if_empty(m.to, std::move(mime->to));
        fill_if_empty(m.cc, std::move(mime->cc));
        fill_if_empty(m.body, std::move(mime->body));
        fill_if_empty(m.attachments, std::move(mime->attachments));
        fill_if_empty(m.categories, std::move(mime->categories));
        fill_if_empty(m.headers, std::move(mime->headers));
        if (!m.received) m.received = mime->received;
        m.importance_level = importance.value_or(mime->importance_level);
        m.has_attachments = has_attachments.value_or(mime->has_attachments);
    } else {
        m.importance_level = importance.value_or(match::importance::normal);
        m.has_attachments = has_attachments.value_or(std::any_of(
            m.attachments.begin(), m.attachments.end(), [](const match::attachment& a) { return !a.is_inline; }));
    }
    return m;
}

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return std::string{s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1)};
}

read_error soap_fault(element fault) {
    // faultcode/faultstring are unqualified; Exchange puts its ResponseCode,
    // padded with whitespace, in detail/e:ResponseCode.
    std::string code = trimmed(fault.child({}, "detail").child(ns::errors, "ResponseCode").text());
    if (code.empty()) code = trimmed(fault.child({}, "faultcode").text());
    return read_error{"SOAP fault " + code + ": " + trimmed(fault.child({}, "faultstring").text())};
}

}  // namespace

read_result parse_ews_get_item(std::string_view xml) {
    auto parsed = ews::document::parse(xml);
    if (const auto* err = std::get_if<ews::xml_error>(&parsed))
        return read_error{"malformed XML at byte " + std::to_string(err->offset) + ": " + err->message};
    const auto& doc = std::get<ews::document>(parsed);

    const element envelope = doc.root();
    if (!envelope.is(ns::soap, "Envelope"))
        return read_error{"not a SOAP response: root element is <" + std::string{envelope.local_name()} + ">"};
    const element body = envelope.child(ns::soap, "Body");
    if (!body) return read_error{"SOAP envelope has no Body"};
    if (const element fault = body.child(ns::soap, "Fault")) return soap_fault(fault);

    const element response = body.child(ns::messages, "GetItemResponse");
    if (!response) return read_error{"not a GetItem response: no m:GetItemResponse in the SOAP body"};
    const element rm = response.child(ns::messages, "ResponseMessages").child(ns::messages, "GetItemResponseMessage");
    if (!rm) return read_error{"GetItem response has no GetItemResponseMessage"};
    if (rm.attribute("ResponseClass").value_or("") == "Error") {
        return read_error{"GetItem failed: " + trimmed(rm.child(ns::messages, "ResponseCode").text()) + ": " +
                          trimmed(rm.child(ns::messages, "MessageText").text())};
    }
    // Any item kind (Message, MeetingRequest, Item, ...) is a child of m:Items.
    for (element item = rm.child(ns::messages, "Items").first_child(); item; item = item.next_sibling()) {
        if (item.namespace_uri() == ns::types) return message_of(item);
    }
    return read_error{"GetItem response contains no item"};
}

}  // namespace ewstrigd::mail
