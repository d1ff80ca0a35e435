#include "http/stream_client.hpp"

#include "http/curl_error.hpp"
#include "http/response_reader.hpp"
#include "http/url_parts.hpp"
#include "util/base64.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ewstrigd::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr std::size_t max_leftover = 80 * 1024;

constexpr std::string_view method_name(method m) {
    switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::patch: return "PATCH";
    case method::delete_: return "DELETE";
    }
    return "GET";
}

// A CR or LF would end the header early and let the rest pose as headers of
// its own (header injection); curl refuses neither, so check here.
bool safe_header_text(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

std::optional<std::string> authorization(const auth& a) {
    if (const auto* bearer = std::get_if<bearer_auth>(&a)) return "Bearer " + bearer->token;
    if (const auto* basic = std::get_if<basic_auth>(&a))
        return "Basic " + util::base64_encode(basic->username + ":" + basic->password);
    return std::nullopt;
}

// The request as it goes on the wire; nullopt when a header could inject.
std::optional<std::string> serialize(const request& r, const url_parts& url) {
    std::string out;
    out.reserve(256 + r.body.size());
    out.append(method_name(r.method)).append(" ").append(url.target).append(" HTTP/1.1\r\nHost: ");
    out.append(url.authority).append("\r\n");
    if (auto credentials = authorization(r.auth)) {
        if (!safe_header_text(*credentials)) return std::nullopt;
        out.append("Authorization: ").append(*credentials).append("\r\n");
    }
    for (const auto& h : r.headers) {
        if (h.name.empty() || !safe_header_text(h.name) || !safe_header_text(h.value) ||
            h.name.find(':') != std::string::npos)
            return std::nullopt;
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    const bool has_body = !r.body.empty() || r.method == method::post || r.method == method::put ||
                          r.method == method::patch;
    if (has_body) out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    out.append("\r\n").append(r.body);
    return out;
}

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

}  // namespace

stream_client::proxies stream_client::proxies_from_environment() {
    // The variables libcurl reads (libcurl-env(3)); http_proxy only in lower case.
    const bool all = env_set("all_proxy") || env_set("ALL_PROXY");
    return {all || env_set("http_proxy"), all || env_set("https_proxy") || env_set("HTTPS_PROXY")};
}

bool stream_client::runs_here(const request& r, const chunk_handler& on_chunk) const {
    if (!on_chunk || std::holds_alternative<ntlm_auth>(r.auth)) return false;
    const auto url = split_url(r.url);
    return url && !(url->tls ? proxies_.https : proxies_.http);
}

namespace {

}  // namespace

class stream_client::stream final : public std::enable_shared_from_this<stream> {
public:
    stream(stream_client& owner, request req, chunk_handler on_chunk, asio::any_completion_handler<send_signature> h)
        : owner_(&owner), socket_(owner.ex_), on_chunk_(std::move(on_chunk)), handler_(std::move(h)),
          timeouts_(req.timeouts), max_body_size_(req.max_body_size),
          where_(std::make_unique<destination>(destination{*split_url(req.url), std::move(req.tls)})) {
        const auto now = steady::now();
        if (timeouts_.connect.count() > 0) connect_deadline_ = now + timeouts_.connect;
        if (timeouts_.total.count() > 0) total_deadline_ = now + timeouts_.total;
        if (auto wire = serialize(req, where_->url)) out_ = std::move(*wire);
        else invalid_ = true;
    }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    void start() {
        if (done_) return;  // cancelled before the loop got here
        if (invalid_) return complete(make_error_code(errc::invalid_request));
        error_code ec;
        const auto& url = where_->url;
        const auto address = asio::ip::make_address(url.host, ec);
        if (!ec) {
            const auto port = static_cast<unsigned short>(std::stoul(url.port));
            return connect(std::vector<tcp::endpoint>{tcp::endpoint(address, port)});
        }
        owner_->resolver_.async_resolve(url.host, url.port,
                                        [self = shared_from_this()](error_code failed, tcp::resolver::results_type r) {
                                            if (self->done_) return;
                                            if (failed) return self->complete(failed);
                                            self->connect(r);
                                        });
    }

    /// Timeouts, checked once a second by the client.
    void check_deadlines(steady::time_point now) {
        if (done_) return;
        const bool connecting = phase_ != phase::sending && phase_ != phase::receiving;
        const bool idle = phase_ == phase::receiving && timeouts_.idle.count() > 0 && now - last_bytes_ >= timeouts_.idle;
        if ((connecting && connect_deadline_ && now >= *connect_deadline_) ||
            (total_deadline_ && now >= *total_deadline_) || idle)
            complete(asio::error::timed_out);
    }

    /// Closes the connection and posts the completion; idempotent.
    void complete(error_code ec) {
        if (done_) return;
        done_ = true;
        if (auto slot = asio::get_associated_cancellation_slot(handler_); slot.is_connected()) slot.clear();
        error_code ignored;
        socket_.close(ignored);  // pending waits end with operation_aborted and find done_ set
        tls_.reset();
        auto self = shared_from_this();  // the owner's reference goes away below
        owner_->streams_.erase(this);
        asio::post(owner_->ex_, asio::append(std::move(handler_), ec, std::move(res_)));
    }

    void watch_cancellation() {
        auto slot = asio::get_associated_cancellation_slot(handler_);
        if (!slot.is_connected()) return;
        // Posted: complete() clears the slot, which must not happen inside emit().
        slot.assign([weak = weak_from_this(), ex = owner_->ex_](asio::cancellation_type) {
            asio::post(ex, [weak] {
                if (auto self = weak.lock()) self->complete(asio::error::operation_aborted);
            });
        });
    }

private:
    enum class phase { connecting, handshaking, sending, receiving };

    template <typename Endpoints>
    void connect(const Endpoints& endpoints) {
        asio::async_connect(socket_, endpoints, [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
            if (self->done_) return;
            if (ec) return self->complete(ec);
            self->connected();
        });
    }

    void connected() {
        error_code ec;
        socket_.set_option(asio::socket_base::keep_alive(true), ec);
        socket_.non_blocking(true, ec);
        if (!ec) socket_.native_non_blocking(true, ec);
        if (ec) return complete(ec);
        if (!where_->url.tls) return send();
        ssl_ctx_st* ctx = owner_->tls_.get(where_->tls, ec);
        if (ctx == nullptr) return complete(ec);
        tls_ = std::make_unique<tls_session>(ctx, socket_.native_handle(), where_->url.host, ec);
        if (ec) return complete(ec);
        phase_ = phase::handshaking;
        handshake();
    }

    void handshake() {
        error_code ec;
        const auto want = tls_->handshake(ec);
        if (ec) return complete(ec);
        if (want != tls_session::want::nothing) return wait(want, &stream::handshake);
        send();
    }

    void send() {
        if (phase_ != phase::sending) {
            phase_ = phase::sending;
            where_.reset();  // only the wire form is needed from here on
        }
        while (sent_ < out_.size()) {
            error_code ec;
            std::size_t n = 0;
            const std::string_view rest = std::string_view(out_).substr(sent_);
            if (tls_) {
                const auto want = tls_->write(rest, n, ec);
                if (!ec && want != tls_session::want::nothing) return wait(want, &stream::send);
            } else {
                n = socket_.write_some(asio::buffer(rest.data(), rest.size()), ec);
                if (ec == asio::error::would_block) return wait(tls_session::want::writable, &stream::send);
            }
            if (ec) return complete(ec);
            sent_ += n;
        }
        std::string{}.swap(out_);  // the request, credentials included, is not kept while the stream idles
        phase_ = phase::receiving;
        last_bytes_ = steady::now();
        reader_.emplace(res_, static_cast<bool>(on_chunk_), max_body_size_);
        receive();
    }

    void wait(tls_session::want want, void (stream::*then)()) {
        const auto type = want == tls_session::want::writable ? tcp::socket::wait_write : tcp::socket::wait_read;
        socket_.async_wait(type, [self = shared_from_this(), then](error_code ec) {
            if (self->done_) return;
            if (ec) return self->complete(ec);
            ((*self).*then)();
        });
    }

    // Reads what the socket has (a bounded amount, so one busy stream cannot
    // hold the loop), then waits until it is readable again.
    void receive() {
        auto& buffer = owner_->read_buffer_;
        for (int reads = 0; reads < 8 && !done_; ++reads) {
            error_code ec;
            std::size_t n = 0;
            if (tls_) {
                const auto want = tls_->read(buffer.data(), buffer.size(), n, ec);
                if (!ec && want != tls_session::want::nothing) return wait(want, &stream::receive);
            } else {
                n = socket_.read_some(asio::buffer(buffer), ec);
                if (ec == asio::error::would_block) return wait(tls_session::want::readable, &stream::receive);
            }
            if (ec == asio::error::eof || (!ec && n == 0)) return ended();
            if (ec) return complete(ec);
            last_bytes_ = steady::now();
            take(std::string_view(buffer.data(), n));
        }
        if (!done_) asio::post(owner_->ex_, [self = shared_from_this()] {
            if (!self->done_) self->receive();
        });
    }

    void take(std::string_view bytes) {
        std::string& decoded = owner_->decoded_;
        decoded.clear();
        if (!leftover_.empty()) {
            leftover_.append(bytes);
            bytes = leftover_;
        }
        error_code ec;
        std::size_t used = 0;
        for (;;) {
            used += reader_->feed(bytes.substr(used), decoded, ec);
            if (ec || !reader_->interim()) break;
            reader_.emplace(res_, static_cast<bool>(on_chunk_), max_body_size_);  // 100 Continue: the real answer follows
        }
        const bool finished = !ec && reader_->done();
        if (!ec && !finished) {
            if (bytes.data() == leftover_.data()) leftover_.erase(0, used);
            else leftover_.assign(bytes.substr(used));
            if (leftover_.empty()) std::string{}.swap(leftover_);
            // The reader limits a head to 64 KiB; a chunk-size line never
            // ending would otherwise grow this without bound.
            if (leftover_.size() > max_leftover) ec = make_error_code(errc::malformed_response);
        }
        if (!decoded.empty()) {
            auto self = shared_from_this();  // the receiver may cancel this stream
            const bool more = on_chunk_(decoded);
            decoded.clear();
            if (done_) return;
            if (!more) return complete(make_error_code(errc::receiver_stopped));
        }
        if (ec) return complete(ec);
        if (finished) complete({});
    }

    // The peer closed the connection.
    void ended() {
        error_code ec;
        reader_->feed_eof(ec);
        complete(ec ? ec : error_code{});
    }

    stream_client* owner_;
    tcp::socket socket_;
    std::unique_ptr<tls_session> tls_;
    chunk_handler on_chunk_;
    asio::any_completion_handler<send_signature> handler_;
    response res_;
    std::optional<response_reader> reader_;
    std::string out_;       // the request on the wire, until sent
    std::size_t sent_ = 0;
    std::string leftover_;  // bytes the reader could not use yet (a split header or chunk line)
    timeouts timeouts_;
    std::size_t max_body_size_;
    struct destination {
        url_parts url;
        tls_options tls;
    };
    std::unique_ptr<destination> where_;  // until connected
    std::optional<steady::time_point> connect_deadline_;
    std::optional<steady::time_point> total_deadline_;
    steady::time_point last_bytes_{};
    phase phase_ = phase::connecting;
    bool invalid_ = false;
    bool done_ = false;
};

stream_client::stream_client(asio::any_io_executor ex, client& fallback)
    : ex_(ex), fallback_(fallback), proxies_(proxies_from_environment()), resolver_(ex), deadline_timer_(ex) {}

stream_client::~stream_client() {
    deadline_timer_.cancel();
    resolver_.cancel();
    while (!streams_.empty()) streams_.begin()->second->complete(asio::error::operation_aborted);
}

void stream_client::async_send_impl(request req, chunk_handler on_chunk,
                                    asio::any_completion_handler<send_signature> handler) {
    if (!runs_here(req, on_chunk)) {
        if (on_chunk) return fallback_.async_stream(std::move(req), std::move(on_chunk), std::move(handler));
        return fallback_.async_send(std::move(req), std::move(handler));
    }
    auto s = std::make_shared<stream>(*this, std::move(req), std::move(on_chunk), std::move(handler));
    streams_.emplace(s.get(), s);
    s->watch_cancellation();
    watch_deadlines();
    // Not started from here: the contract says no completion inside async_send.
    asio::post(ex_, [s] { s->start(); });
}

void stream_client::watch_deadlines() {
    if (deadline_timer_running_ || streams_.empty()) return;
    deadline_timer_running_ = true;
    deadline_timer_.expires_after(std::chrono::seconds(1));
    // A handler already queued when the destructor cancels still sees
    // success: the weak lifetime token, not `ec`, says whether `this` lives.
    deadline_timer_.async_wait([this, alive = std::weak_ptr<const int>(lifetime_)](error_code) {
        if (alive.expired()) return;
        deadline_timer_running_ = false;
        std::vector<std::shared_ptr<stream>> open;
        open.reserve(streams_.size());
        for (const auto& [key, s] : streams_) open.push_back(s);
        const auto now = steady::now();
        for (const auto& s : open) s->check_deadlines(now);
        watch_deadlines();
    });
}

}  // namespace ewstrigd::http
