#include "http/pooled_client.hpp"

#include "http/cancellation.hpp"
#include "http/connection.hpp"
#include "http/curl_error.hpp"
#include "http/response_feed.hpp"
#include "http/socket_operation.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::http {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// How a server's close of an idle connection shows when we next use it.
bool closed_by_server(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

class pooled_client::exchange final : public socket_operation,
                                     public origin_turns::taker,
                                     public std::enable_shared_from_this<exchange> {
public:
    exchange(pooled_client& owner, request req, url_parts url, asio::any_completion_handler<send_signature> h)
        : socket_operation(std::move(h)), owner_(&owner), timeouts_(req.timeouts), max_body_size_(req.max_body_size),
          url_(std::move(url)), tls_(std::move(req.tls)), key_(connection_pool::key(url_, tls_)),
          origin_((url_.tls ? "https://" : "http://") + url_.host + ":" + url_.port) {
        if (auto wire = serialize(req, url_)) out_ = std::move(*wire);
        else invalid_ = true;
    }
    exchange(const exchange&) = delete;
    exchange& operator=(const exchange&) = delete;

    const std::string& origin() const noexcept { return origin_; }
    bool waiting() const noexcept override { return !done_; }
    void take_turn(const std::string&) override {
        holds_turn_ = true;
        // Posted: a turn is handed on inside another request's completion.
        asio::post(owner_->ex_, [self = shared_from_this()] { self->start(); });
    }
    void hold_turn() noexcept { holds_turn_ = true; }

    void start() {
        if (done_) return;  // cancelled before its turn
        if (invalid_) return complete(make_error_code(errc::invalid_request));
        const auto now = steady::now();
        deadlines_.start(timeouts_, now);
        if ((conn_ = owner_->pool_.take(key_, now))) {
            reused_ = true;
            return send();
        }
        open(now);
    }

    /// Closes the connection unless it went back to the pool, posts the
    /// completion and hands the turn on; idempotent.
    void complete(error_code ec) {
        if (done_) return;
        auto self = shared_from_this();  // the owner's reference goes away below
        finish(owner_->ex_, ec);
        std::string{}.swap(out_);
        owner_->exchanges_.erase(this);
        if (std::exchange(holds_turn_, false)) owner_->turns_.release(origin_);
    }

    void watch_cancellation() { abort_on_cancellation(handler_, weak_from_this(), owner_->ex_); }

private:
    void open(steady::time_point now) {
        if (conn_) conn_->close();
        reused_ = false;
        deadlines_.connecting(now);
        conn_ = std::make_shared<connection>(owner_->ex_);
        conn_->async_open(url_, tls_, owner_->shared_, [self = shared_from_this()](error_code ec) {
            if (self->done_) return;
            if (ec) return self->complete(ec);
            self->send();
        });
    }

    void send() {
        deadlines_.sending();
        conn_->async_write(out_, [self = shared_from_this()](error_code ec) {
            if (self->done_) return;
            if (ec) return self->failed(ec);
            self->receive();
        });
    }

    void receive() {
        deadlines_.receiving(steady::now());
        feed_.emplace(res_, false, max_body_size_);
        conn_->async_read(owner_->shared_, [self = shared_from_this()](error_code ec, std::string_view bytes) {
            if (self->done_) return false;
            if (ec) return self->failed(ec), false;
            return self->take(bytes);
        });
    }

    // Returns whether to read on.
    bool take(std::string_view bytes) {
        const auto now = steady::now();
        deadlines_.receiving(now);
        if (!answered_) {
            answered_ = true;
            std::string{}.swap(out_);  // never sent again: the credentials in it are not needed any more
        }
        error_code ec;
        std::string unused;  // nothing is streamed here
        const bool finished = feed_->feed(bytes, unused, ec);
        if (ec) return complete(ec), false;
        if (!finished) return true;
        if (feed_->reusable()) owner_->pool_.put(key_, std::move(conn_), now);
        complete({});
        return false;
    }

    void failed(error_code ec) {
        if (reused_ && !answered_ && closed_by_server(ec)) return open(steady::now());
        if (ec == asio::error::eof && feed_) {
            ec = {};
            feed_->feed_eof(ec);  // a body ended by the close, or an answer cut short
        }
        complete(ec);
    }

    pooled_client* owner_;
    std::optional<response_feed> feed_;
    timeouts timeouts_;
    std::size_t max_body_size_;
    url_parts url_;
    tls_options tls_;
    std::string key_;     // of the pool
    std::string origin_;  // of the turns
    std::string out_;     // the request on the wire, until the answer begins
    bool invalid_ = false;
    bool reused_ = false;    // sent on a connection from the pool
    bool answered_ = false;  // a byte of the answer arrived
    bool holds_turn_ = false;
};

pooled_client::pooled_client(asio::any_io_executor ex, client& fallback, std::size_t max_per_origin,
                             steady::duration max_idle)
    : socket_client(ex, fallback), pool_(max_per_origin, max_idle), turns_(max_per_origin),
      deadlines_(ex, [this](steady::time_point now) { return check_deadlines(now); }) {}

pooled_client::~pooled_client() {
    turns_.clear();  // nothing waits for a turn any more
    while (!exchanges_.empty()) exchanges_.begin()->second->complete(asio::error::operation_aborted);
}

void pooled_client::async_send_impl(request req, chunk_handler on_chunk,
                                    asio::any_completion_handler<send_signature> handler) {
    auto url = !on_chunk && req.method != method::head ? direct_url(req, proxies_) : std::nullopt;
    if (!url) return hand_on(std::move(req), std::move(on_chunk), std::move(handler));
    auto e = std::make_shared<exchange>(*this, std::move(req), std::move(*url), std::move(handler));
    exchanges_.emplace(e.get(), e);
    e->watch_cancellation();
    deadlines_.start();
    if (!turns_.take_or_wait(e->origin(), e)) return;
    e->hold_turn();
    // Not started from here: the contract says no completion inside async_send.
    asio::post(ex_, [e] { e->start(); });
}

bool pooled_client::check_deadlines(steady::time_point now) {
    time_out(exchanges_, now);
    pool_.expire(now);
    // Not for the pool alone: a loop with nothing but idle connections must
    // be able to run out of work (take() checks their age instead).
    return !exchanges_.empty();
}

}  // namespace ewstrigd::http
