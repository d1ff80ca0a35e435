#include "source/exchange.hpp"

#include "auth/token_failure.hpp"
#include "http/curl_error.hpp"
#include "util/named_logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <tuple>
#include <utility>
#include <variant>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using net::use_awaitable;

http::header_list headers_for(const ews::request_context& ctx, ews::operation op) {
    http::header_list out;
    for (auto& [name, value] : ews::http_headers(ctx, op)) out.push_back({std::move(name), std::move(value)});
    return out;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger() { return util::named_logger("source"); }

ews::decision cancelled_decision() { return {ews::next_step::transient, {}, "cancelled", "the operation was cancelled"}; }

net::awaitable<bool> is_cancelled() {
    const auto state = co_await net::this_coro::cancellation_state;
    co_return state.cancelled() != net::cancellation_type::none;
}

ews::decision credential_decision(const auth::credential_failure& f) {
    ews::decision d;
    // Retryable kinds (network trouble at the token endpoint) come back later;
    // the others need an admin (`ewstrigd login`, a corrected password).
    d.step = auth::is_retryable(f.kind) ? ews::next_step::reauthenticate : ews::next_step::permanent;
    d.delay = f.retry_after.value_or(std::chrono::milliseconds{0});
    d.code = "credentials:" + std::string{auth::to_string(f.kind)};
    d.reason = f.explanation;
    return d;
}

void parse_reply_body(exchange_reply& r) {
    if (r.http.body.empty()) return;
    auto parsed = ews::response::parse(r.http.body);
    if (auto* body = std::get_if<ews::response>(&parsed)) r.body = std::move(*body);
}

ews::decision classify_reply(const exchange_reply& r) {
    if (r.failure) return *r.failure;
    if (r.ec) {
        if (http::is_timeout(r.ec)) return {ews::next_step::transient, {}, "timeout", "no answer in time (" + r.ec.message() + ")"};
        return {ews::next_step::transient, {}, "network", "the request failed: " + r.ec.message()};
    }
    const auto retry_after = r.http.header("Retry-After");
    const ews::exchange_outcome o{static_cast<int>(r.http.status),
                                  retry_after ? std::optional<std::string>{std::string{*retry_after}} : std::nullopt,
                                  r.body ? &*r.body : nullptr};
    return ews::classify(o);
}

std::optional<ews::decision> reply_problem(const exchange_reply& r, std::string_view operation) {
    if (!r.failure && !r.ec && r.http.status == 200 && r.body && !r.body->fault() && r.body->operation() == operation)
        return std::nullopt;
    auto d = classify_reply(r);
    if (d.step == ews::next_step::proceed)
        d = {ews::next_step::transient, {}, "unexpected-response",
             "the server answered " + std::string{operation} + " with something else"};
    return d;
}

ews::decision first_error(const ews::response& r, ews::decision (*decide)(const ews::ews_status&)) {
    for (const auto& m : r.messages()) {
        if (m.klass == ews::response_class::error) return decide(m);
    }
    return {};
}

channel::channel(http::client& client, auth::credential_provider& credentials, channel_settings settings,
                 http::client* streams)
    : client_(client), streams_(streams ? *streams : client), credentials_(credentials), settings_(std::move(settings)) {
    if (!settings_.server) settings_.server = std::make_shared<const endpoint>();
}

http::request channel::request_for(ews::operation op, std::string body, http::auth auth,
                                   std::optional<http::timeouts> timeouts) const {
    http::request req;
    req.method = http::method::post;
    req.url = settings_.server->url;
    req.headers = headers_for(settings_.context, op);
    req.body = std::move(body);
    req.tls = settings_.server->tls;
    req.auth = std::move(auth);
    if (timeouts) req.timeouts = *timeouts;
    else req.timeouts.total = settings_.request_timeout;
    return req;
}

bool channel::retry_with_fresh_credentials(exchange_reply& reply, int attempt) {
    if (reply.ec || reply.http.status != 401) return false;
    // The server rejected these credentials: never hand them out again.
    credentials_.invalidate();
    if (attempt == 0) return true;
    reply.failure = ews::decision{ews::next_step::reauthenticate, {}, "HTTP 401",
                                  "credentials rejected (HTTP 401) even after fresh ones were fetched"};
    return false;
}

net::awaitable<exchange_reply> channel::exchange(ews::operation op, std::string body,
                                                 http::chunk_handler on_chunk, std::optional<http::timeouts> timeouts) {
    exchange_reply reply;
    for (int attempt = 0;; ++attempt) {
        auto [failure, auth] = co_await credentials_.async_credentials(net::as_tuple(use_awaitable));
        if (co_await is_cancelled()) {
            reply.failure = cancelled_decision();
            co_return reply;
        }
        if (failure) {
            reply.failure = credential_decision(*failure);
            co_return reply;
        }
        auto req = request_for(op, body, std::move(auth), timeouts);  // body kept for the retry
        // No co_await inside ?: — GCC 12 destroys such temporaries twice.
        std::tuple<boost::system::error_code, http::response> answer;
        if (on_chunk) answer = co_await streams_.async_stream(std::move(req), on_chunk, net::as_tuple(use_awaitable));
        else answer = co_await client_.async_send(std::move(req), net::as_tuple(use_awaitable));
        auto& [ec, res] = answer;
        if (ec == net::error::operation_aborted || co_await is_cancelled()) {
            reply.failure = cancelled_decision();
            co_return reply;
        }
        reply.ec = ec;
        reply.http = std::move(res);
        if (!retry_with_fresh_credentials(reply, attempt)) break;
    }
    if (!reply.failure) parse_reply_body(reply);
    co_return reply;
}

void channel::log_failure(std::string_view what, const ews::decision& d) const {
    if (d.step == ews::next_step::proceed || d.code == "cancelled") return;
    const auto level = d.step == ews::next_step::permanent ? spdlog::level::err : spdlog::level::warn;
    logger()->log(level, "mailbox={} op={} step={} code={}: {}", settings_.mailbox_id, what, ews::to_string(d.step),
                  d.code, d.reason);
}

}  // namespace ewstrigd::source
