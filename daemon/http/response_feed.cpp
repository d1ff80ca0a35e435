#include "http/response_feed.hpp"

#include "http/curl_error.hpp"

namespace ewstrigd::http {

namespace {
// The reader limits a head to 64 KiB; a chunk-size line never ending would
// otherwise grow the leftover without bound.
constexpr std::size_t max_leftover = 80 * 1024;
}  // namespace

response_feed::response_feed(response& res, bool streams, std::size_t max_collected_body)
    : res_(&res), streams_(streams), max_collected_body_(max_collected_body) {
    reader_.emplace(res, streams, max_collected_body);
}

bool response_feed::feed(std::string_view bytes, std::string& decoded, boost::system::error_code& ec) {
    if (!leftover_.empty()) {
        leftover_.append(bytes);
        bytes = leftover_;
    }
    std::size_t used = 0;
    for (;;) {
        used += reader_->feed(bytes.substr(used), decoded, ec);
        if (ec || !reader_->interim()) break;
        reader_.emplace(*res_, streams_, max_collected_body_);  // 100 Continue: the real answer follows
    }
    const bool finished = !ec && reader_->done();
    if (finished) {
        surplus_ = used < bytes.size();
        std::string{}.swap(leftover_);
    } else if (!ec) {
        if (bytes.data() == leftover_.data()) leftover_.erase(0, used);
        else leftover_.assign(bytes.substr(used));
        if (leftover_.empty()) std::string{}.swap(leftover_);
        if (leftover_.size() > max_leftover) ec = make_error_code(errc::malformed_response);
    }
    return finished;
}

}  // namespace ewstrigd::http
