#include "auth/form_post.hpp"

#include <boost/system/errc.hpp>

#include <algorithm>

namespace ewstrigd::auth {

http::request form_post(std::string url, const secret& body, std::chrono::milliseconds timeout) {
    http::request req;
    req.method = http::method::post;
    req.url = std::move(url);
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = body.reveal();
    req.timeouts.total = timeout;
    req.timeouts.connect = std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds{10});
    req.max_body_size = std::size_t{1} << 20;
    return req;
}

http_reply reply_of(const http::response& r) {
    return http_reply{static_cast<int>(r.status), r.header("Retry-After"), r.body};
}

token_failure no_answer(boost::system::error_code ec, std::chrono::milliseconds timeout, std::string_view what) {
    token_failure f = classify_failure(http_reply{});
    if (ec == boost::system::errc::timed_out)
        f.explanation = "the " + std::string(what) + " did not answer within " +
                        std::to_string(std::chrono::ceil<std::chrono::seconds>(timeout).count()) +
                        " s";
    else
        f.explanation = "no answer from the " + std::string(what) + " (" + ec.message() + ")";
    return f;
}

}  // namespace ewstrigd::auth
