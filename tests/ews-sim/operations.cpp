#include "operations.hpp"

#include "op_handlers.hpp"
#include "soap_writer.hpp"

#include <array>
#include <utility>

namespace ewstrigd::sim {
namespace {

using handler = ews_outcome (*)(op_context&);

constexpr std::array<std::pair<std::string_view, handler>, 16> handlers{{
    {"GetFolder", get_folder},
    {"FindFolder", find_folder},
    {"CreateFolder", create_folder},
    {"Subscribe", subscribe},
    {"Unsubscribe", unsubscribe},
    {"GetEvents", get_events},
    {"GetStreamingEvents", get_streaming_events},
    {"SyncFolderItems", sync_folder_items},
    {"GetItem", get_item},
    {"FindItem", find_item},
    {"UpdateItem", update_item},
    {"MoveItem", move_item},
    {"GetAttachment", get_attachment},
    {"CreateItem", create_item},
    {"CreateAttachment", create_attachment},
    {"SendItem", send_item},
}};

}  // namespace

const message_status folder_not_found{"ErrorFolderNotFound", "The specified folder could not be found in the store."};

soap_reply fault_reply(std::string_view code, std::string_view message) {
    return {500, soap_fault(code, message)};
}

soap_reply ok_reply(std::string_view operation, std::string_view messages) {
    return {200, response_document(operation, messages)};
}

ews_outcome execute(store& st, const ews_request& req, time_point now, const affinity_headers& affinity) {
    for (const auto& [name, fn] : handlers) {
        if (name != req.operation) continue;
        if (req.mailbox.empty()) {
            return fault_reply("ErrorNonExistentMailbox",
                               "The request names no mailbox (no impersonation, X-AnchorMailbox or user name).");
        }
        op_context ctx{st, st.open_mailbox(req.mailbox), req.operation_element, now, &affinity};
        return fn(ctx);
    }
    // Exchange answers an unknown body element with a schema validation fault.
    return fault_reply("ErrorInvalidRequest",
                       "The request is invalid: the operation '" + req.operation + "' is not supported.");
}

}  // namespace ewstrigd::sim
