// parse_ews_get_item: a saved GetItem SOAP response -> match::message.
// The XML is read by ews/items (the one item parser); this file only turns
// its as-sent values into match::message, with MimeContent filling the gaps.

#include "ews/items.hpp"
#include "mail/ews_item.hpp"
#include "mail/html_text.hpp"
#include "mail/message_file.hpp"

#include <glib.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace ewstrigd::mail {
namespace {

// xs:dateTime as EWS sends it: "2006-10-28T01:37:06Z", optionally with
// fractional seconds or a "+02:00" offset. A value without a zone is rejected
// rather than guessed.
std::optional<std::chrono::sys_seconds> xs_date_time(const std::string& v) {
    if (v.empty()) return std::nullopt;
    GDateTime* dt = g_date_time_new_from_iso8601(v.c_str(), nullptr);
    if (dt == nullptr) return std::nullopt;
    const auto secs = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return std::chrono::sys_seconds{std::chrono::seconds{secs}};
}

match::mail_address address_of(const std::optional<ews::mailbox>& mb) {
    if (!mb) return {};
    return {mb->name, mb->email_address};
}

std::vector<match::mail_address> addresses_of(const std::vector<ews::mailbox>& list) {
    std::vector<match::mail_address> out;
    for (const auto& mb : list) out.push_back({mb.name, mb.email_address});
    return out;
}

std::optional<match::importance> importance_of(const std::string& v) {
    if (v.empty()) return std::nullopt;
    if (v == "High") return match::importance::high;
    if (v == "Low") return match::importance::low;
    return match::importance::normal;
}

std::vector<match::attachment> attachments_of(const std::vector<ews::attachment_info>& list) {
    std::vector<match::attachment> out;
    for (const auto& a : list) out.push_back({a.name, a.size.value_or(0), a.content_type, a.is_inline.value_or(false)});
    return out;
}

// The MIME text of the item, when the response carries it; nullopt when it
// is absent or does not parse (the XML properties still stand on their own).
// The CharacterSet attribute is not applied: it names the charset the server
// used to write the MIME text, whose parts declare their own charsets, and
// GMime already falls back to UTF-8 then ISO-8859-1 for undeclared 8-bit text.
std::optional<match::message> mime_of(const std::optional<std::string>& b64) {
    if (!b64) return std::nullopt;
    const auto raw = decode_mime_content(*b64);
    if (!raw) return std::nullopt;
    auto parsed = parse_eml(*raw);
    if (auto* m = std::get_if<match::message>(&parsed)) return std::move(*m);
    return std::nullopt;
}

template <class T>
void fill_if_empty(T& field, T&& from_mime) {
    if (field.empty()) field = std::move(from_mime);
}

}  // namespace

std::optional<std::string> decode_mime_content(std::string_view base64) {
    gsize size = 0;
    // g_base64_decode skips characters outside the alphabet, e.g. line breaks.
    const std::string text{base64};
    std::unique_ptr<guchar, decltype(&g_free)> raw{g_base64_decode(text.c_str(), &size), &g_free};
    if (raw == nullptr || size == 0) return std::nullopt;
    return std::string{reinterpret_cast<const char*>(raw.get()), size};
}

match::message message_of(const ews::item& item) {
    match::message m;
    m.item_id = item.id ? item.id->id : std::string{};
    m.subject = item.subject;
    m.from = address_of(item.from);
    if (m.from.email.empty() && m.from.name.empty()) m.from = address_of(item.sender);
    m.to = addresses_of(item.to);
    m.cc = addresses_of(item.cc);
    if (item.body) m.body = item.body->body_type == "HTML" ? html_to_text(item.body->text) : item.body->text;
    m.attachments = attachments_of(item.attachments);
    const auto importance = importance_of(item.importance);
    m.categories = item.categories;
    m.is_read = item.is_read.value_or(false);
    m.received = xs_date_time(item.date_time_received);
    m.headers = item.internet_headers;

    if (auto mime = mime_of(item.mime_content)) {
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
        m.has_attachments = item.has_attachments.value_or(mime->has_attachments);
    } else {
        m.importance_level = importance.value_or(match::importance::normal);
        m.has_attachments = item.has_attachments.value_or(std::any_of(
            m.attachments.begin(), m.attachments.end(), [](const match::attachment& a) { return !a.is_inline; }));
    }
    return m;
}

read_result parse_ews_get_item(std::string_view xml) {
    auto parsed = ews::response::parse(xml);
    if (const auto* err = std::get_if<ews::parse_error>(&parsed)) return read_error{err->message};
    const auto& resp = std::get<ews::response>(parsed);
    if (auto err = ews::expect_operation(resp, {"GetItem"})) return read_error{err->message};
    auto items = ews::parse_items(resp);
    if (const auto* err = std::get_if<ews::parse_error>(&items)) return read_error{err->message};
    const auto& messages = std::get<std::vector<ews::items_message>>(items);
    if (messages.empty()) return read_error{"GetItem response has no GetItemResponseMessage"};
    const auto& rm = messages.front();
    if (rm.status.klass == ews::response_class::error)
        return read_error{"GetItem failed: " + rm.status.code + ": " + rm.status.message_text};
    if (rm.items.empty()) return read_error{"GetItem response contains no item"};
    return message_of(rm.items.front());
}

}  // namespace ewstrigd::mail
