// CreateItem for mail: t:Message with MessageDisposition SaveOnly (Drafts, or
// SavedItemFolderId), SendOnly or SendAndSaveCopy (copy in SavedItemFolderId,
// default Sent Items), and the response objects t:ReplyToItem,
// t:ReplyAllToItem, t:ForwardItem. Sending goes through outgoing_mail.hpp.
#include "create_item_reader.hpp"
#include "ews/response.hpp"
#include "op_handlers.hpp"
#include "outgoing_mail.hpp"

namespace ewstrigd::sim {

const message_status invalid_recipients{"ErrorInvalidRecipients", "At least one recipient isn't valid."};

namespace {

const message_status item_not_found{"ErrorItemNotFound", "The specified object was not found in the store."};
const message_status send_as_denied{
    "ErrorSendAsDenied",
    "The user account which was used to submit this request does not have the right to send mail on behalf of the "
    "specified sending account."};

std::string failed(const message_status& status) { return response_message("CreateItem", status, "<m:Items/>"); }

struct create_settings {
    message_disposition disposition;
    const folder* saved_item_folder;  // null: the default of the disposition
};

// The message an entry describes, From filled in, or why there is none.
std::variant<message, message_status> outgoing_message(op_context& ctx, create_entry& entry) {
    std::optional<mail_address> from;
    message m;
    if (auto* nm = std::get_if<new_message>(&entry)) {
        from = nm->from;
        m = std::move(nm->msg);
    } else {
        auto& nr = std::get<new_response>(entry);
        const auto* original = ctx.st.find_item(ctx.mb, nr.reference_item_id);
        if (!original) return item_not_found;
        from = nr.from;
        m = compose_response(*original, nr.request, ctx.mb.address);
    }
    if (from && !ctx.st.may_send_as(ctx.mb, from->email)) return send_as_denied;
    m.from = from.value_or(mail_address{"", ctx.mb.address});
    return m;
}

std::string create_one(op_context& ctx, const create_settings& settings, create_entry& entry) {
    auto made = outgoing_message(ctx, entry);
    if (auto* status = std::get_if<message_status>(&made)) return failed(*status);
    auto& m = std::get<message>(made);
    const auto folder_named = [&](std::string_view fallback) {
        return settings.saved_item_folder ? settings.saved_item_folder->id : ctx.mb.find_folder_by_name(fallback)->id;
    };
    if (settings.disposition == message_disposition::save_only) {
        m.is_draft = true;
        const auto& draft = ctx.st.deliver(ctx.mb, folder_named("drafts"), std::move(m), ctx.now,
                                           store::arrival::own_copy);
        // The ids of attachments created inline come back too, so clients do not create them again.
        item_shape created;
        created.fields.emplace("item:Attachments");
        return response_message("CreateItem", {}, "<m:Items>" + message_xml(ctx.mb, draft, created) + "</m:Items>");
    }
    if (!has_valid_recipients(m)) return failed(invalid_recipients);
    const auto copy_folder =
        settings.disposition == message_disposition::send_and_save_copy ? folder_named("sentitems") : std::string{};
    send_message(ctx.st, ctx.mb, std::move(m), copy_folder, ctx.now);
    // Exchange answers a send with an empty Items element: the sent copy's id is not returned.
    return response_message("CreateItem", {}, "<m:Items/>");
}

}  // namespace

ews_outcome create_item(op_context& ctx) {
    const auto disposition_text = ctx.op.attribute("MessageDisposition");
    const auto disposition = parse_disposition(disposition_text.value_or(""));
    if (disposition_text && !disposition) {
        return fault_reply("ErrorSchemaValidation",
                           "The request failed schema validation: The 'MessageDisposition' attribute is invalid.");
    }
    const auto saved_id = child_elements(ctx.op.child(ews::ns::messages, "SavedItemFolderId"));
    const folder* saved = saved_id.empty() ? nullptr : resolve_folder(ctx, saved_id.front());

    // Read every item first: a schema fault fails the whole request before anything is sent.
    std::vector<create_entry> entries;
    for (auto item : child_elements(ctx.op.child(ews::ns::messages, "Items"))) {
        entries.push_back(read_create_entry(item));
        if (const auto* err = std::get_if<item_error>(&entries.back()); err && err->schema_fault) {
            return fault_reply(err->status.code, err->status.text);
        }
    }
    std::string messages;
    for (auto& entry : entries) {
        if (const auto* err = std::get_if<item_error>(&entry)) {
            messages += failed(err->status);
        } else if (!disposition) {
            messages += failed({"ErrorMessageDispositionRequired",
                                "MessageDisposition is required for this operation."});
        } else if (!saved_id.empty() && !saved) {
            messages += failed(folder_not_found);
        } else {
            messages += create_one(ctx, {*disposition, saved}, entry);
        }
    }
    return ok_reply("CreateItem", messages);
}

}  // namespace ewstrigd::sim
