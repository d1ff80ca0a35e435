#pragma once
// The bytes of one connection, as they arrive, turned into its response: a
// response_reader for the answer (a fresh one after each 1xx interim answer)
// plus the few bytes it could not use yet (a header or chunk-size line split
// between reads). Shared by stream_client and pooled_client.

#include "http/client.hpp"
#include "http/response_reader.hpp"

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::http {

class response_feed {
public:
    /// Parses into `res` (see response_reader for `streams` and the limit).
    response_feed(response& res, bool streams, std::size_t max_collected_body);

    /// Takes the next bytes; a streamed body is appended to `decoded`.
    /// Returns true once the final answer is complete. Sets `ec` when it is
    /// malformed or too large.
    bool feed(std::string_view bytes, std::string& decoded, boost::system::error_code& ec);
    /// The peer closed the connection: see response_reader::feed_eof.
    void feed_eof(boost::system::error_code& ec) { reader_->feed_eof(ec); }

    /// After a complete answer: the connection may carry the next request
    /// (HTTP/1.1 without `Connection: close`, or HTTP/1.0 with keep-alive;
    /// framed by length or chunks, not by the close; nothing after the end).
    bool reusable() const noexcept { return reader_->done() && reader_->keep_alive() && !surplus_; }

private:
    response* res_;
    bool streams_;
    std::size_t max_collected_body_;
    std::optional<response_reader> reader_;
    std::string leftover_;  // bytes the reader could not use yet
    bool surplus_ = false;  // bytes arrived after the end of the answer
};

}  // namespace ewstrigd::http
