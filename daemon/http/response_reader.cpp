#include "http/response_reader.hpp"

#include "http/curl_error.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace ewstrigd::http {

namespace beast = boost::beast;

namespace {
// EWS answers carry a handful of short headers; a peer sending more than
// this is not an Exchange server.
constexpr std::uint32_t max_header_bytes = 64 * 1024;
}  // namespace

response_reader::response_reader(response& res, bool streams, std::size_t max_collected_body)
    : res_(&res), max_collected_body_(max_collected_body), streams_(streams) {
    res.status = 0;
    res.headers.clear();
    res.body.clear();
    header_limit(max_header_bytes);
    body_limit(boost::none);  // a stream has no end; a collected body is limited in take_body
    eager(true);
}

std::size_t response_reader::feed(std::string_view bytes, std::string& streamed, boost::system::error_code& ec) {
    streamed_ = &streamed;
    std::size_t used = 0;
    while (used < bytes.size() && !done()) {
        const auto n = put(boost::asio::const_buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        if (ec == beast::http::error::need_more) {
            ec = {};
            break;
        }
        if (ec || n == 0) break;
    }
    streamed_ = nullptr;
    return used;
}

void response_reader::feed_eof(boost::system::error_code& ec) {
    if (done()) return;
    if (!got_some()) {  // hung up without a word (put_eof requires a byte)
        ec = beast::http::error::partial_message;
        return;
    }
    put_eof(ec);
}

void response_reader::on_response_impl(int code, beast::string_view, int, beast::error_code&) {
    res_->status = static_cast<unsigned>(code);
}

void response_reader::on_field_impl(beast::http::field, beast::string_view name, beast::string_view value,
                                    beast::error_code&) {
    res_->headers.push_back({std::string(name), std::string(value)});
}

void response_reader::on_header_impl(beast::error_code&) {
    // A streamed answer keeps its headers for the stream's whole life (up to
    // 30 minutes, 10,000 streams: issue 8): no spare room in the list.
    if (streaming()) res_->headers.shrink_to_fit();
}

std::size_t response_reader::on_body_impl(beast::string_view body, beast::error_code& ec) {
    return take_body(body, ec);
}

std::size_t response_reader::on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code& ec) {
    return take_body(body, ec);
}

std::size_t response_reader::take_body(std::string_view body, beast::error_code& ec) {
    if (streaming()) {
        streamed_->append(body);
        return body.size();
    }
    if (body.size() > max_collected_body_ - res_->body.size()) {
        ec = make_error_code(errc::body_too_large);
        return 0;
    }
    res_->body.append(body);
    return body.size();
}

}  // namespace ewstrigd::http
