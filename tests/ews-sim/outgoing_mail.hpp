#pragma once
// Mail a mailbox sends with CreateItem (create_item_ops.cpp): delivered into
// the Inbox of every recipient that is a simulator mailbox, through
// store::deliver like admin deliveries (so subscriptions and SyncFolderItems
// see it), and recorded in the sender's mailbox::sent for the admin API.
//
// A recipient is a simulator mailbox when the mailbox exists or its domain is
// the domain of an existing mailbox (the simulator's "accepted domains";
// mailboxes are created on first use anyway). Other recipients are only
// recorded, as an external relay would take them. Pure apart from the store.
#include "store.hpp"

#include <optional>
#include <string_view>

namespace ewstrigd::sim {

// CreateItem's MessageDisposition (types.xsd MessageDispositionType).
enum class message_disposition { save_only, send_only, send_and_save_copy };
std::optional<message_disposition> parse_disposition(std::string_view text);

// At least one recipient, and every recipient an SMTP address (else Exchange's ErrorInvalidRecipients).
bool has_valid_recipients(const message& m);

// Sends `m` from `sender` (m.from already set and permitted): a fresh
// Message-ID, a copy without Bcc delivered to each simulator recipient once,
// and, when `copy_folder_id` is not empty, the sender's read copy (with Bcc)
// stored there. Returns that copy, or nullptr.
const stored_item* send_message(store& st, mailbox& sender, message m, std::string_view copy_folder_id,
                                time_point now);

}  // namespace ewstrigd::sim
