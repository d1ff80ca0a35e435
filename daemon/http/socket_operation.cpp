#include "http/socket_operation.hpp"

#include "http/cancellation.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

namespace ewstrigd::http {

bool socket_operation::finish(const boost::asio::any_io_executor& ex, boost::system::error_code ec) {
    if (done_) return false;
    done_ = true;
    stop_watching_cancellation(handler_);
    if (conn_) conn_->close();  // pending waits end and find no handler
    conn_.reset();
    boost::asio::post(ex, boost::asio::append(std::move(handler_), ec, std::move(res_)));
    return true;
}

}  // namespace ewstrigd::http
