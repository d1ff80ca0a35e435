#pragma once
// OIDC discovery over HTTP, cached per discovery URL and shared by every
// mailbox of the process (10,000 mailboxes of one tenant fetch the document
// once). Single flight: callers asking for a URL that is being fetched wait
// for that fetch. Failures are not cached: the next caller tries again (each
// provider backs off on its own).
//
// Loop affinity: construct, use and destroy on the thread running the
// http::client's io_context; the client must outlive the cache. Completions
// run on that loop, never inside async_get itself.

#include "auth/discovery.hpp"
#include "auth/error.hpp"
#include "http/client.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ewstrigd::auth {

using discovery_signature = void(result<oidc_endpoints>);

class endpoint_cache {
public:
    endpoint_cache(boost::asio::any_io_executor ex, http::client& client,
                   std::chrono::milliseconds timeout = std::chrono::seconds{30});
    ~endpoint_cache();
    endpoint_cache(const endpoint_cache&) = delete;
    endpoint_cache& operator=(const endpoint_cache&) = delete;

    template <boost::asio::completion_token_for<discovery_signature> Token>
    auto async_get(std::string url, Token&& token) {
        return boost::asio::async_initiate<Token, discovery_signature>(
            [this](auto handler, std::string u) { get_impl(std::move(u), std::move(handler)); }, token,
            std::move(url));
    }

    // Forgets a cached document (e.g. after its token endpoint vanished).
    void forget(const std::string& url) { cached_.erase(url); }

private:
    using handler_type = boost::asio::any_completion_handler<discovery_signature>;
    struct pending {
        std::vector<handler_type> waiters;
    };
    void get_impl(std::string url, handler_type handler);
    void finish(const std::string& url, const result<oidc_endpoints>& r);

    boost::asio::any_io_executor ex_;
    http::client& client_;
    std::chrono::milliseconds timeout_;
    std::map<std::string, oidc_endpoints> cached_;
    std::map<std::string, pending> in_flight_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ewstrigd::auth
