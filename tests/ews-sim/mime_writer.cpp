#include "mime_writer.hpp"

#include "base64.hpp"
#include "time_format.hpp"

namespace ewstrigd::sim {
namespace {

bool is_ascii(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 || c == '\r' || c == '\n') return false;
    }
    return true;
}

// RFC 2047 encoded-word for header text that is not plain ASCII.
std::string header_text(std::string_view s) {
    return is_ascii(s) ? std::string(s) : "=?UTF-8?B?" + base64_encode(s) + "?=";
}

std::string address(const mail_address& a) {
    if (a.name.empty()) return a.email;
    return "\"" + header_text(a.name) + "\" <" + a.email + ">";
}

std::string address_list(const std::vector<mail_address>& list) {
    std::string out;
    for (const auto& a : list) {
        if (!out.empty()) out += ", ";
        out += address(a);
    }
    return out;
}

// base64 folded at 76 columns (RFC 2045 §6.8).
std::string folded_base64(std::string_view bytes) {
    const auto b = base64_encode(bytes);
    std::string out;
    for (std::size_t i = 0; i < b.size(); i += 76) {
        out += b.substr(i, 76);
        out += "\r\n";
    }
    return out;
}

}  // namespace

std::string mime_text(const stored_item& item) {
    const auto& m = item.msg;
    if (m.raw_mime) return *m.raw_mime;
    std::string out;
    out += "From: " + address(m.from) + "\r\n";
    if (!m.to.empty()) out += "To: " + address_list(m.to) + "\r\n";
    if (!m.cc.empty()) out += "Cc: " + address_list(m.cc) + "\r\n";
    out += "Subject: " + header_text(m.subject) + "\r\n";
    out += "Date: " + rfc5322_date(item.received) + "\r\n";
    out += "Message-ID: " + m.internet_message_id + "\r\n";
    if (m.importance != "Normal") out += "Importance: " + m.importance + "\r\n";
    for (const auto& [name, value] : m.headers) out += name + ": " + header_text(value) + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    const std::string text_part =
        std::string("Content-Type: ") + (m.body_is_html ? "text/html" : "text/plain") +
        "; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        folded_base64(m.body);
    if (m.attachments.empty()) return out + text_part;

    const std::string boundary = "_ews_sim_" + item.id.substr(0, 16) + "_";
    out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n" + text_part;
    for (const auto& a : m.attachments) {
        out += "--" + boundary + "\r\n";
        out += "Content-Type: " + a.content_type + "; name=\"" + header_text(a.name) + "\"\r\n";
        out += "Content-Disposition: " + std::string(a.is_inline ? "inline" : "attachment") + "; filename=\"" +
               header_text(a.name) + "\"\r\n";
        out += "Content-Transfer-Encoding: base64\r\n\r\n";
        out += folded_base64(a.content);
    }
    out += "--" + boundary + "--\r\n";
    return out;
}

}  // namespace ewstrigd::sim
