#include "actions/mail_compose.hpp"

#include "actions/loop_guard.hpp"
#include "config/mail_out.hpp"
#include "match/evaluate.hpp"
#include "match/template.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

namespace ewstrigd::actions {
namespace {

using config::body_type;
using util::trimmed;

// ews::xml_escape line by line, the lines joined by `line_break` (xml_escape
// alone would write each LF as the character reference &#10;).
std::string escaped_lines(std::string_view text, std::string_view line_break) {
    std::string out;
    for (;;) {
        const auto end = text.find('\n');
        out += ews::xml_escape(text.substr(0, end));
        if (end == std::string_view::npos) return out;
        out += line_break;
        text.remove_prefix(end + 1);
    }
}

// Expands `t`; with html, every inserted value is escaped.
std::string expand(const config::templated& t, const match::template_context& ctx, body_type type) {
    if (type == body_type::text) return match::expand(t.text, ctx);
    std::string out;
    for (const auto& part : t.text.parts) {
        if (!part.is_placeholder) {
            out += part.text;
            continue;
        }
        match::template_text one;
        one.parts.push_back(part);
        out += html_escape(match::expand(one, ctx));
    }
    return out;
}

// The trimmed value of the header `name`, or empty.
std::string header(const match::message& msg, std::string_view name) {
    const auto* value = match::find_header(msg, name);
    return value ? std::string(trimmed(*value)) : std::string();
}

// The address of a one-address header value ("Name <a@b>" or "a@b"), or empty.
std::string single_address(std::string_view value) {
    const auto open = value.find('<');
    const auto close = value.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        value = value.substr(open + 1, close - open - 1);
    value = trimmed(value);
    return config::is_mail_address(value) ? std::string(value) : std::string();
}

// Expands each recipient template; one expansion may name several
// addresses separated by ',' or ';' (e.g. {{to}}). Empty expansions are
// skipped; anything else that is not an address is an error.
std::variant<std::vector<ews::mail_recipient>, compose_error> recipients(const config::recipient_list& list,
                                                                         std::string_view key,
                                                                         const match::template_context& ctx) {
    std::vector<ews::mail_recipient> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string text = match::expand(list[i].text, ctx);
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto end = rest.find_first_of(",;");
            const auto one = trimmed(rest.substr(0, end));
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
            if (one.empty()) continue;
            const std::string address = single_address(one);
            if (address.empty()) {
                return compose_error{std::string(key) + "[" + std::to_string(i) + "]: '" + list[i].text.source +
                                     "' expanded to '" + std::string(one) + "', which is not a mail address"};
            }
            out.push_back({{}, address});
        }
    }
    return out;
}

// The to/cc/bcc of a forward or send action, expanded into `m`.
template <class Action>
std::optional<compose_error> address(ews::outgoing_message& m, const Action& a, const match::template_context& ctx) {
    for (auto [list, key, out] : {std::tuple{&a.to, "to", &m.to}, std::tuple{&a.cc, "cc", &m.cc},
                                  std::tuple{&a.bcc, "bcc", &m.bcc}}) {
        auto r = recipients(*list, key, ctx);
        if (auto* e = std::get_if<compose_error>(&r)) return *e;
        *out = std::move(std::get<0>(r));
    }
    if (m.to.empty() && m.cc.empty() && m.bcc.empty()) return compose_error{"every recipient expanded to nothing"};
    return std::nullopt;
}

bool has_prefix(std::string_view subject, std::initializer_list<std::string_view> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) {
        return subject.size() >= p.size() && match::equals_text(subject.substr(0, p.size()), p);
    });
}

std::string display(const match::mail_address& a) {
    if (a.name.empty()) return a.email;
    if (a.email.empty()) return a.name;
    return a.name + " <" + a.email + ">";
}

std::string joined(const std::vector<match::mail_address>& list) {
    std::string out;
    for (const auto& a : list) out += (out.empty() ? "" : ", ") + display(a);
    return out;
}

std::string received(const match::message& msg) { return msg.received ? match::format_utc(*msg.received) : std::string(); }

// The original below the new text: quoted with "> " (text) or in a blockquote (HTML).
std::string quoted(const match::message& msg, body_type type) {
    if (msg.body.empty()) return {};
    const std::string intro = "On " + (msg.received ? received(msg) : std::string("an earlier date")) + ", " +
                              display(msg.from) + " wrote:";
    if (type == body_type::html) {
        return "<br><br><div>" + html_escape(intro) +
               R"(</div><blockquote style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">)" +
               html_lines(msg.body) + "</blockquote>";
    }
    std::string out = "\n\n" + intro + "\n";
    std::string_view rest = msg.body;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        out += "> ";
        out += rest.substr(0, end);
        out += '\n';
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
    return out;
}

std::string forwarded(const match::message& msg, body_type type) {
    std::string block = "---------- Forwarded message ----------\nFrom: " + display(msg.from) +
                        "\nDate: " + received(msg) + "\nSubject: " + msg.subject + "\nTo: " + joined(msg.to) + "\n";
    if (!msg.cc.empty()) block += "Cc: " + joined(msg.cc) + "\n";
    block += "\n" + msg.body;
    if (type == body_type::text) return "\n\n" + block;
    return "<br><br><div>" + html_lines(block) + "</div>";
}

bool same_address(std::string_view a, std::string_view b) { return match::equals_text(a, b); }

void add_unique(std::vector<ews::mail_recipient>& list, const ews::mail_recipient& r,
                const std::vector<ews::mail_recipient>& also_not_in, std::string_view self) {
    if (r.email.empty() || (!self.empty() && same_address(r.email, self))) return;
    auto same = [&](const ews::mail_recipient& x) { return same_address(x.email, r.email); };
    if (std::none_of(list.begin(), list.end(), same) && std::none_of(also_not_in.begin(), also_not_in.end(), same))
        list.push_back(r);
}

// A new mail of `j` with its headers: the marker and Auto-Submitted (RFC 3834 §5).
ews::outgoing_message marked(const job& j, std::string_view auto_submitted) {
    ews::outgoing_message m;
    m.internet_headers.emplace_back(marker_header, mail_marker(j));
    m.internet_headers.emplace_back("Auto-Submitted", auto_submitted);
    return m;
}

composed compose_reply(const config::reply_action& a, const job& j, const match::message& msg, std::string_view self) {
    const auto ctx = context_of(j, msg);
    auto m = marked(j, "auto-replied");
    std::string target = single_address(header(msg, "Reply-To"));
    if (target.empty()) target = msg.from.email;
    if (!config::is_mail_address(target))
        return compose_error{"the message has no sender address to reply to ('" + target + "')"};
    m.to.push_back({target == msg.from.email ? msg.from.name : std::string(), target});
    if (a.all) {
        for (const auto& r : msg.to) add_unique(m.to, {r.name, r.email}, {}, self);
        for (const auto& r : msg.cc) add_unique(m.cc, {r.name, r.email}, m.to, self);
    }
    m.subject = has_prefix(msg.subject, {"Re:"}) ? msg.subject : "Re: " + msg.subject;
    m.html = a.type == body_type::html;
    m.body = expand(a.body, ctx, a.type);
    if (a.keep_quote) m.body += quoted(msg, a.type);
    if (!a.send_as.empty()) m.from = ews::mail_recipient{{}, a.send_as};
    const std::string message_id = header(msg, "Message-ID");
    if (!message_id.empty()) {
        m.in_reply_to = message_id;
        const std::string refs = header(msg, "References");
        m.references = refs.empty() ? message_id : refs + " " + message_id;
    }
    return m;
}

composed compose_forward(const config::forward_action& a, const job& j, const match::message& msg) {
    const auto ctx = context_of(j, msg);
    auto m = marked(j, "auto-generated");
    if (auto e = address(m, a, ctx)) return *e;
    m.subject = has_prefix(msg.subject, {"Fw:", "Fwd:"}) ? msg.subject : "Fw: " + msg.subject;
    m.html = a.type == body_type::html;
    m.body = expand(a.comment, ctx, a.type) + forwarded(msg, a.type);
    return m;
}

composed compose_send(const config::send_action& a, const job& j, const match::message& msg) {
    const auto ctx = context_of(j, msg);
    auto m = marked(j, "auto-generated");
    if (auto e = address(m, a, ctx)) return *e;
    m.subject = match::expand(a.subject.text, ctx);
    std::replace_if(m.subject.begin(), m.subject.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    m.html = a.type == body_type::html;
    m.body = expand(a.body, ctx, a.type);
    return m;
}

}  // namespace

std::string mail_marker(const job& j) {
    return j.event_id + "/" + j.trigger + "/" + std::to_string(j.action_index);
}

std::string html_escape(std::string_view text) { return escaped_lines(text, "\n"); }

std::string html_lines(std::string_view text) { return escaped_lines(text, "<br>"); }

composed compose_mail(const config::action_config& action, const job& j, const match::message& msg,
                      std::string_view self_address) {
    if (const auto* r = std::get_if<config::reply_action>(&action.what)) return compose_reply(*r, j, msg, self_address);
    if (const auto* f = std::get_if<config::forward_action>(&action.what)) return compose_forward(*f, j, msg);
    if (const auto* s = std::get_if<config::send_action>(&action.what)) return compose_send(*s, j, msg);
    return compose_error{"not a mail-out action"};
}

const config::mail_guard& guard_of(const config::action_config& action) {
    static const config::mail_guard none{false, 0, std::chrono::seconds(1)};
    if (const auto* r = std::get_if<config::reply_action>(&action.what)) return r->guard;
    if (const auto* f = std::get_if<config::forward_action>(&action.what)) return f->guard;
    if (const auto* s = std::get_if<config::send_action>(&action.what)) return s->guard;
    return none;
}

}  // namespace ewstrigd::actions
