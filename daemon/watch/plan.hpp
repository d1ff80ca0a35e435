#pragma once
// What the watch loop does with one new item, as pure functions: which
// triggers look at a folder, which message parts they need fetched, the
// item's stable event id, and the outbox rows its matches produce.

#include "config/model.hpp"
#include "match/message.hpp"
#include "source/mail_source.hpp"
#include "state/store.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::watch {

// Pointers into the configuration the triggers were taken from, which must
// outlive the list: 10,000 mailboxes must not hold 10,000 copies of their
// triggers (issue 8).
using trigger_list = std::vector<const config::trigger_config*>;

// The triggers of `mailbox` (every watched folder when a trigger names
// none), in config order.
trigger_list triggers_of(const config::config& cfg, std::string_view mailbox);

// A trigger applies to `folder` when it names it (case-insensitively) or
// names no folder.
bool applies_to(const config::trigger_config& t, std::string_view folder);

// The parts beyond the always-fetched summary that the conditions and the
// actions of the triggers applying to `folder` use: body, headers,
// attachments, categories. A webhook posts the message, so it asks for the
// body and attachment names too.
source::message_fields fields_needed(const trigger_list& triggers, std::string_view folder);

// Stable id of an item's arrival: 32 hex digits of SHA-256(mailbox \0 folder
// \0 item id). The same item always gets the same id, across restarts and
// resyncs, so receivers can deduplicate a redelivered action.
std::string event_id_of(std::string_view mailbox, std::string_view folder, std::string_view item_id);

// The store row for a fetched message: every applying trigger is evaluated
// at `now`; each matching one enqueues all its actions, in order, with the
// message and that trigger's captures as payload.
state::new_item plan_item(const trigger_list& triggers, std::string_view mailbox, std::string_view folder,
                          const match::message& msg, std::chrono::system_clock::time_point now);

}  // namespace ewstrigd::watch
