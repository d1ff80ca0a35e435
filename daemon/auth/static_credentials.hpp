#pragma once
// The credential_provider of the mailboxes that need no token service:
// `basic` and `ntlm` (user name and password from the config) and no
// credentials at all (test servers, reverse proxies that authenticate).
// See credentials.hpp for the contract.
//
// A password cannot be refreshed: after invalidate() (the server answered
// 401) every request fails with failure_kind::configuration, "the server
// rejected the password for USER", so the mailbox stops instead of
// retrying in a tight loop. A reload builds a new provider with the new
// password. The failure text names the user, never the password.
//
// Loop affinity: completions are posted to the executor given at
// construction (never run inside async_credentials).

#include "auth/credentials.hpp"
#include "config/model.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <string>

namespace ewstrigd::auth {

class static_credentials final : public credential_provider {
public:
    // No credentials: requests go out without Authorization.
    explicit static_credentials(boost::asio::any_io_executor ex);
    // basic or ntlm from `cfg` (username/password). Throws std::invalid_argument
    // for the OAuth kinds, which need oauth_provider.
    static_credentials(boost::asio::any_io_executor ex, const config::auth_config& cfg);

    void invalidate() override { rejected_ = true; }

private:
    void async_credentials_impl(boost::asio::any_completion_handler<credentials_signature> handler) override;

    boost::asio::any_io_executor ex_;
    http::auth auth_;
    std::string user_;  // for the failure text
    bool rejected_ = false;
};

}  // namespace ewstrigd::auth
