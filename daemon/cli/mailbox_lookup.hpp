#pragma once
// What `login`, `logout` and `connect` share: load the configuration and
// pick one mailbox by id or address, printing what went wrong otherwise;
// and run one coroutine on a private loop with an HTTP client.

#include "auth/endpoint_cache.hpp"
#include "config/model.hpp"
#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string_view>

namespace ewstrigd::cli {

struct selected_mailbox {
    config::config cfg;
    std::size_t index = 0;
    std::filesystem::path base_dir;  // the main file's directory (relative paths in the config)
    const config::mailbox_config& mailbox() const { return cfg.mailboxes[index]; }
};

// nullopt after printing the errors; `exit` then holds the exit code.
std::optional<selected_mailbox> select_mailbox(const std::filesystem::path& config_file, std::string_view mailbox,
                                               std::string_view command, std::ostream& err, int& exit);

// One loop, one curl multi, one client and a discovery cache: what a
// command needs to talk to the authority and EWS. Not copyable or movable.
class http_session {
public:
    http_session() : multi_(ioc_), client_(multi_), endpoints_(ioc_.get_executor(), client_) {}
    boost::asio::io_context& ioc() { return ioc_; }
    http::client& client() { return client_; }
    auth::endpoint_cache& endpoints() { return endpoints_; }

    // Runs `work` to completion on the loop and returns its value.
    template <class T>
    T run(boost::asio::awaitable<T> work) {
        std::optional<T> out;
        boost::asio::co_spawn(ioc_, std::move(work), [&out](std::exception_ptr e, T value) {
            if (e) std::rethrow_exception(e);
            out.emplace(std::move(value));
        });
        ioc_.run();
        ioc_.restart();
        return std::move(*out);
    }

private:
    boost::asio::io_context ioc_;
    http::curl_multi multi_;
    http::curl_client client_;
    auth::endpoint_cache endpoints_;
};

}  // namespace ewstrigd::cli
