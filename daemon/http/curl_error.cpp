#include "http/curl_error.hpp"

#include <curl/curl.h>

#include <string>

namespace ewstrigd::http {
namespace {

// boost::system::error_category has a protected non-virtual destructor; the
// categories are never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"

class curl_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "curl"; }

    std::string message(int ev) const override {
        return curl_easy_strerror(static_cast<CURLcode>(ev));
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        using boost::system::errc::make_error_condition;
        namespace sys = boost::system::errc;
        switch (static_cast<CURLcode>(ev)) {
        case CURLE_OPERATION_TIMEDOUT: return make_error_condition(sys::timed_out);
        case CURLE_COULDNT_CONNECT: return make_error_condition(sys::connection_refused);
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY: return make_error_condition(sys::host_unreachable);
        case CURLE_OUT_OF_MEMORY: return make_error_condition(sys::not_enough_memory);
        default: return {ev, *this};
        }
    }
};

class http_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ewstrigd.http"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::body_too_large: return "response body exceeds the configured limit";
        case errc::receiver_stopped: return "the body receiver stopped the transfer";
        case errc::start_failed: return "the transfer could not be started";
        case errc::invalid_request: return "a request header contains a line break";
        case errc::malformed_response: return "the response is not well-formed HTTP/1.1";
        }
        return "unknown http error";
    }
};

#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& curl_category() noexcept {
    static const curl_category_impl instance;
    return instance;
}

const boost::system::error_category& http_category() noexcept {
    static const http_category_impl instance;
    return instance;
}

boost::system::error_code make_curl_error_code(int curl_code) noexcept {
    if (curl_code == CURLE_OK) return {};
    return {curl_code, curl_category()};
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), http_category()};
}

bool is_timeout(const boost::system::error_code& ec) noexcept {
    return ec == boost::system::errc::timed_out;
}

}  // namespace ewstrigd::http
