#pragma once
// Error codes of the HTTP layer.
//
// - libcurl's CURLcode values travel in `curl_category()`; compare them with
//   `make_curl_error_code(CURLE_...)`. Their portable meanings are exposed as
//   error conditions, so callers that do not include curl.h can write
//   `ec == boost::system::errc::timed_out` for every curl timeout (connect,
//   total and low-speed/idle) and `ec == errc::connection_refused`.
// - Cancellation is `boost::asio::error::operation_aborted`, never a curl code.
// - Failures detected by ewstrigd itself are `http::errc` values.
// This header includes no curl header: modules above http/ may use it.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace ewstrigd::http {

enum class errc {
    body_too_large = 1,  ///< a buffered body exceeded request::max_body_size
    receiver_stopped,    ///< a streaming chunk handler returned false
    start_failed,        ///< libcurl refused to create or start the transfer
    invalid_request,     ///< a header would break the request (a line break in it)
    malformed_response,  ///< the server's answer is not HTTP/1.1 a client can read
};

const boost::system::error_category& curl_category() noexcept;
const boost::system::error_category& http_category() noexcept;

/// `curl_code` is a CURLcode value; CURLE_OK gives an empty error_code.
boost::system::error_code make_curl_error_code(int curl_code) noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// True for every curl timeout (the same test as `ec == errc::timed_out`).
bool is_timeout(const boost::system::error_code& ec) noexcept;

}  // namespace ewstrigd::http

template <>
struct boost::system::is_error_code_enum<ewstrigd::http::errc> : std::true_type {};
