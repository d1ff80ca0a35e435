#pragma once
// Loop protection of the mail-out actions (pure): which messages an
// automatic answer must never go to, so two auto-responders (two ewstrigd
// instances, or ewstrigd and an out-of-office rule) cannot mail each other
// forever. RFC 3834 §2 and the headers Exchange and list servers set.

#include "match/message.hpp"

#include <string>
#include <string_view>

namespace ewstrigd::actions {

// The header every mail ewstrigd sends carries; its value names the event
// (mail_marker), so a retry can look for it in Sent Items.
inline constexpr std::string_view marker_header = "X-Ewstrigd-Event";

// Why `msg` must not get an automatic answer (reply, reply_all), in words
// for the log, or empty when it may: it carries X-Ewstrigd-Event (some
// ewstrigd sent it), Auto-Submitted other than "no",
// X-Auto-Response-Suppress, or Precedence bulk, junk or list. Header names
// compare case-insensitively.
std::string automatic_reason(const match::message& msg);

// Why `msg` must not be passed on automatically (forward, send), or empty:
// only when some ewstrigd sent it, which is what lets two instances forward
// to each other forever. RFC 3834 restrains answers to a sender, not mail
// sent to recipients an admin configured: invoices and alerts are mostly
// machine-sent (Auto-Submitted) and must still be forwarded.
std::string ewstrigd_mail_reason(const match::message& msg);

}  // namespace ewstrigd::actions
