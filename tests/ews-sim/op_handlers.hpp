#pragma once
// The per-operation handlers behind execute() (operations.hpp). Each reads
// ctx.op and answers one whole response. Internal to ews_sim_core.
#include "operations.hpp"
#include "request_reader.hpp"
#include "soap_writer.hpp"

namespace ewstrigd::sim {

ews_outcome get_folder(op_context& ctx);
ews_outcome find_folder(op_context& ctx);
ews_outcome create_folder(op_context& ctx);
ews_outcome subscribe(op_context& ctx);
ews_outcome unsubscribe(op_context& ctx);
ews_outcome get_events(op_context& ctx);
ews_outcome get_streaming_events(op_context& ctx);
ews_outcome sync_folder_items(op_context& ctx);
ews_outcome get_item(op_context& ctx);
ews_outcome find_item(op_context& ctx);
ews_outcome update_item(op_context& ctx);
ews_outcome move_item(op_context& ctx);
ews_outcome get_attachment(op_context& ctx);
ews_outcome create_item(op_context& ctx);        // create_item_ops.cpp
ews_outcome create_attachment(op_context& ctx);  // draft_ops.cpp
ews_outcome send_item(op_context& ctx);          // draft_ops.cpp

// ErrorInvalidRecipients, worded as Exchange words it.
extern const message_status invalid_recipients;

// ErrorFolderNotFound, worded as Exchange words it.
extern const message_status folder_not_found;

// A 200 reply holding `messages` of `operation`.
soap_reply ok_reply(std::string_view operation, std::string_view messages);

}  // namespace ewstrigd::sim
