// CreateAttachment and SendItem on a saved draft: how the EWS Managed API
// (and ews-javascript-api) sends a message with attachments: CreateItem
// SaveOnly, CreateAttachment, then SendItem with SaveItemToFolder. The sent
// draft leaves its folder; the copy goes to SavedItemFolderId (default Sent Items).
#include "create_item_reader.hpp"
#include "ews/requests.hpp"
#include "op_handlers.hpp"
#include "outgoing_mail.hpp"

namespace ewstrigd::sim {

ews_outcome create_attachment(op_context& ctx) {
    const auto parent = std::string(ctx.op.child(ews::ns::messages, "ParentItemId").attribute("Id").value_or(""));
    std::vector<attachment> more;
    if (auto err = read_file_attachments(ctx.op.child(ews::ns::messages, "Attachments"), more)) {
        if (err->schema_fault) return fault_reply(err->status.code, err->status.text);
        return ok_reply("CreateAttachment", response_message("CreateAttachment", err->status, ""));
    }
    const auto added = more.size();
    auto result = ctx.st.add_attachments(ctx.mb, parent, std::move(more), ctx.now);
    if (auto* err = std::get_if<store_error>(&result)) {
        return ok_reply("CreateAttachment", response_message("CreateAttachment", {err->code, err->text}, ""));
    }
    const auto& item = *std::get<const stored_item*>(result);
    // One response message per attachment, naming its id and the item's new ChangeKey.
    std::string messages;
    for (auto i = item.msg.attachments.size() - added; i < item.msg.attachments.size(); ++i) {
        messages += response_message(
            "CreateAttachment", {},
            "<m:Attachments><t:FileAttachment><t:AttachmentId Id=\"" + ews::xml_escape(item.msg.attachments[i].id) +
                "\" RootItemId=\"" + ews::xml_escape(item.id) + "\" RootItemChangeKey=\"" +
                ews::xml_escape(item.change_key()) + "\"/></t:FileAttachment></m:Attachments>");
    }
    return ok_reply("CreateAttachment", messages);
}

ews_outcome send_item(op_context& ctx) {
    const auto save_flag = ctx.op.attribute("SaveItemToFolder").value_or("true");
    const bool save_copy = save_flag == "true" || save_flag == "1";
    const auto saved_id = child_elements(ctx.op.child(ews::ns::messages, "SavedItemFolderId"));
    const folder* saved = saved_id.empty() ? ctx.mb.find_folder_by_name("sentitems") : resolve_folder(ctx, saved_id.front());
    std::string messages;
    for (auto id : ctx.op.child(ews::ns::messages, "ItemIds").children(ews::ns::types, "ItemId")) {
        const auto item_id = id.attribute("Id").value_or("");
        const auto* item = ctx.st.find_item(ctx.mb, item_id);
        message_status status;
        if (!item) {
            status = {"ErrorItemNotFound", "The specified object was not found in the store."};
        } else if (save_copy && !saved) {
            status = folder_not_found;
        } else if (!has_valid_recipients(item->msg)) {
            status = invalid_recipients;
        } else {
            auto m = std::get<message>(ctx.st.remove(ctx.mb, item_id, ctx.now));
            send_message(ctx.st, ctx.mb, std::move(m), save_copy ? saved->id : std::string{}, ctx.now);
        }
        messages += response_message("SendItem", status, "");
    }
    return ok_reply("SendItem", messages);
}

}  // namespace ewstrigd::sim
