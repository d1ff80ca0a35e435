// ews_source's mail-out operations (mail_source.hpp "mail out"): CreateItem
// SendAndSaveCopy, the Sent Items lookup by internet header, and the
// attachments a send action passes on (GetItem item:Attachments, then one
// GetAttachment for the chosen ones). Kept apart from ews_source.cpp, which
// is about watching.

#include "ews/create_item.hpp"
#include "ews/get_attachment.hpp"
#include "ews/items.hpp"
#include "source/ews_source.hpp"
#include "util/base64.hpp"

#include <boost/asio/this_coro.hpp>

#include <string_view>

namespace ewstrigd::source {
namespace {

using ews::next_step;

// Reading the message or an attachment of it that is gone: retrying cannot bring it back.
outcome read_decision(const ews::ews_status& s) {
    auto d = ews::classify_send_error(s);
    for (const std::string_view gone :
         {"ErrorItemNotFound", "ErrorInvalidAttachmentId", "ErrorCannotFindFileAttachment"}) {
        if (s.code == gone) d.step = next_step::permanent;
    }
    return d;
}

outcome unexpected(std::string reason) { return {next_step::transient, {}, "unexpected-response", std::move(reason)}; }

}  // namespace

void ews_source::send_mail_impl(outgoing_mail mail, completion<done_signature> h) {
    launch("CreateItem(send)", send_mail_op(std::move(mail)), std::move(h));
}

void ews_source::find_sent_impl(std::string header, std::string value, completion<found_signature> h) {
    launch("FindItem(sentitems)", find_sent_op(std::move(header), std::move(value)), std::move(h));
}

void ews_source::list_attachments_impl(std::string id, completion<listed_signature> h) {
    launch("GetItem(attachments)", list_attachments_op(std::move(id)), std::move(h));
}

void ews_source::fetch_attachments_impl(std::vector<std::string> attachment_ids, completion<attachments_signature> h) {
    launch("GetAttachment", fetch_attachments_op(std::move(attachment_ids)), std::move(h));
}

ews_source::task<std::tuple<outcome>> ews_source::send_mail_op(outgoing_mail mail) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    const auto body = ews::soap_request(channel_.settings().context, ews::send_message{std::move(mail)});
    const auto reply = co_await channel_.exchange(ews::operation::create_item, body);
    if (auto p = reply_problem(reply, "CreateItem")) co_return *p;
    co_return first_error(*reply.body, ews::classify_send_error);
}

ews_source::task<std::tuple<outcome, bool>> ews_source::find_sent_op(std::string header, std::string value) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    ews::find_by_header query;
    query.header = std::move(header);
    query.value = std::move(value);
    const auto body = ews::soap_request(channel_.settings().context, query);
    const auto reply = co_await channel_.exchange(ews::operation::find_item, body);
    if (auto p = reply_problem(reply, "FindItem")) co_return std::tuple{*p, false};
    if (auto e = first_error(*reply.body, ews::classify_send_error); e.step != next_step::proceed) co_return std::tuple{e, false};
    const auto parsed = ews::parse_items(*reply.body);
    const auto* messages = std::get_if<std::vector<ews::items_message>>(&parsed);
    // An answer we cannot read says nothing about Sent Items: taking it as
    // "not sent" would send the mail a second time.
    if (!messages || messages->empty()) co_return std::tuple{unexpected("unreadable FindItem answer"), false};
    co_return std::tuple{outcome{}, !messages->front().items.empty()};
}

ews_source::task<std::tuple<outcome, std::vector<listed_attachment>>> ews_source::list_attachments_op(std::string id) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    std::vector<listed_attachment> out;
    const ews::get_item request{{{id, std::nullopt}}, {"item:Attachments"}, false};
    const auto body = ews::soap_request(channel_.settings().context, request);
    const auto reply = co_await channel_.exchange(ews::operation::get_item, body);
    if (auto p = reply_problem(reply, "GetItem")) co_return std::tuple{*p, out};
    if (auto e = first_error(*reply.body, read_decision); e.step != next_step::proceed) co_return std::tuple{e, out};
    const auto parsed = ews::parse_items(*reply.body);
    const auto* messages = std::get_if<std::vector<ews::items_message>>(&parsed);
    if (!messages || messages->empty() || messages->front().items.empty())
        co_return std::tuple{unexpected("GetItem answered without the message"), out};
    for (const auto& a : messages->front().items.front().attachments) {
        if (a.kind != "FileAttachment" || a.id.empty()) continue;
        out.push_back({a.id, a.name, a.content_type, a.size.value_or(0), a.is_inline.value_or(false)});
    }
    co_return std::tuple{outcome{}, std::move(out)};
}

ews_source::task<std::tuple<outcome, std::vector<attachment_file>>> ews_source::fetch_attachments_op(
    std::vector<std::string> attachment_ids) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    std::vector<attachment_file> out;
    if (attachment_ids.empty()) co_return std::tuple{outcome{}, out};  // the schema requires at least one id
    const auto wanted = attachment_ids.size();
    const auto body = ews::soap_request(channel_.settings().context, ews::get_attachment{std::move(attachment_ids)});
    const auto reply = co_await channel_.exchange(ews::operation::get_attachment, body);
    if (auto p = reply_problem(reply, "GetAttachment")) co_return std::tuple{*p, out};
    if (auto e = first_error(*reply.body, read_decision); e.step != next_step::proceed) co_return std::tuple{e, out};
    auto parsed = ews::parse_attachments(*reply.body);
    if (auto* messages = std::get_if<std::vector<ews::attachments_message>>(&parsed)) {
        for (auto& m : *messages) {
            for (auto& a : m.attachments) {
                // Checked and measured, not decoded: it goes back out as base64 (util/base64.hpp).
                auto content = a.content_base64 ? util::compact_base64(std::move(*a.content_base64)) : std::nullopt;
                if (!content)
                    co_return std::tuple{unexpected("GetAttachment sent no base64 t:Content for " + a.info.name), out};
                out.push_back({a.info.name, a.info.content_type, std::move(*content)});
            }
        }
    }
    if (out.size() != wanted)
        co_return std::tuple{unexpected("GetAttachment answered " + std::to_string(out.size()) + " of " +
                                        std::to_string(wanted) + " attachments"),
                             std::vector<attachment_file>{}};
    co_return std::tuple{outcome{}, std::move(out)};
}

}  // namespace ewstrigd::source
