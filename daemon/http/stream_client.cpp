#include "http/stream_client.hpp"

#include "http/cancellation.hpp"
#include "http/connection.hpp"
#include "http/curl_error.hpp"
#include "http/response_feed.hpp"
#include "http/socket_operation.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::http {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using boost::system::error_code;

class stream_client::stream final : public socket_operation, public std::enable_shared_from_this<stream> {
public:
    stream(stream_client& owner, request req, url_parts url, chunk_handler on_chunk,
           asio::any_completion_handler<send_signature> h)
        : socket_operation(std::move(h)), owner_(&owner), on_chunk_(std::move(on_chunk)),
          max_body_size_(req.max_body_size),
          where_(std::make_unique<destination>(destination{std::move(url), std::move(req.tls)})) {
        const auto now = steady::now();
        deadlines_.start(req.timeouts, now);
        deadlines_.connecting(now);
        conn_ = std::make_shared<connection>(owner.ex_);
        if (auto wire = serialize(req, where_->url)) out_ = std::move(*wire);
        else invalid_ = true;
    }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    void start() {
        if (done_) return;  // cancelled before the loop got here
        if (invalid_) return complete(make_error_code(errc::invalid_request));
        conn_->async_open(where_->url, where_->tls, owner_->shared_, [self = shared_from_this()](error_code ec) {
            if (self->done_) return;
            if (ec) return self->complete(ec);
            self->send();
        });
    }

    /// Closes the connection and posts the completion; idempotent.
    void complete(error_code ec) {
        if (done_) return;
        auto self = shared_from_this();  // the owner's reference goes away below
        finish(owner_->ex_, ec);
        owner_->streams_.erase(this);
    }

    void watch_cancellation() { abort_on_cancellation(handler_, weak_from_this(), owner_->ex_); }

private:
    void send() {
        deadlines_.sending();
        where_.reset();  // only the wire form is needed from here on
        conn_->async_write(out_, [self = shared_from_this()](error_code ec) {
            if (self->done_) return;
            if (ec) return self->complete(ec);
            self->receive();
        });
    }

    void receive() {
        std::string{}.swap(out_);  // the request, credentials included, is not kept while the stream idles
        deadlines_.receiving(steady::now());
        feed_.emplace(res_, static_cast<bool>(on_chunk_), max_body_size_);
        conn_->async_read(owner_->shared_, [self = shared_from_this()](error_code ec, std::string_view bytes) {
            if (self->done_) return false;
            if (ec == asio::error::eof) return self->ended(), false;
            if (ec) return self->complete(ec), false;
            self->deadlines_.receiving(steady::now());
            self->take(bytes);
            return !self->done_;
        });
    }

    void take(std::string_view bytes) {
        std::string& decoded = owner_->decoded_;
        decoded.clear();
        error_code ec;
        const bool finished = feed_->feed(bytes, decoded, ec);
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
        feed_->feed_eof(ec);
        complete(ec ? ec : error_code{});
    }

    stream_client* owner_;
    chunk_handler on_chunk_;
    std::optional<response_feed> feed_;
    std::string out_;  // the request on the wire, until sent
    std::size_t max_body_size_;
    struct destination {
        url_parts url;
        tls_options tls;
    };
    std::unique_ptr<destination> where_;  // until connected
    bool invalid_ = false;
};

stream_client::stream_client(asio::any_io_executor ex, client& fallback)
    : socket_client(ex, fallback), deadlines_(ex, [this](steady::time_point now) { return check_deadlines(now); }) {}

stream_client::~stream_client() {
    while (!streams_.empty()) streams_.begin()->second->complete(asio::error::operation_aborted);
}

void stream_client::async_send_impl(request req, chunk_handler on_chunk,
                                    asio::any_completion_handler<send_signature> handler) {
    auto url = on_chunk ? direct_url(req, proxies_) : std::nullopt;
    if (!url) return hand_on(std::move(req), std::move(on_chunk), std::move(handler));
    auto s = std::make_shared<stream>(*this, std::move(req), std::move(*url), std::move(on_chunk), std::move(handler));
    streams_.emplace(s.get(), s);
    s->watch_cancellation();
    deadlines_.start();
    // Not started from here: the contract says no completion inside async_send.
    asio::post(ex_, [s] { s->start(); });
}

bool stream_client::check_deadlines(steady::time_point now) {
    time_out(streams_, now);
    return !streams_.empty();
}

}  // namespace ewstrigd::http
