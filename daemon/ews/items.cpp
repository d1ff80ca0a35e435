#include "ews/items.hpp"

namespace ewstrigd::ews {
namespace {

std::string t_text(element parent, std::string_view local) { return parent.child(ns::types, local).text(); }

mailbox mailbox_of(element mb) { return {t_text(mb, "Name"), t_text(mb, "EmailAddress")}; }

std::optional<mailbox> single_mailbox(element wrapper) {
    const element mb = wrapper.child(ns::types, "Mailbox");
    if (!mb) return std::nullopt;
    return mailbox_of(mb);
}

std::vector<mailbox> mailboxes(element wrapper) {
    std::vector<mailbox> out;
    for (const element mb : wrapper.children(ns::types, "Mailbox")) out.push_back(mailbox_of(mb));
    return out;
}

std::vector<attachment_info> attachments_of(element list) {
    std::vector<attachment_info> out;
    for (element a = list.first_child(); a; a = a.next_sibling()) {
        if (a.namespace_uri() == ns::types) out.push_back(attachment_of(a));
    }
    return out;
}

// Every child of `list` in the types namespace is an item of some kind.
void append_items(element list, std::vector<item>& out) {
    for (element e = list.first_child(); e; e = e.next_sibling()) {
        if (e.namespace_uri() == ns::types) out.push_back(item_of(e));
    }
}

}  // namespace

std::optional<object_id> object_id_of(element e) {
    if (!e) return std::nullopt;
    return object_id{std::string{e.attribute("Id").value_or("")}, std::string{e.attribute("ChangeKey").value_or("")}};
}

attachment_info attachment_of(element e) {
    return {std::string{e.local_name()},
            std::string{e.child(ns::types, "AttachmentId").attribute("Id").value_or("")},
            t_text(e, "Name"),
            xs_unsigned(e.child(ns::types, "Size")),
            t_text(e, "ContentType"),
            xs_boolean(e.child(ns::types, "IsInline"))};
}

item item_of(element e) {
    item it;
    it.kind = std::string{e.local_name()};
    // moveitem-operation.md's sample misspells ItemId; accept both.
    element id = e.child(ns::types, "ItemId");
    it.id = object_id_of(id ? id : e.child(ns::types, "ItemID"));
    it.subject = t_text(e, "Subject");
    it.from = single_mailbox(e.child(ns::types, "From"));
    it.sender = single_mailbox(e.child(ns::types, "Sender"));
    it.to = mailboxes(e.child(ns::types, "ToRecipients"));
    it.cc = mailboxes(e.child(ns::types, "CcRecipients"));
    it.date_time_received = trimmed(t_text(e, "DateTimeReceived"));
    it.importance = trimmed(t_text(e, "Importance"));
    it.is_read = xs_boolean(e.child(ns::types, "IsRead"));
    it.has_attachments = xs_boolean(e.child(ns::types, "HasAttachments"));
    it.attachments = attachments_of(e.child(ns::types, "Attachments"));
    for (const element s : e.child(ns::types, "Categories").children(ns::types, "String"))
        it.categories.push_back(s.text());
    for (const element h : e.child(ns::types, "InternetMessageHeaders").children(ns::types, "InternetMessageHeader"))
        it.internet_headers.emplace_back(h.attribute("HeaderName").value_or(""), h.text());
    it.internet_message_id = trimmed(t_text(e, "InternetMessageId"));
    if (const element body = e.child(ns::types, "Body"))
        it.body = item_body{std::string{body.attribute("BodyType").value_or("Text")}, body.text()};
    if (const element mime = e.child(ns::types, "MimeContent")) it.mime_content = mime.text();
    return it;
}

parse_result<std::vector<items_message>> parse_items(const response& r) {
    if (auto err = expect_operation(r, {"GetItem", "FindItem", "MoveItem", "CopyItem", "UpdateItem", "CreateItem"}))
        return *std::move(err);
    std::vector<items_message> out;
    for (const auto& rm : r.messages()) {
        items_message m{rm, {}};
        append_items(rm.node.child(ns::messages, "Items"), m.items);
        append_items(rm.node.child(ns::messages, "RootFolder").child(ns::types, "Items"), m.items);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ewstrigd::ews
