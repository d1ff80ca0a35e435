#pragma once
// The mail a reply, reply_all, forward or send action sends for one event
// (pure; docs/actions.md "Mail out"). Templates expand with the same context
// as every other action (job.hpp context_of); in HTML bodies the inserted
// values are HTML-escaped, the literal text of the template is not.
//
// Replies are built as new messages with the reply semantics done here:
// "Re: " subject, To = the sender (Reply-To when it names one address),
// reply_all adds the original To (minus the mailbox itself) and Cc,
// In-Reply-To/References from the original's Message-ID, the original
// quoted below the body (keep_quote). Forwards: "Fw: " subject, the comment,
// a header block and the original text; the original as .eml is attached by
// the executor. Every mail carries X-Ewstrigd-Event: mail_marker(job), and
// Auto-Submitted: auto-replied (replies) or auto-generated (RFC 3834 §5).

#include "actions/job.hpp"
#include "config/model.hpp"
#include "ews/create_item.hpp"
#include "match/message.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::actions {

// The X-Ewstrigd-Event value of the mail of `j`: "<event id>/<trigger>/<action index>",
// unique per action of a trigger for one message.
std::string mail_marker(const job& j);

// A templated recipient that is not an address, and the like: the action is
// a dead letter, with this text.
struct compose_error {
    std::string message;
};

using composed = std::variant<ews::outgoing_message, compose_error>;

// `action` must hold reply_action, forward_action or send_action.
// `self_address` is the watched mailbox's address (left out of reply_all; may be empty).
composed compose_mail(const config::action_config& action, const job& j, const match::message& msg,
                      std::string_view self_address);

// The loop and rate settings of a mail-out action.
const config::mail_guard& guard_of(const config::action_config& action);

// `text` for HTML: ews::xml_escape line by line (& < > " ' replaced, control
// characters dropped), the line breaks kept as they are.
std::string html_escape(std::string_view text);

// html_escape, each line break written as <br>: plain text shown as HTML.
std::string html_lines(std::string_view text);

}  // namespace ewstrigd::actions
