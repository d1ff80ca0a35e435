#include "auth/endpoint_cache.hpp"

#include <boost/asio/post.hpp>

namespace ewstrigd::auth {

endpoint_cache::endpoint_cache(boost::asio::any_io_executor ex, http::client& client, std::chrono::milliseconds timeout)
    : ex_(std::move(ex)), client_(client), timeout_(timeout) {}

endpoint_cache::~endpoint_cache() {
    *alive_ = false;
    for (auto& [url, p] : in_flight_) {
        for (auto& h : p.waiters) {
            boost::asio::post(ex_, [h = std::move(h)]() mutable {
                std::move(h)(result<oidc_endpoints>(fail("shutting down")));
            });
        }
    }
}

void endpoint_cache::get_impl(std::string url, handler_type handler) {
    if (const auto it = cached_.find(url); it != cached_.end()) {
        boost::asio::post(ex_, [h = std::move(handler), e = it->second]() mutable {
            std::move(h)(result<oidc_endpoints>(std::move(e)));
        });
        return;
    }
    auto [it, fresh] = in_flight_.try_emplace(url);
    it->second.waiters.push_back(std::move(handler));
    if (!fresh) return;

    http::request req;
    req.url = url;
    req.headers.push_back({"Accept", "application/json"});
    req.timeouts.connect = std::min<std::chrono::milliseconds>(timeout_, std::chrono::seconds{10});
    req.timeouts.total = timeout_;
    req.max_body_size = 1 << 20;
    client_.async_send(std::move(req), [this, alive = alive_, url](boost::system::error_code ec, http::response resp) {
        if (!*alive) return;
        if (ec) {
            finish(url, fail("OIDC discovery: no answer from '" + url + "' (" + ec.message() +
                             "); check the authority, tenant_id or discovery_url"));
        } else if (resp.status != 200) {
            finish(url, fail("OIDC discovery: '" + url + "' answered HTTP " + std::to_string(resp.status) +
                             "; check the authority and tenant_id (or set discovery_url)"));
        } else if (auto e = parse_discovery(resp.body); !e) {
            finish(url, fail("OIDC discovery: '" + url + "': " + e.error().message));
        } else {
            cached_[url] = *e;
            finish(url, *e);
        }
    });
}

void endpoint_cache::finish(const std::string& url, const result<oidc_endpoints>& r) {
    auto node = in_flight_.extract(url);
    if (node.empty()) return;
    // Completions run on the loop already (http::client contract); no re-post needed.
    for (auto& h : node.mapped().waiters) std::move(h)(r);
}

}  // namespace ewstrigd::auth
