// Subscribe, Unsubscribe, GetEvents and the validation half of
// GetStreamingEvents (the stream itself is served by the HTTP layer).
#include "ews/response.hpp"
#include "notification_writer.hpp"
#include "op_handlers.hpp"
#include "soap_writer.hpp"

namespace ewstrigd::sim {
namespace {

// GetEvents returns at most 50 events per call (ews-protocol.md §3.3).
constexpr std::size_t max_events_per_call = 50;
// One GetStreamingEvents connection carries at most 200 subscriptions (ews-protocol.md §3.3).
constexpr std::size_t max_subscriptions_per_stream = 200;

const message_status subscription_not_found{
    "ErrorSubscriptionNotFound",
    "The specified subscription was not found. The subscription may have expired, the Exchange Web Services "
    "process may have been restarted, or an invalid subscription was passed in."};

}  // namespace

ews_outcome subscribe(op_context& ctx) {
    subscribe_request req;
    auto spec = ctx.op.child(ews::ns::messages, "StreamingSubscriptionRequest");
    if (!spec) {
        spec = ctx.op.child(ews::ns::messages, "PullSubscriptionRequest");
        req.kind = subscription_kind::pull;
    }
    if (!spec) {
        return ok_reply("Subscribe",
                        response_message("Subscribe", {"ErrorInvalidSubscriptionRequest",
                                                       "Only streaming and pull subscriptions are supported."},
                                         ""));
    }
    const auto all = spec.attribute("SubscribeToAllFolders").value_or("false");
    req.all_folders = all == "true" || all == "1";
    for (auto id : child_elements(spec.child(ews::ns::types, "FolderIds"))) {
        const auto* f = resolve_folder(ctx, id);
        if (!f) {
            return ok_reply("Subscribe",
                            response_message("Subscribe",
                                             folder_not_found,
                                             ""));
        }
        req.folder_ids.push_back(f->id);
    }
    for (auto t : spec.child(ews::ns::types, "EventTypes").children(ews::ns::types, "EventType")) {
        req.event_types.push_back(ews::trimmed(t.text()));
    }
    if (auto w = spec.child(ews::ns::types, "Watermark")) req.watermark = ews::trimmed(w.text());
    if (auto t = ews::xs_unsigned(spec.child(ews::ns::types, "Timeout"))) {
        req.timeout = std::chrono::minutes(static_cast<std::chrono::minutes::rep>(*t));
    }
    const auto kind = req.kind;
    auto result = ctx.st.subscribe(ctx.mb, std::move(req), ctx.now);
    if (auto* err = std::get_if<store_error>(&result)) {
        return ok_reply("Subscribe", response_message("Subscribe", {err->code, err->text}, ""));
    }
    const auto* s = std::get<subscription*>(result);
    std::string inner = m_element("SubscriptionId", s->id);
    if (kind == subscription_kind::pull) inner += m_element("Watermark", s->last_watermark);
    return ok_reply("Subscribe", response_message("Subscribe", {}, inner));
}

ews_outcome unsubscribe(op_context& ctx) {
    const auto id = ews::trimmed(ctx.op.child(ews::ns::messages, "SubscriptionId").text());
    const bool found = ctx.st.find_subscription(id, ctx.now) && ctx.st.unsubscribe(id);
    return ok_reply("Unsubscribe",
                    response_message("Unsubscribe", found ? message_status{} : subscription_not_found, ""));
}

ews_outcome get_events(op_context& ctx) {
    const auto id = ews::trimmed(ctx.op.child(ews::ns::messages, "SubscriptionId").text());
    auto* s = ctx.st.find_subscription(id, ctx.now);
    if (!s || s->kind != subscription_kind::pull) {
        return ok_reply("GetEvents", response_message("GetEvents", subscription_not_found, ""));
    }
    s->last_used = ctx.now;
    auto events = ctx.st.take_events(*s, max_events_per_call);
    notification_options opts;
    opts.watermarks = true;
    opts.previous_watermark = s->last_watermark;
    opts.more_events = !s->pending.empty();
    if (events.empty()) {
        // "If there are no events, a StatusEvent is returned" (ews-protocol.md §2.4).
        event status;
        status.watermark = ctx.st.current_watermark(ctx.mb);
        events.push_back(status);
    }
    s->last_watermark = events.back().watermark;
    return ok_reply("GetEvents", response_message("GetEvents", {}, notification_xml(s->id, events, opts)));
}

// The backend server a GetStreamingEvents request reaches (backends.hpp): the one
// its affinity cookie names, else its mailbox's (X-AnchorMailbox or impersonation).
std::string routed_backend(op_context& ctx) {
    if (ctx.affinity && ctx.affinity->prefer_affinity && !ctx.affinity->cookie_backend.empty())
        return ctx.affinity->cookie_backend;
    return ctx.st.backends().backend_of(ctx.mb.address);
}

ews_outcome get_streaming_events(op_context& ctx) {
    stream_request req;
    req.mailbox = ctx.mb.address;
    const auto backend = routed_backend(ctx);
    std::vector<std::string> missing;
    for (auto id : ctx.op.child(ews::ns::messages, "SubscriptionIds").children(ews::ns::types, "SubscriptionId")) {
        auto sid = ews::trimmed(id.text());
        const auto* s = ctx.st.find_subscription(sid, ctx.now);
        // A subscription on another server is unknown here, as on Exchange without affinity.
        if (!s || s->kind != subscription_kind::streaming || ctx.st.backends().backend_of(s->mailbox) != backend) {
            missing.push_back(sid);
        } else {
            req.subscription_ids.push_back(std::move(sid));
        }
    }
    if (missing.size() + req.subscription_ids.size() > max_subscriptions_per_stream) {
        // Microsoft documents the limit but not the error; we answer like an invalid subscription set,
        // without ErrorSubscriptionIds (no single id is at fault) and with Closed, as for other stream errors.
        return ok_reply("GetStreamingEvents",
                        response_message("GetStreamingEvents",
                                         {"ErrorInvalidSubscription",
                                          "A GetStreamingEvents request can name at most 200 subscriptions."},
                                         "<m:ConnectionStatus>Closed</m:ConnectionStatus>"));
    }
    const auto timeout = ews::xs_unsigned(ctx.op.child(ews::ns::messages, "ConnectionTimeout"));
    if (!timeout || *timeout < 1 || *timeout > 30 || (missing.empty() && req.subscription_ids.empty())) {
        return fault_reply("ErrorSchemaValidation",
                           "The request failed schema validation: ConnectionTimeout must be 1..30 and "
                           "SubscriptionIds must not be empty.");
    }
    if (!missing.empty()) {
        // As Exchange: an Error message listing the bad ids, then the connection closes.
        std::string ids;
        for (const auto& m : missing) ids += m_element("SubscriptionId", m);
        return ok_reply("GetStreamingEvents",
                        response_message("GetStreamingEvents", subscription_not_found,
                                         "<m:ErrorSubscriptionIds>" + ids +
                                             "</m:ErrorSubscriptionIds><m:ConnectionStatus>Closed</m:ConnectionStatus>"));
    }
    req.connection_timeout = std::chrono::minutes(static_cast<std::chrono::minutes::rep>(*timeout));
    return req;
}

}  // namespace ewstrigd::sim
