#include "http_server.hpp"

#include "admin_api.hpp"
#include "ascii.hpp"
#include "ews_request.hpp"
#include "faults.hpp"
#include "jwks_fetch.hpp"
#include "jwt_verifier.hpp"
#include "operations.hpp"
#include "soap_writer.hpp"
#include "stats.hpp"
#include "store.hpp"
#include "stream_frames.hpp"
#include "throttle.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <list>
#include <map>
#include <optional>
#include <stdexcept>

namespace ewstrigd::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

// Admin deliveries of raw messages with attachments can be large.
constexpr std::uint64_t body_limit = 64ull * 1024 * 1024;
// An idle keep-alive connection is closed after this long, like IIS's default.
constexpr auto idle_timeout = std::chrono::minutes(2);
constexpr auto handshake_timeout = std::chrono::seconds(30);

// Named rather than literal: gcc 12 rejects string literals as arguments
// inside co_await expressions ("array used as initializer").
constexpr std::string_view powered_by_field = "X-Powered-By";
constexpr std::string_view powered_by_value = "ASP.NET";
constexpr std::string_view no_buffering_field = "X-NoBuffering";
constexpr std::string_view no_buffering_value = "1";
constexpr std::string_view anchor_field = "X-AnchorMailbox";
constexpr std::string_view affinity_field = "X-PreferServerAffinity";
constexpr std::string_view xml_type = "text/xml; charset=utf-8";
constexpr std::string_view json_type = "application/json";
constexpr std::string_view text_type = "text/plain";
constexpr std::string_view html_type = "text/html";
constexpr std::string_view not_found_text = "not found\n";
constexpr std::string_view post_here_text = "POST SOAP requests here\n";
constexpr std::string_view unavailable_html = "<html><body>Service Unavailable</body></html>";
constexpr std::string_view garbage_body = "\x01garbage <not xml <<< &&& \xff\xfe";


// One open GetStreamingEvents connection, as seen by stream_control.
struct open_stream {
    std::string mailbox;
    net::steady_timer wake;
    bool drop = false;   // close the connection abruptly at the next wake-up
    bool stall = false;  // stop writing (no events, no keep-alives, no Closed)
};

}  // namespace

struct server::impl final : stream_control {
    impl(net::io_context& ioc, options o)
        : ioc_(ioc), opts_(std::move(o)), acceptor_(ioc), admin_(store_, faults_, stats_, *this),
          budget_(opts_.throttle) {
        store_.set_subscription_limit(opts_.throttle.max_subscriptions);
        for (const auto& address : opts_.send_as) store_.allow_send_as(address);
        store_.backends().set_count(opts_.backends);
    }

    // stream_control: wakes the streams serving a subscription that got events or is gone.
    void events_queued() override {
        for (const auto& id : store_.take_changed_subscriptions()) {
            if (auto it = stream_of_subscription_.find(id); it != stream_of_subscription_.end()) it->second->wake.cancel();
        }
    }
    std::uint64_t apply_to_open_streams(const fault& f) override {
        std::uint64_t n = 0;
        for (auto* s : streams_) {
            if (n >= f.count) break;
            if ((f.mailbox && *f.mailbox != s->mailbox) || s->drop || s->stall) continue;
            (f.kind == fault_kind::drop_streams ? s->drop : s->stall) = true;
            s->wake.cancel();
            ++n;
        }
        return n;
    }
    std::size_t open_streams() const override { return streams_.size(); }

    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
            if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
            if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
            net::co_spawn(ioc_, session(std::move(socket)), net::detached);
        }
    }

    net::awaitable<void> session(tcp::socket socket) {
        if (!tls_) {
            beast::tcp_stream stream(std::move(socket));
            co_await serve_requests(stream);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
        beast::get_lowest_layer(stream).expires_after(handshake_timeout);
        // A client that does not trust our certificate aborts here; that is the expected failure.
        if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple); ec) co_return;
        co_await serve_requests(stream);
    }

    template <class Stream>
    net::awaitable<void> serve_requests(Stream& stream) {
        auto& lowest = beast::get_lowest_layer(stream);
        auto registered = sessions_.insert(sessions_.end(), &lowest);
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(body_limit);
            lowest.expires_after(idle_timeout);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (ec) break;  // end_of_stream, timeout, or stop(): all end the session quietly
            lowest.expires_never();
            auto req = parser.release();
            const bool keep = co_await handle(stream, std::move(req));
            if (!keep) break;
        }
        sessions_.erase(registered);
        // No TLS close_notify: like a plain close, the HTTP framing already told the client where the body ends.
        beast::error_code ignored;
        lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    template <class Stream, class Body>
    net::awaitable<bool> send(Stream& stream, http::response<Body> res, bool keep_alive) {
        res.set(http::field::server, "Microsoft-IIS/10.0");
        res.set(powered_by_field, powered_by_value);
        res.keep_alive(keep_alive);
        res.prepare_payload();
        auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
        co_return !ec && keep_alive;
    }

    template <class Stream>
    net::awaitable<bool> send_text(Stream& stream, const http::request<http::string_body>& req,
                                   unsigned status, std::string_view content_type, std::string body,
                                   std::string_view set_cookie = {}) {
        http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
        if (!content_type.empty()) res.set(http::field::content_type, content_type);
        if (!set_cookie.empty()) res.set(http::field::set_cookie, set_cookie);
        res.body() = std::move(body);
        co_return co_await send(stream, std::move(res), req.keep_alive());
    }

    // `bearer_error`: why a presented Bearer token was rejected, in Exchange Online's form
    // (Bearer error="invalid_token", error_description="..."); a plain Bearer challenge otherwise.
    template <class Stream>
    net::awaitable<bool> send_unauthorized(Stream& stream, const http::request<http::string_body>& req,
                                           std::string bearer_error = {}) {
        ++stats_.unauthorized;
        http::response<http::string_body> res{http::status::unauthorized, req.version()};
        if (jwt_) {
            res.insert(http::field::www_authenticate,
                       bearer_error.empty() ? std::string("Bearer")
                                            : "Bearer error=\"invalid_token\", error_description=\"" + bearer_error + "\"");
        }
        if (!jwt_ || !opts_.auth.users.empty()) res.insert(http::field::www_authenticate, "Basic realm=\"ews-sim\"");
        co_return co_await send(stream, std::move(res), req.keep_alive());
    }

    template <class Stream>
    net::awaitable<bool> handle(Stream& stream, http::request<http::string_body> req) {
        const auto target = std::string_view(req.target());
        const auto path = target.substr(0, target.find('?'));
        if (path.starts_with("/admin/")) {
            auto reply = admin_.handle(std::string_view(req.method_string()), target,
                                       std::string_view(req[http::field::content_type]), req.body(),
                                       std::chrono::system_clock::now());
            co_return co_await send_text(stream, req, reply.status, json_type, std::move(reply.body));
        }
        if (ascii_lower(path) != "/ews/exchange.asmx") {
            co_return co_await send_text(stream, req, 404, text_type, std::string(not_found_text));
        }
        if (req.method() != http::verb::post) {
            co_return co_await send_text(stream, req, 405, text_type, std::string(post_here_text));
        }
        auto who = authenticate(opts_.auth, jwt_.get(), std::string_view(req[http::field::authorization]),
                                std::chrono::system_clock::now());
        if (auto* denied = std::get_if<auth_denied>(&who)) {
            co_return co_await send_unauthorized(stream, req, std::move(denied->bearer_error));
        }
        co_return co_await handle_ews(stream, std::move(req), std::move(std::get<std::string>(who)));
    }

    template <class Stream>
    net::awaitable<bool> handle_ews(Stream& stream, http::request<http::string_body> req,
                                    std::string user) {
        auto parsed = parse_ews_request(req.body(), caller{std::move(user), std::string(req[anchor_field])});
        if (auto* f = std::get_if<request_fault>(&parsed)) {
            ++stats_.requests_by_operation["(invalid)"];
            auto reply = fault_reply(f->code, f->message);
            co_return co_await send_text(stream, req, reply.status, xml_type, std::move(reply.body));
        }
        const auto& ews = std::get<ews_request>(parsed);
        const affinity_headers affinity{beast::iequals(req[affinity_field], "true"),
                                        cookie_backend(req[http::field::cookie]).value_or("")};
        ++stats_.requests_by_operation[ews.operation];
        if (auto backoff = budget_.charge(ews.mailbox, std::chrono::steady_clock::now())) {
            ++stats_.throttled;
            auto busy = server_busy_reply(static_cast<std::uint64_t>(backoff->count()));
            co_return co_await send_text(stream, req, busy.status, xml_type, std::move(busy.body));
        }
        if (auto f = faults_.take_request_fault(ews.mailbox, ews.operation)) {
            ++stats_.faults_injected;
            switch (f->kind) {
            case fault_kind::delay: {
                net::steady_timer t(ioc_, std::chrono::milliseconds(f->delay_ms));
                co_await t.async_wait(use_tuple);
                break;
            }
            case fault_kind::http_status:
                co_return co_await send_text(stream, req, f->status, html_type, std::string(unavailable_html));
            case fault_kind::unauthorized: co_return co_await send_unauthorized(stream, req);
            case fault_kind::garbage:
                co_return co_await send_text(stream, req, 200, xml_type,
                                             std::string(garbage_body));
            case fault_kind::server_busy: {
                auto busy = server_busy_reply(f->backoff_ms);
                co_return co_await send_text(stream, req, busy.status, xml_type, std::move(busy.body));
            }
            default: break;
            }
        }
        auto outcome = execute(store_, ews, std::chrono::system_clock::now(), affinity);
        if (auto* reply = std::get_if<soap_reply>(&outcome)) {
            events_queued();  // CreateItem deliveries and MoveItem queue events for open streams
            // Affinity asked where the subscription lives: its mailbox's server (backends.hpp).
            const auto cookie = affinity.prefer_affinity && ews.operation == "Subscribe"
                                    ? affinity_set_cookie(store_.backends().backend_of(ews.mailbox), ews.mailbox)
                                    : std::string{};
            co_return co_await send_text(stream, req, reply->status, xml_type, std::move(reply->body), cookie);
        }
        auto& sr = std::get<stream_request>(outcome);
        const auto open_here = std::count_if(streams_.begin(), streams_.end(),
                                             [&](const open_stream* s) { return s->mailbox == sr.mailbox; });
        if (stream_limit_reached(opts_.throttle, static_cast<std::size_t>(open_here))) {
            ++stats_.throttled;
            auto refused = exceeded_connection_count_reply();
            co_return co_await send_text(stream, req, refused.status, xml_type, std::move(refused.body));
        }
        co_await serve_stream(stream, req.version(), std::move(sr));
        co_return false;  // the stream ended the response; the connection closes as Exchange's does
    }

    // Writes one HTTP chunk; false when the client is gone.
    template <class Stream>
    net::awaitable<bool> write_chunk(Stream& stream, const std::string& data) {
        auto [ec, n] = co_await net::async_write(stream, http::make_chunk(net::buffer(data)), use_tuple);
        co_return !ec;
    }

    template <class Stream>
    net::awaitable<void> serve_stream(Stream& stream, unsigned version, stream_request sr) {
        ++stats_.streams_opened;
        open_stream self{sr.mailbox, net::steady_timer(ioc_), false, false};
        auto registered = streams_.insert(streams_.end(), &self);
        for (const auto& id : sr.subscription_ids) {
            auto& serving = stream_of_subscription_[id];
            if (serving && serving != &self) serving->wake.cancel();  // the older stream notices it is superseded
            serving = &self;
        }
        if (auto f = faults_.take_stream_fault(sr.mailbox)) {
            ++stats_.faults_injected;
            (f->kind == fault_kind::drop_streams ? self.drop : self.stall) = true;
        }
        co_await stream_loop(stream, version, sr, self);
        streams_.erase(registered);
        std::erase_if(stream_of_subscription_, [&](const auto& entry) { return entry.second == &self; });
        if (self.drop) {
            // Abrupt end: no Closed frame, no last chunk, RST rather than FIN (no TLS close_notify either).
            beast::error_code ignored;
            auto& socket = beast::get_lowest_layer(stream).socket();
            socket.set_option(net::socket_base::linger(true, 0), ignored);
            socket.close(ignored);
        }
    }

    // `self` lives in the awaiting serve_stream frame, so the reference outlives this coroutine.
    template <class Stream>
    net::awaitable<void> stream_loop(Stream& stream, unsigned version, const stream_request& sr,
                                     open_stream& self) {
        http::response<http::empty_body> res{http::status::ok, version};
        res.set(http::field::server, "Microsoft-IIS/10.0");
        res.set(http::field::content_type, xml_type);
        res.set(no_buffering_field, no_buffering_value);
        res.keep_alive(false);
        res.chunked(true);
        http::response_serializer<http::empty_body> serializer{res};
        if (auto [ec, n] = co_await http::async_write_header(stream, serializer, use_tuple); ec) co_return;
        // Exchange sends an OK frame at once; exchangelib blocks until the first bytes (exchangelib.md G8).
        if (!co_await write_chunk(stream, std::string(xml_declaration) + keepalive_frame())) co_return;

        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + opts_.minute * sr.connection_timeout.count();
        auto next_keepalive = clock::now() + opts_.keepalive;
        for (;;) {
            if (self.drop) co_return;
            if (!self.stall) {
                std::vector<std::string> served;
                for (const auto& id : sr.subscription_ids) {
                    if (auto it = stream_of_subscription_.find(id); it == stream_of_subscription_.end() || it->second == &self)
                        served.push_back(id);
                }
                // Every subscription moved to a newer connection: this one is over.
                if (served.empty()) break;
                auto poll = poll_stream(store_, served, std::chrono::system_clock::now());
                if (!poll.frame.empty() && !co_await write_chunk(stream, poll.frame)) co_return;
                if (poll.ended) break;
                if (!poll.frame.empty()) continue;  // a frame carries 50 events per subscription: send the rest now
            }
            const auto now = clock::now();
            if (now >= deadline) {
                if (self.stall) {
                    self.drop = true;  // a stalled stream never says Closed
                    co_return;
                }
                if (!co_await write_chunk(stream, closed_frame())) co_return;
                break;
            }
            if (now >= next_keepalive && !self.stall) {
                if (!co_await write_chunk(stream, keepalive_frame())) co_return;
                next_keepalive = now + opts_.keepalive;
            }
            self.wake.expires_at(std::min(deadline, next_keepalive));
            co_await self.wake.async_wait(use_tuple);
            if (stopping_) co_return;
        }
        co_await net::async_write(stream, http::make_chunk_last(), use_tuple);
    }

    net::io_context& ioc_;
    options opts_;
    tcp::acceptor acceptor_;
    store store_;
    fault_list faults_;
    stats stats_;
    admin_api admin_;
    request_budget budget_;
    std::list<open_stream*> streams_;
    // The stream serving each subscription: the newest GetStreamingEvents naming it, as on Exchange,
    // where a subscription lives on one connection. An older stream stops serving it.
    std::map<std::string, open_stream*, std::less<>> stream_of_subscription_;
    std::list<beast::tcp_stream*> sessions_;
    std::optional<ssl::context> tls_;  // set when serving HTTPS
    std::unique_ptr<jwt_verifier> jwt_;  // set with --jwks-url
    bool stopping_ = false;
};

server::server(net::io_context& ioc, options opts) : impl_(std::make_unique<impl>(ioc, std::move(opts))) {
    if (!impl_->opts_.tls_cert.empty()) {
        auto& ctx = impl_->tls_.emplace(ssl::context::tls_server);
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        try {
            ctx.use_certificate_chain_file(impl_->opts_.tls_cert);
            ctx.use_private_key_file(impl_->opts_.tls_key, ssl::context::pem);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("--tls-cert " + impl_->opts_.tls_cert + " / --tls-key " + impl_->opts_.tls_key +
                                     ": " + e.code().message());
        }
    }
    if (const auto& j = impl_->opts_.auth.jwt; j.enabled()) {
        try {
            impl_->jwt_ = std::make_unique<jwt_verifier>(jwt_expectations{j.issuer, j.audience},
                                                         [url = j.jwks_url] { return fetch_jwks(url); });
        } catch (const std::exception& e) {
            throw std::runtime_error("--jwks-url " + j.jwks_url + ": " + e.what());
        }
    }
    for (unsigned i = 0; i < impl_->opts_.mailboxes; ++i) {
        impl_->store_.open_mailbox("user" + std::to_string(i) + "@example.com");
    }
}

server::~server() = default;

std::uint16_t server::listen() {
    const tcp::endpoint ep{net::ip::make_address(impl_->opts_.host), impl_->opts_.port};
    auto& a = impl_->acceptor_;
    a.open(ep.protocol());
    a.set_option(net::socket_base::reuse_address(true));
    a.bind(ep);
    a.listen();
    net::co_spawn(impl_->ioc_, impl_->accept_loop(), net::detached);
    return a.local_endpoint().port();
}

void server::stop() {
    impl_->stopping_ = true;
    beast::error_code ignored;
    impl_->acceptor_.close(ignored);
    for (auto* s : impl_->streams_) s->wake.cancel();
    for (auto* s : impl_->sessions_) s->socket().close(ignored);
}

}  // namespace ewstrigd::sim
