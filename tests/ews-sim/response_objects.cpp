#include "response_objects.hpp"

#include "ascii.hpp"
#include "ews/requests.hpp"
#include "internet_headers.hpp"
#include "time_format.hpp"

#include <algorithm>

namespace ewstrigd::sim {
namespace {

// "Name <a@b>" or "a@b" (a Reply-To header), first address only.
mail_address header_address(std::string_view s) {
    const auto lt = s.find('<');
    const auto gt = s.find('>', lt == std::string_view::npos ? 0 : lt);
    if (lt == std::string_view::npos || gt == std::string_view::npos) {
        const auto comma = s.find(',');
        auto email = std::string(s.substr(0, comma));
        std::erase(email, ' ');
        return {"", email};
    }
    auto name = std::string(s.substr(0, lt));
    while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
    while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
    return {name, std::string(s.substr(lt + 1, gt - lt - 1))};
}

void add_unique(std::vector<mail_address>& list, const mail_address& a, std::string_view me) {
    const auto email = ascii_lower(a.email);
    if (email.empty() || email == me) return;
    const auto same = [&](const mail_address& b) { return ascii_lower(b.email) == email; };
    if (std::none_of(list.begin(), list.end(), same)) list.push_back(a);
}

std::string prefixed_subject(std::string_view prefix, const std::string& subject) {
    return ascii_lower(subject).starts_with(ascii_lower(prefix)) ? subject : std::string(prefix) + subject;
}

std::string display(const std::vector<mail_address>& list) {
    std::string out;
    for (const auto& a : list) {
        if (!out.empty()) out += "; ";
        out += a.name.empty() ? a.email : a.name + " <" + a.email + ">";
    }
    return out;
}

std::string display(const mail_address& a) { return display(std::vector<mail_address>{a}); }

// Escaped text with <br> for line breaks.
std::string html_of_text(std::string_view text) {
    std::string html;
    for (const char c : text) {
        if (c == '\n') {
            html += "<br>";
        } else if (c != '\r') {
            html += ews::xml_escape(std::string_view(&c, 1));
        }
    }
    return html;
}

// Exchange's separator and header block above the quoted original.
body_content quoted(const body_content& above, const stored_item& original) {
    const auto& m = original.msg;
    const auto sent = rfc5322_date(original.received);
    if (!above.is_html && !m.body_is_html) {
        return {above.text + "\r\n\r\n________________________________\r\nFrom: " + display(m.from) +
                    "\r\nSent: " + sent + "\r\nTo: " + display(m.to) + "\r\nSubject: " + m.subject + "\r\n\r\n" +
                    m.body,
                false};
    }
    const auto as_html = [](const body_content& b) { return b.is_html ? b.text : html_of_text(b.text); };
    return {as_html(above) + "<hr tabindex=\"-1\" style=\"display:inline-block; width:98%\">" +
                "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><b>From:</b> " + html_of_text(display(m.from)) +
                "<br><b>Sent:</b> " + html_of_text(sent) + "<br><b>To:</b> " + html_of_text(display(m.to)) +
                "<br><b>Subject:</b> " + html_of_text(m.subject) + "</div><div>" +
                as_html({m.body, m.body_is_html}) + "</div>",
            true};
}

}  // namespace

message compose_response(const stored_item& original, const response_request& request, std::string_view me) {
    const auto& o = original.msg;
    const auto my_address = ascii_lower(me);
    message m;
    if (request.kind != response_kind::forward) {
        const auto reply_to = header_value(o, "Reply-To");
        add_unique(m.to, reply_to ? header_address(*reply_to) : o.from, my_address);
    }
    if (request.kind == response_kind::reply_all) {
        for (const auto& a : o.to) add_unique(m.to, a, my_address);
        for (const auto& a : o.cc) add_unique(m.cc, a, my_address);
    }
    // Named recipients always go, even the replying mailbox itself.
    for (const auto& a : request.to) add_unique(m.to, a, "");
    for (const auto& a : request.cc) add_unique(m.cc, a, "");
    for (const auto& a : request.bcc) add_unique(m.bcc, a, "");

    m.subject = request.subject ? *request.subject
                                : prefixed_subject(request.kind == response_kind::forward ? "FW: " : "RE: ", o.subject);
    const auto references = header_value(o, "References");
    m.headers.emplace_back("In-Reply-To", o.internet_message_id);
    m.headers.emplace_back("References",
                           references ? *references + " " + o.internet_message_id : o.internet_message_id);

    const auto body = request.body ? *request.body
                                   : quoted(request.new_body_content.value_or(body_content{}), original);
    m.body = body.text;
    m.body_is_html = body.is_html;
    if (request.kind == response_kind::forward) m.attachments = o.attachments;
    return m;
}

}  // namespace ewstrigd::sim
