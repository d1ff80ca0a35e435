// The mail-out actions (reply, reply_all, forward, send): loop guard,
// compose, rate limit, then - since an earlier attempt may have sent the
// mail before a crash or a lost answer - a look into Sent Items for the
// X-Ewstrigd-Event marker, and only then CreateItem. The look costs one
// FindItem per attempt; it is made on every attempt because a SIGKILL during
// the send leaves the outbox row's attempt count unchanged. Attachments of
// the message (send's `attachments:`) are listed afresh at send time: the
// outbox payload keeps their names, not the ids needed to fetch them.

#include "actions/execution.hpp"
#include "actions/loop_guard.hpp"
#include "actions/mail_compose.hpp"
#include "actions/rate_limiter.hpp"
#include "match/evaluate.hpp"
#include "util/base64.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace ewstrigd::actions {

namespace net = boost::asio;

namespace {

constexpr std::uintmax_t attachment_limit = std::uintmax_t{25} << 20;  // Exchange Online's default send limit

// A file of a send action as an attachment, or why it cannot be read.
std::variant<ews::file_attachment, std::string> read_attachment(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return "cannot read attachment " + path.string() + ": " + ec.message();
    if (size > attachment_limit) return "attachment " + path.string() + " is larger than 25 MiB";
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return "cannot read attachment " + path.string();
    return ews::file_attachment{path.filename().string(), {}, util::base64_encode(bytes)};
}

std::string eml_name(const match::message& msg) {
    std::string name = msg.subject.empty() ? std::string("message") : msg.subject.substr(0, 100);
    for (char& c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos)
            c = '_';
    }
    return name + ".eml";
}

// "20.5 MiB"
std::string mib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / static_cast<double>(1u << 20));
    return text;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

// The send action's `attachments:` name globs; empty for every other action.
const std::vector<std::string>& attachment_globs(const config::action_config& a) {
    static const std::vector<std::string> none;
    const auto* send = std::get_if<config::send_action>(&a.what);
    return send ? send->attachments : none;
}

// The attachments of `listed` whose names match one of `globs`, in the message's order.
std::vector<source::listed_attachment> matching(std::vector<source::listed_attachment> listed,
                                                const std::vector<std::string>& globs) {
    std::erase_if(listed, [&](const source::listed_attachment& a) {
        const auto named = [&](const std::string& glob) { return match::glob_match(glob, a.name); };
        return std::none_of(globs.begin(), globs.end(), named);
    });
    return listed;
}

// Why attachments of these names and sizes cannot go into one mail, or empty.
std::string over_limit(const std::vector<std::pair<std::string, std::uint64_t>>& parts) {
    std::uint64_t total = 0;
    std::vector<std::string> each;
    for (const auto& [name, size] : parts) {
        total += size;
        each.push_back(name + " " + mib(size));
    }
    if (total <= attachment_limit) return {};
    return "the matching attachments of the message add up to " + mib(total) + ", more than the " +
           mib(attachment_limit) + " one mail may carry (" + joined(each) + ")";
}

bool attaches_original(const config::action_config& a) {
    if (std::holds_alternative<config::forward_action>(a.what)) return true;
    const auto* send = std::get_if<config::send_action>(&a.what);
    return send && send->attach_original;
}

// The steps after the checks. They hold what they need rather than the
// executor, and look the mail source up again at each step: a reload may
// have removed the mailbox meanwhile.
struct mail_sending {
    std::shared_ptr<executor::execution> e;
    std::function<source::mail_source*(const std::string&)> source_for;
    std::shared_ptr<spdlog::logger> log;
    std::shared_ptr<rate_limiter> rate;
    std::string counted_as;  // its rate limiter key, recorded once sent
    source::outgoing_mail mail;

    source::mail_source* source() const { return source_for ? source_for(e->j.mailbox) : nullptr; }
    void no_source() const { e->complete(outcome::retry("mailbox " + e->j.mailbox + " has no mail source right now")); }
    std::string kind() const { return std::string(to_string(kind_of(e->action))); }
};
using sending = std::shared_ptr<mail_sending>;

void send(const sending& s) {
    auto* src = s->source();
    if (src == nullptr) return s->no_source();
    std::string to;
    for (const auto* list : {&s->mail.to, &s->mail.cc, &s->mail.bcc}) {
        for (const auto& r : *list) to += (to.empty() ? "" : ", ") + r.email;
    }
    const std::string what = s->kind() + " to " + to;
    src->async_send_mail(std::move(s->mail), net::bind_cancellation_slot(s->e->sub_slot(), [s, what](source::outcome o) {
                             const auto& e = s->e;
                             if (o.step == ews::next_step::proceed) {
                                 s->rate->record(s->counted_as, guard_of(e->action).rate_window,
                                                 rate_limiter::clock::now());
                                 s->log->info("mailbox={} trigger={} event={} sent {}", e->j.mailbox, e->j.trigger,
                                              e->j.event_id, what);
                             }
                             e->complete(from_source(o, what, e->timed_out));
                         }));
}

// Completes the action as a dead letter when attachments of these names and
// sizes cannot go into one mail (the message will not shrink); true then.
bool refused_as_too_large(const sending& s, const std::vector<std::pair<std::string, std::uint64_t>>& parts) {
    const auto why = over_limit(parts);
    if (why.empty()) return false;
    const auto& j = s->e->j;
    s->log->error("mailbox={} trigger={} event={} send cannot be sent: {}", j.mailbox, j.trigger, j.event_id, why);
    s->e->complete(outcome::dead("send: " + why));
    return true;
}

// Fetches `chosen` (attachments of the message), attaches them and sends.
void fetch_chosen_and_send(const sending& s, const std::vector<source::listed_attachment>& chosen) {
    auto* src = s->source();
    if (src == nullptr) return s->no_source();
    std::vector<std::string> ids;
    for (const auto& a : chosen) ids.push_back(a.id);
    src->async_fetch_attachments(
        std::move(ids), net::bind_cancellation_slot(s->e->sub_slot(), [s](source::outcome o,
                                                                         std::vector<source::attachment_file> files) {
            const auto& e = s->e;
            if (o.step != ews::next_step::proceed)
                return e->complete(from_source(o, "fetching the message's attachments", e->timed_out));
            // The listed sizes are the server's word; the contents are what the mail will carry.
            std::vector<std::pair<std::string, std::uint64_t>> sizes;
            for (const auto& f : files) sizes.emplace_back(f.name, f.content.decoded_size);
            if (refused_as_too_large(s, sizes)) return;
            // EWS's base64 goes back to EWS as it came: decoding and encoding
            // it again held up every mailbox on the loop (~140 ms at 25 MiB).
            for (auto& f : files)
                s->mail.attachments.push_back({f.name, f.content_type, std::move(f.content.text)});
            send(s);
        }));
}

// For a send with `attachments:`: lists the message's attachments and passes
// on those whose names match; otherwise (or when none match) just sends.
void attach_chosen_and_send(const sending& s) {
    const auto& globs = attachment_globs(s->e->action);
    if (globs.empty()) return send(s);
    auto* src = s->source();
    if (src == nullptr) return s->no_source();
    src->async_list_attachments(
        s->e->msg.item_id,
        net::bind_cancellation_slot(s->e->sub_slot(), [s](source::outcome o,
                                                          std::vector<source::listed_attachment> listed) {
            const auto& e = s->e;
            if (o.step != ews::next_step::proceed)
                return e->complete(from_source(o, "listing the message's attachments", e->timed_out));
            const auto& patterns = attachment_globs(e->action);
            std::vector<std::string> names;
            for (const auto& a : listed) names.push_back(a.name);
            auto chosen = matching(std::move(listed), patterns);
            if (chosen.empty()) {
                s->log->info("mailbox={} trigger={} event={} send: no attachment of the message matches {} ({}); "
                             "sending without",
                             e->j.mailbox, e->j.trigger, e->j.event_id, joined(patterns),
                             names.empty() ? std::string("it has none") : "it has " + joined(names));
                return send(s);
            }
            std::vector<std::pair<std::string, std::uint64_t>> sizes;
            for (const auto& a : chosen) sizes.emplace_back(a.name, a.size);
            if (refused_as_too_large(s, sizes)) return;
            fetch_chosen_and_send(s, chosen);
        }));
}

void attach_original_and_send(const sending& s) {
    auto* src = s->source();
    if (src == nullptr) return s->no_source();
    // As base64, like the attachments: it goes back to EWS without being decoded.
    src->async_fetch_original(
        s->e->msg.item_id, net::bind_cancellation_slot(s->e->sub_slot(), [s](source::outcome o, util::base64_text mime) {
            if (o.step != ews::next_step::proceed)
                return s->e->complete(from_source(o, "fetching the original", s->e->timed_out));
            s->mail.attachments.push_back({eml_name(s->e->msg), "message/rfc822", std::move(mime.text)});
            attach_chosen_and_send(s);
        }));
}

// Sends unless Sent Items shows an earlier attempt did.
void look_in_sent_items(const sending& s) {
    auto* src = s->source();
    if (src == nullptr) return s->no_source();
    src->async_find_sent(std::string(marker_header), mail_marker(s->e->j),
                         net::bind_cancellation_slot(s->e->sub_slot(), [s](source::outcome o, bool found) {
                             const auto& e = s->e;
                             if (o.step != ews::next_step::proceed)
                                 return e->complete(from_source(o, "looking for the mail in Sent Items", e->timed_out));
                             if (found) {
                                 s->log->info("mailbox={} trigger={} event={} {} was sent by an earlier attempt "
                                              "(found in Sent Items)",
                                              e->j.mailbox, e->j.trigger, e->j.event_id, s->kind());
                                 return e->complete(outcome::ok("already sent (found in Sent Items)"));
                             }
                             if (attaches_original(e->action)) return attach_original_and_send(s);
                             attach_chosen_and_send(s);
                         }));
}

}  // namespace

void executor::do_mail_out(const std::shared_ptr<execution>& e) {
    auto& log = *options_.log;
    const auto& j = e->j;
    if (options_.source_for == nullptr || options_.source_for(j.mailbox) == nullptr)
        return e->complete(outcome::retry("mailbox " + j.mailbox + " has no mail source right now"));
    const auto kind = to_string(kind_of(e->action));
    const auto& guard = guard_of(e->action);
    const bool answering = kind_of(e->action) == action_kind::reply;  // reply_all too
    if (guard.loop_protection) {
        if (const auto why = answering ? automatic_reason(e->msg) : ewstrigd_mail_reason(e->msg); !why.empty()) {
            log.info("mailbox={} trigger={} event={} {} skipped: not answering {} automatically, {}", j.mailbox,
                     j.trigger, j.event_id, kind, e->msg.from.email, why);
            return e->complete(outcome::ok("skipped: " + why));
        }
    }
    const std::string self = options_.address_of ? options_.address_of(j.mailbox) : std::string();
    auto mail = compose_mail(e->action, j, e->msg, self);
    if (const auto* bad = std::get_if<compose_error>(&mail)) {
        log.error("mailbox={} trigger={} event={} {} cannot be sent: {}", j.mailbox, j.trigger, j.event_id, kind,
                  bad->message);
        return e->complete(outcome::dead(std::string(kind) + ": " + bad->message));
    }
    auto& out = std::get<ews::outgoing_message>(mail);
    if (const auto* send = std::get_if<config::send_action>(&e->action.what)) {
        for (const auto& file : send->files) {
            auto a = read_attachment(file);
            if (const auto* why = std::get_if<std::string>(&a)) return e->complete(outcome::retry(*why));
            out.attachments.push_back(std::move(std::get<ews::file_attachment>(a)));
        }
    }
    // A reply counts against whom it goes to (Reply-To, else From): that is
    // who two responders would flood. Mail passed on counts per sender.
    const std::string& counted = answering && !out.to.empty() ? out.to.front().email : e->msg.from.email;
    std::string key = rate_key(j.trigger, j.action_index, counted);
    if (!mail_rate_->allows(key, guard.rate_limit, guard.rate_window, rate_limiter::clock::now())) {
        log.warn("mailbox={} trigger={} event={} {} skipped: rate limit of {} per {}s for {} reached", j.mailbox,
                 j.trigger, j.event_id, kind, guard.rate_limit, guard.rate_window.count(), counted);
        return e->complete(outcome::ok("skipped: rate limit reached for " + counted));
    }
    e->start_deadline(timeout_of(e->action));
    look_in_sent_items(std::make_shared<mail_sending>(
        mail_sending{e, options_.source_for, options_.log, mail_rate_, std::move(key), std::move(out)}));
}

}  // namespace ewstrigd::actions
