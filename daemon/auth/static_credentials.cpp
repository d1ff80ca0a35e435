#include "auth/static_credentials.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>
#include <utility>

namespace ewstrigd::auth {

static_credentials::static_credentials(boost::asio::any_io_executor ex) : ex_(std::move(ex)), auth_(http::no_auth{}) {}

static_credentials::static_credentials(boost::asio::any_io_executor ex, const config::auth_config& cfg)
    : ex_(std::move(ex)), user_(cfg.username) {
    switch (cfg.kind) {
    case config::auth_kind::basic: auth_ = http::basic_auth{cfg.username, cfg.password.reveal()}; break;
    case config::auth_kind::ntlm: auth_ = http::ntlm_auth{cfg.username, cfg.password.reveal()}; break;
    case config::auth_kind::oauth_delegated:
    case config::auth_kind::oauth_app:
        throw std::invalid_argument("static_credentials: OAuth mailboxes need an oauth_provider");
    }
}

void static_credentials::async_credentials_impl(
    boost::asio::any_completion_handler<credentials_signature> handler) {
    std::optional<credential_failure> failure;
    http::auth auth = http::no_auth{};
    if (!rejected_) {
        auth = auth_;
    } else if (std::holds_alternative<http::no_auth>(auth_)) {
        failure = credential_failure{failure_kind::configuration, std::nullopt,
                                     "the server requires credentials, but none are configured for this mailbox"};
    } else {
        failure = credential_failure{failure_kind::configuration, std::nullopt,
                                     "the server rejected the password for " + user_ +
                                         "; correct it in the configuration and reload"};
    }
    boost::asio::post(ex_, boost::asio::append(std::move(handler), std::move(failure), std::move(auth)));
}

}  // namespace ewstrigd::auth
