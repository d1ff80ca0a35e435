// ews_source's mail-out operations (mail_source.hpp "mail out"): CreateItem
// SendAndSaveCopy and the Sent Items lookup by internet header. Kept apart
// from ews_source.cpp, which is about watching.

#include "ews/create_item.hpp"
#include "ews/items.hpp"
#include "source/ews_source.hpp"

#include <boost/asio/this_coro.hpp>

#include <string_view>

namespace ewstrigd::source {
namespace {

using ews::next_step;

// What is wrong with `r` as an answer to `operation`, or nullopt when it is
// a usable 200 answer whose response messages the caller reads.
std::optional<outcome> unusable(const exchange_reply& r, std::string_view operation) {
    if (!r.failure && !r.ec && r.http.status == 200 && r.body && !r.body->fault() && r.body->operation() == operation)
        return std::nullopt;
    auto d = classify_reply(r);
    if (d.step == next_step::proceed)
        d = {next_step::transient, {}, "unexpected-response", "the server answered " + std::string{operation} + " with something else"};
    return d;
}

// The first Error response message of `r` as a decision, or proceed.
outcome first_error(const ews::response& r) {
    for (const auto& m : r.messages()) {
        if (m.klass == ews::response_class::error) return ews::classify_send_error(m);
    }
    return {};
}

}  // namespace

void ews_source::send_mail_impl(outgoing_mail mail, completion<done_signature> h) {
    launch("CreateItem(send)", send_mail_op(std::move(mail)), std::move(h));
}

void ews_source::find_sent_impl(std::string header, std::string value, completion<found_signature> h) {
    launch("FindItem(sentitems)", find_sent_op(std::move(header), std::move(value)), std::move(h));
}

ews_source::task<std::tuple<outcome>> ews_source::send_mail_op(outgoing_mail mail) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    const auto body = ews::soap_request(channel_.settings().context, ews::send_message{std::move(mail)});
    const auto reply = co_await channel_.exchange(ews::operation::create_item, body);
    if (auto p = unusable(reply, "CreateItem")) co_return *p;
    co_return first_error(*reply.body);
}

ews_source::task<std::tuple<outcome, bool>> ews_source::find_sent_op(std::string header, std::string value) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    ews::find_by_header query;
    query.header = std::move(header);
    query.value = std::move(value);
    const auto body = ews::soap_request(channel_.settings().context, query);
    const auto reply = co_await channel_.exchange(ews::operation::find_item, body);
    if (auto p = unusable(reply, "FindItem")) co_return std::tuple{*p, false};
    if (auto e = first_error(*reply.body); e.step != next_step::proceed) co_return std::tuple{e, false};
    const auto parsed = ews::parse_items(*reply.body);
    const auto* messages = std::get_if<std::vector<ews::items_message>>(&parsed);
    const bool found = messages && !messages->empty() && !messages->front().items.empty();
    co_return std::tuple{outcome{}, found};
}

}  // namespace ewstrigd::source
