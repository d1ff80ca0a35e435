// GetItem, FindItem, UpdateItem (read flag, InternetHeaders properties), MoveItem, GetAttachment.
#include "base64.hpp"
#include "ews/requests.hpp"
#include "ews/response.hpp"
#include "internet_headers.hpp"
#include "item_restriction.hpp"
#include "op_handlers.hpp"
#include "soap_writer.hpp"

#include <algorithm>

namespace ewstrigd::sim {
namespace {

const message_status item_not_found{"ErrorItemNotFound", "The specified object was not found in the store."};

std::string items_element(const std::string& message) { return "<m:Items>" + message + "</m:Items>"; }

// One response message per store result: the item under `shape`, or the error.
std::string item_result_message(std::string_view op, op_context& ctx, const store_result<const stored_item*>& r,
                                const item_shape& shape) {
    if (const auto* err = std::get_if<store_error>(&r)) {
        return response_message(op, {err->code, err->text}, "<m:Items/>");
    }
    return response_message(op, {}, items_element(message_xml(ctx.mb, *std::get<const stored_item*>(r), shape)));
}

}  // namespace

ews_outcome get_item(op_context& ctx) {
    const auto shape = read_item_shape(ctx.op.child(ews::ns::messages, "ItemShape"));
    std::string messages;
    for (auto id : ctx.op.child(ews::ns::messages, "ItemIds").children(ews::ns::types, "ItemId")) {
        const auto* item = ctx.st.find_item(ctx.mb, id.attribute("Id").value_or(""));
        messages += item ? response_message("GetItem", {}, items_element(message_xml(ctx.mb, *item, shape)))
                         : response_message("GetItem", item_not_found, "<m:Items/>");
    }
    return ok_reply("GetItem", messages);
}

ews_outcome find_item(op_context& ctx) {
    const auto shape = read_item_shape(ctx.op.child(ews::ns::messages, "ItemShape"));
    const auto view = ctx.op.child(ews::ns::messages, "IndexedPageItemView");
    const auto max = number_attribute(view, "MaxEntriesReturned").value_or(1000);
    const auto offset = number_attribute(view, "Offset").value_or(0);
    const auto restriction = read_restriction(ctx.op.child(ews::ns::messages, "Restriction"));
    const auto* refused = std::get_if<message_status>(&restriction);
    std::string messages;
    for (auto id : child_elements(ctx.op.child(ews::ns::messages, "ParentFolderIds"))) {
        const auto* f = resolve_folder(ctx, id);
        if (!f || refused) {
            messages += response_message("FindItem", refused ? *refused : folder_not_found, "");
            continue;
        }
        const auto& matches = std::get<item_filter>(restriction);
        std::vector<const stored_item*> in_folder;
        for (const auto& [item_id, item] : ctx.mb.items) {
            if (item.folder_id == f->id && matches(item)) in_folder.push_back(&item);
        }
        // Newest first, like Outlook's default view.
        std::stable_sort(in_folder.begin(), in_folder.end(),
                         [](const auto* a, const auto* b) { return a->received > b->received; });
        std::string items;
        std::size_t i = static_cast<std::size_t>(offset);
        const std::size_t end = std::min(in_folder.size(), i + static_cast<std::size_t>(max));
        for (; i < end; ++i) items += message_xml(ctx.mb, *in_folder[i], shape);
        const bool last = end >= in_folder.size();
        messages += response_message(
            "FindItem", {},
            "<m:RootFolder IndexedPagingOffset=\"" + std::to_string(std::max<std::size_t>(end, offset)) +
                "\" TotalItemsInView=\"" + std::to_string(in_folder.size()) + "\" IncludesLastItemInRange=\"" +
                (last ? "true" : "false") + "\"><t:Items>" + items + "</t:Items></m:RootFolder>");
    }
    return ok_reply("FindItem", messages);
}

ews_outcome update_item(op_context& ctx) {
    std::string messages;
    for (auto change : ctx.op.child(ews::ns::messages, "ItemChanges").children(ews::ns::types, "ItemChange")) {
        const auto id = std::string(change.child(ews::ns::types, "ItemId").attribute("Id").value_or(""));
        store_result<const stored_item*> result = ctx.st.find_item(ctx.mb, id);
        if (!std::get<const stored_item*>(result)) result = store_error{item_not_found.code, item_not_found.text};
        for (auto update : child_elements(change.child(ews::ns::types, "Updates"))) {
            if (!std::holds_alternative<const stored_item*>(result)) break;
            const bool set = update.is(ews::ns::types, "SetItemField");
            if (const auto header = internet_header_name(update.child(ews::ns::types, "ExtendedFieldURI"))) {
                auto value = update.descendant(ews::ns::types, "ExtendedProperty").child(ews::ns::types, "Value").text();
                if (!valid_header_field(*header, value)) {
                    result = store_error{"ErrorInvalidExtendedPropertyValue", invalid_header_text};
                    continue;
                }
                result = ctx.st.set_header(ctx.mb, id, *header, set ? std::optional(value) : std::nullopt, ctx.now);
                continue;
            }
            const auto field = update.child(ews::ns::types, "FieldURI").attribute("FieldURI").value_or("");
            if (field != "message:IsRead") continue;  // other properties are accepted and ignored
            const auto flag = ews::xs_boolean(update.descendant(ews::ns::types, "IsRead"));
            const bool is_read = set ? flag.value_or(true) : false;
            result = ctx.st.set_read(ctx.mb, id, is_read, ctx.now);
        }
        item_shape id_only;
        if (const auto* err = std::get_if<store_error>(&result)) {
            messages += response_message("UpdateItem", {err->code, err->text}, "<m:Items/>");
        } else {
            messages += response_message(
                "UpdateItem", {},
                items_element(message_xml(ctx.mb, *std::get<const stored_item*>(result), id_only)) +
                    "<m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>");
        }
    }
    return ok_reply("UpdateItem", messages);
}

ews_outcome move_item(op_context& ctx) {
    const auto target = child_elements(ctx.op.child(ews::ns::messages, "ToFolderId"));
    const folder* to = target.empty() ? nullptr : resolve_folder(ctx, target.front());
    const auto to_id = to ? to->id : std::string{};
    std::string messages;
    item_shape id_only;
    for (auto id : ctx.op.child(ews::ns::messages, "ItemIds").children(ews::ns::types, "ItemId")) {
        messages += item_result_message("MoveItem", ctx,
                                        ctx.st.move(ctx.mb, id.attribute("Id").value_or(""), to_id, ctx.now), id_only);
    }
    return ok_reply("MoveItem", messages);
}

ews_outcome get_attachment(op_context& ctx) {
    std::string messages;
    for (auto id : ctx.op.child(ews::ns::messages, "AttachmentIds").children(ews::ns::types, "AttachmentId")) {
        const auto wanted = id.attribute("Id").value_or("");
        const attachment* found = nullptr;
        for (const auto& [item_id, item] : ctx.mb.items) {
            for (const auto& a : item.msg.attachments) {
                if (a.id == wanted) found = &a;
            }
        }
        if (!found) {
            messages += response_message("GetAttachment",
                                         {"ErrorInvalidAttachmentId", "The attachment ID was invalid."}, "");
            continue;
        }
        messages += response_message(
            "GetAttachment", {},
            "<m:Attachments><t:FileAttachment>" + t_id_element("AttachmentId", found->id, "") +
                t_element("Name", found->name) + t_element("ContentType", found->content_type) +
                t_element("Size", std::to_string(found->size)) +
                t_element("IsInline", found->is_inline ? "true" : "false") +
                "<t:IsContactPhoto>false</t:IsContactPhoto>" + t_element("Content", base64_encode(found->content)) +
                "</t:FileAttachment></m:Attachments>");
    }
    return ok_reply("GetAttachment", messages);
}

}  // namespace ewstrigd::sim
