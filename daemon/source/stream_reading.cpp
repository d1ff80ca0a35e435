#include "source/stream_reading.hpp"

#include "ews/requests.hpp"
#include "http/curl_error.hpp"

#include <string>
#include <variant>

namespace ewstrigd::source {
namespace {

ews::decision make(ews::next_step step, std::string code, std::string reason) {
    return {step, {}, std::move(code), std::move(reason)};
}

}  // namespace

bool read_stream_chunk(stream_reading& st, std::string_view bytes, const frame_reader& on_frame) {
    auto docs = st.splitter.feed(bytes);
    if (const auto* err = std::get_if<ews::splitter_error>(&docs)) {
        st.failure = make(ews::next_step::transient, "stream-framing",
                          "the notification stream is not EWS XML: " + err->message);
        return false;
    }
    for (const auto& doc : std::get<std::vector<std::string>>(docs)) {
        const auto parsed = ews::response::parse(doc);
        const auto* r = std::get_if<ews::response>(&parsed);
        if (!r) {
            st.failure = make(ews::next_step::transient, "stream-xml",
                              "a notification frame is not XML: " + std::get<ews::parse_error>(parsed).message);
            return false;
        }
        if (!on_frame(*r, st)) return false;
    }
    return true;
}

ews::decision stream_outcome(const exchange_reply& reply, const stream_reading& st, std::chrono::seconds idle) {
    if (reply.failure) return *reply.failure;
    if (st.failure) return *st.failure;
    if (st.closed) return {};
    if (!reply.ec && reply.http.status >= 200 && reply.http.status < 300)
        return st.splitter.at_boundary()
                   ? ews::decision{}  // the server hung up between frames without Closed: listen again
                   : make(ews::next_step::transient, "stream-cut", "the notification stream ended inside a frame");
    if (http::is_timeout(reply.ec))
        return make(ews::next_step::transient, "stream-idle",
                    "no keep-alive from the server for " + std::to_string(idle.count()) + " s");
    auto d = classify_reply(reply);
    if (d.step == ews::next_step::proceed && reply.body) {
        for (const auto& m : reply.body->messages()) {
            if (m.klass == ews::response_class::error) return message_decision(m);
        }
    }
    return d;
}

std::string streaming_request_body(const ews::request_context& ctx, std::vector<std::string> subscription_ids,
                                   std::chrono::minutes connection_timeout) {
    return ews::soap_request(
        ctx, ews::get_streaming_events{std::move(subscription_ids), static_cast<int>(connection_timeout.count())});
}

http::timeouts streaming_timeouts(std::chrono::seconds idle) {
    http::timeouts t;
    t.idle = idle;
    return t;
}

boost::asio::awaitable<ews::decision> stream_events(channel& via, std::vector<std::string> subscription_ids,
                                                     std::chrono::minutes connection_timeout,
                                                     std::chrono::seconds idle, const frame_reader& on_frame) {
    stream_reading st;
    // Moved into the request, not kept in this frame as well: a group's body
    // holds 200 subscription ids for the connection's life (issue 8).
    auto body = streaming_request_body(via.settings().context, std::move(subscription_ids), connection_timeout);
    const auto reply = co_await via.exchange(
        ews::operation::get_streaming_events, std::move(body),
        [&st, &on_frame](std::string_view bytes) { return read_stream_chunk(st, bytes, on_frame); },
        streaming_timeouts(idle));
    co_return stream_outcome(reply, st, idle);
}

ews::decision message_decision(const ews::ews_status& s) { return ews::classify_message(s); }

}  // namespace ewstrigd::source
