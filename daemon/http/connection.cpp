#include "http/connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <utility>
#include <vector>

namespace ewstrigd::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

void connection::async_open(const url_parts& url, const tls_options& tls, connection_context& shared,
                            done_handler done) {
    step_ = std::move(done);
    if (url.tls) opening_ = std::make_unique<opening>(opening{url.host, tls, &shared.tls});
    error_code ec;
    const auto address = asio::ip::make_address(url.host, ec);
    if (!ec) {
        const auto port = static_cast<unsigned short>(std::stoul(url.port));
        return connect(std::vector<tcp::endpoint>{tcp::endpoint(address, port)});
    }
    shared.resolver.async_resolve(url.host, url.port, [self = shared_from_this()](error_code failed, tcp::resolver::results_type r) {
        if (!self->step_) return;  // closed meanwhile
        if (failed) return self->finish_step(failed);
        self->connect(r);
    });
}

template <typename Endpoints>
void connection::connect(const Endpoints& endpoints) {
    asio::async_connect(socket_, endpoints, [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
        if (!self->step_) return;
        if (ec) return self->finish_step(ec);
        self->connected();
    });
}

void connection::connected() {
    error_code ec;
    socket_.set_option(asio::socket_base::keep_alive(true), ec);
    socket_.non_blocking(true, ec);
    if (!ec) socket_.native_non_blocking(true, ec);
    if (ec || !opening_) return finish_step(ec);
    const auto o = std::move(opening_);
    ssl_ctx_st* ctx = o->contexts->get(o->tls, ec);
    if (ctx == nullptr) return finish_step(ec);
    tls_ = std::make_unique<tls_session>(ctx, socket_.native_handle(), o->host, ec);
    if (ec) return finish_step(ec);
    handshake({});
}

void connection::handshake(error_code ec) {
    if (!ec) {
        const auto want = tls_->handshake(ec);
        if (!ec && want != tls_session::want::nothing) return wait(want, &connection::handshake);
    }
    finish_step(ec);
}

void connection::async_write(std::string_view data, done_handler done) {
    step_ = std::move(done);
    unsent_ = data;
    write_more({});
}

void connection::write_more(error_code ec) {
    while (!ec && !unsent_.empty()) {
        std::size_t n = 0;
        if (tls_) {
            const auto want = tls_->write(unsent_, n, ec);
            if (!ec && want != tls_session::want::nothing) return wait(want, &connection::write_more);
        } else {
            n = socket_.write_some(asio::buffer(unsent_.data(), unsent_.size()), ec);
            if (ec == asio::error::would_block) return wait(tls_session::want::writable, &connection::write_more);
        }
        unsent_.remove_prefix(n);
    }
    unsent_ = {};
    finish_step(ec);
}

void connection::finish_step(error_code ec) {
    if (auto done = std::exchange(step_, nullptr)) done(ec);
}

void connection::async_read(connection_context& shared, bytes_handler on_bytes) {
    on_bytes_ = std::move(on_bytes);
    buffer_ = shared.read_buffer;
    // The answer comes later: waiting first saves a read that would block.
    wait(tls_session::want::readable, &connection::read_more);
}

void connection::read_more(error_code ec) {
    const auto self = shared_from_this();  // the handler may let go of this connection
    for (int reads = 0; reads < 8 && on_bytes_; ++reads) {
        std::size_t n = 0;
        if (!ec) {
            if (tls_) {
                const auto want = tls_->read(buffer_.data(), buffer_.size(), n, ec);
                if (!ec && want != tls_session::want::nothing) return wait(want, &connection::read_more);
            } else {
                n = socket_.read_some(asio::buffer(buffer_.data(), buffer_.size()), ec);
                if (ec == asio::error::would_block) return wait(tls_session::want::readable, &connection::read_more);
            }
            if (!ec && n == 0) ec = asio::error::eof;
        }
        // Moved out while it runs: it may close this connection or start the next read.
        auto handler = std::exchange(on_bytes_, nullptr);
        if (!handler(ec, std::string_view(buffer_.data(), n)) || ec || on_bytes_ || !socket_.is_open()) return;
        on_bytes_ = std::move(handler);
    }
    if (on_bytes_) asio::post(socket_.get_executor(), [self] { self->read_more({}); });
}

void connection::wait(tls_session::want want, resume then) {
    const auto type = want == tls_session::want::writable ? tcp::socket::wait_write : tcp::socket::wait_read;
    socket_.async_wait(type, [self = shared_from_this(), then](error_code ec) {
        if (!self->step_ && !self->on_bytes_) return;  // closed meanwhile
        ((*self).*then)(ec);
    });
}

void connection::close() noexcept {
    step_ = nullptr;
    on_bytes_ = nullptr;
    opening_.reset();
    error_code ignored;
    socket_.close(ignored);  // pending waits end and find no handler
    tls_.reset();
}

}  // namespace ewstrigd::http
