// static_credentials: basic/ntlm/none, posted completions, and the stop
// after a rejected password.

#include "auth/static_credentials.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

namespace ewstrigd::auth {
namespace {

struct answer {
    std::optional<credential_failure> failure;
    http::auth auth;
};

answer ask(boost::asio::io_context& ioc, credential_provider& p) {
    std::optional<answer> got;
    p.async_credentials([&](std::optional<credential_failure> f, http::auth a) {
        EXPECT_FALSE(got) << "completed twice";
        got = answer{std::move(f), std::move(a)};
    });
    EXPECT_FALSE(got) << "completed inside async_credentials";
    ioc.restart();
    ioc.run();
    EXPECT_TRUE(got);
    return got.value_or(answer{});
}

config::auth_config password_config(config::auth_kind kind) {
    config::auth_config c;
    c.kind = kind;
    c.username = "CORP\\svc-ewstrigd";
    c.password = config::secret{"s3cret-pw"};
    return c;
}

TEST(static_credentials, basic_hands_out_user_and_password) {
    boost::asio::io_context ioc;
    static_credentials p(ioc.get_executor(), password_config(config::auth_kind::basic));
    const auto a = ask(ioc, p);
    EXPECT_FALSE(a.failure);
    const auto* basic = std::get_if<http::basic_auth>(&a.auth);
    ASSERT_NE(basic, nullptr);
    EXPECT_EQ(basic->username, "CORP\\svc-ewstrigd");
    EXPECT_EQ(basic->password, "s3cret-pw");
    EXPECT_FALSE(ask(ioc, p).failure);  // as often as asked
}

TEST(static_credentials, ntlm_hands_out_ntlm) {
    boost::asio::io_context ioc;
    static_credentials p(ioc.get_executor(), password_config(config::auth_kind::ntlm));
    const auto a = ask(ioc, p);
    EXPECT_FALSE(a.failure);
    const auto* ntlm = std::get_if<http::ntlm_auth>(&a.auth);
    ASSERT_NE(ntlm, nullptr);
    EXPECT_EQ(ntlm->username, "CORP\\svc-ewstrigd");
    EXPECT_EQ(ntlm->password, "s3cret-pw");
}

TEST(static_credentials, a_rejected_password_fails_as_configuration_naming_the_user_only) {
    boost::asio::io_context ioc;
    static_credentials p(ioc.get_executor(), password_config(config::auth_kind::ntlm));
    p.invalidate();
    const auto a = ask(ioc, p);
    ASSERT_TRUE(a.failure);
    EXPECT_EQ(a.failure->kind, failure_kind::configuration);
    EXPECT_FALSE(is_retryable(a.failure->kind));
    EXPECT_NE(a.failure->explanation.find("the server rejected the password for CORP\\svc-ewstrigd"), std::string::npos);
    EXPECT_EQ(a.failure->explanation.find("s3cret-pw"), std::string::npos);
    EXPECT_TRUE(std::holds_alternative<http::no_auth>(a.auth));
    EXPECT_TRUE(ask(ioc, p).failure);  // stays failed: no tight retry loop
}

TEST(static_credentials, none_sends_no_authorization_until_the_server_asks_for_some) {
    boost::asio::io_context ioc;
    static_credentials p(ioc.get_executor());
    const auto a = ask(ioc, p);
    EXPECT_FALSE(a.failure);
    EXPECT_TRUE(std::holds_alternative<http::no_auth>(a.auth));
    p.invalidate();
    const auto b = ask(ioc, p);
    ASSERT_TRUE(b.failure);
    EXPECT_EQ(b.failure->kind, failure_kind::configuration);
}

TEST(static_credentials, oauth_kinds_are_refused) {
    boost::asio::io_context ioc;
    EXPECT_THROW(static_credentials(ioc.get_executor(), password_config(config::auth_kind::oauth_app)),
                 std::invalid_argument);
    EXPECT_THROW(static_credentials(ioc.get_executor(), password_config(config::auth_kind::oauth_delegated)),
                 std::invalid_argument);
}

}  // namespace
}  // namespace ewstrigd::auth
