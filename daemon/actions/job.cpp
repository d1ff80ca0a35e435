#include "actions/job.hpp"

namespace ewstrigd::actions {

std::string_view to_string(outcome::kind k) noexcept {
    switch (k) {
        case outcome::kind::done: return "done";
        case outcome::kind::retry: return "retry";
        case outcome::kind::dead: return "dead";
    }
    return "dead";
}

action_kind kind_of(const config::action_config& a) noexcept {
    return static_cast<action_kind>(a.what.index());  // the variant lists the kinds in this order
}

std::string_view to_string(action_kind k) noexcept {
    switch (k) {
        case action_kind::run: return "run";
        case action_kind::webhook: return "webhook";
        case action_kind::save: return "save";
        case action_kind::mark_read: return "mark_read";
        case action_kind::move_to: return "move_to";
        case action_kind::log: return "log";
        case action_kind::reply: return "reply";
        case action_kind::forward: return "forward";
        case action_kind::send: return "send";
    }
    return "log";
}

std::chrono::milliseconds timeout_of(const config::action_config& a) noexcept {
    using namespace std::chrono_literals;
    if (a.timeout) return *a.timeout;
    switch (kind_of(a)) {
        case action_kind::run: return 5min;
        case action_kind::webhook: return 30s;
        default: return 60s;
    }
}

match::message message_of(const job& j) {
    match::message m = j.data.message;
    if (m.item_id.empty()) m.item_id = j.item_id;
    if (m.folder.empty()) m.folder = j.folder;
    return m;
}

match::template_context context_of(const job& j, const match::message& msg, std::string message_file) {
    match::template_context ctx;
    ctx.msg = &msg;
    ctx.named = &j.data.captures;
    ctx.trigger = j.trigger;
    ctx.mailbox = j.mailbox;
    ctx.event_id = j.event_id;
    ctx.message_file = std::move(message_file);
    return ctx;
}

}  // namespace ewstrigd::actions
