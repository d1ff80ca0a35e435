#pragma once
// One HTTP/1.1 response parsed as its bytes arrive (Beast's basic_parser):
// the status line and headers go into an http::response; the decoded body
// (chunked, Content-Length or up to the close) is appended to the caller's
// buffer when it streams (a 2xx answer to a streamed request), else
// collected into response::body up to a limit. Used through response_feed by
// stream_client, which keeps one reader per open stream, and pooled_client:
// it holds no buffer of its own.

#include "http/client.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace ewstrigd::http {

class response_reader final : private boost::beast::http::basic_parser<false> {
public:
    /// `streams`: a 2xx body goes to feed()'s `streamed` instead of res.body.
    response_reader(response& res, bool streams, std::size_t max_collected_body);

    /// Parses what it can of `bytes`; returns how many were used (the rest
    /// must be offered again with more bytes behind them). Sets `ec` when the
    /// response is malformed or too large.
    std::size_t feed(std::string_view bytes, std::string& streamed, boost::system::error_code& ec);
    /// The connection closed: ends a body delimited by the close, or sets
    /// `ec` when the response was cut short.
    void feed_eof(boost::system::error_code& ec);

    bool done() const noexcept { return is_done(); }
    /// An interim 1xx response (100 Continue) ended: a real one follows.
    bool interim() const noexcept { return done() && res_->status >= 100 && res_->status < 200; }
    /// The connection may carry another request after this answer (Beast's
    /// keep_alive(): the version's default or the Connection header, and a
    /// body not ended by the close).
    bool keep_alive() const noexcept { return boost::beast::http::basic_parser<false>::keep_alive(); }
    bool streaming() const noexcept { return streams_ && res_->status >= 200 && res_->status < 300; }

private:
    void on_request_impl(boost::beast::http::verb, boost::beast::string_view, boost::beast::string_view, int,
                         boost::beast::error_code&) override {}
    void on_response_impl(int code, boost::beast::string_view, int, boost::beast::error_code&) override;
    void on_field_impl(boost::beast::http::field, boost::beast::string_view name, boost::beast::string_view value,
                       boost::beast::error_code&) override;
    void on_header_impl(boost::beast::error_code&) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>&, boost::beast::error_code&) override {}
    std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                   boost::beast::error_code& ec) override;
    void on_finish_impl(boost::beast::error_code&) override {}

    std::size_t take_body(std::string_view body, boost::beast::error_code& ec);

    response* res_;
    std::string* streamed_ = nullptr;  // feed()'s buffer, while it runs
    std::size_t max_collected_body_;
    bool streams_;
};

}  // namespace ewstrigd::http
