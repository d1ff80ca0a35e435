#include "auth/discovery.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::auth {
namespace {

TEST(discovery, url_for_authority_and_tenant) {
    constexpr std::string_view expected =
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration";
    EXPECT_EQ(discovery_url(default_authority, "contoso.onmicrosoft.com").value(), expected);
    EXPECT_EQ(discovery_url("https://login.microsoftonline.com/", "contoso.onmicrosoft.com").value(), expected);
    EXPECT_EQ(discovery_url("https://login.microsoftonline.com//", "/contoso.onmicrosoft.com/").value(), expected);
    EXPECT_EQ(discovery_url("https://login.microsoftonline.us", "9188040d-6c67-4c5b-b112-36a304b66dad").value(),
              "https://login.microsoftonline.us/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/.well-known/openid-configuration");
    EXPECT_FALSE(discovery_url(default_authority, ""));
    EXPECT_FALSE(discovery_url(default_authority, "a/b"));
    EXPECT_FALSE(discovery_url(default_authority, "a?b"));
    EXPECT_FALSE(discovery_url("", "contoso"));
}

constexpr std::string_view entra = R"({
  "token_endpoint":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token",
  "jwks_uri":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/discovery/v2.0/keys",
  "issuer":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
  "authorization_endpoint":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/authorize",
  "device_authorization_endpoint":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/devicecode",
  "response_modes_supported":["query","fragment","form_post"],
  "scopes_supported":["openid","profile","email","offline_access"]})";

TEST(discovery, parses_entra_document) {
    const auto e = parse_discovery(entra);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->issuer, "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0");
    EXPECT_EQ(e->token_endpoint,
              "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token");
    EXPECT_EQ(e->device_authorization_endpoint,
              "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/devicecode");
    EXPECT_NE(e->jwks_uri.find("/keys"), std::string::npos);
}

TEST(discovery, local_test_server_over_loopback_http) {
    const auto e = parse_discovery(R"({"issuer":"http://127.0.0.1:3900","authorization_endpoint":"http://127.0.0.1:3900/auth",
        "token_endpoint":"http://127.0.0.1:3900/token","jwks_uri":"http://127.0.0.1:3900/jwks"})");
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_FALSE(e->device_authorization_endpoint);
}

TEST(discovery, errors_name_the_field) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"<html>", "not valid JSON"},
        {R"({"issuer":"x","authorization_endpoint":"https://a","jwks_uri":"https://j"})", "'token_endpoint' is missing"},
        {R"({"issuer":"x","authorization_endpoint":"https://a","token_endpoint":7,"jwks_uri":"https://j"})", "'token_endpoint' is not a string"},
        {R"({"issuer":"x","authorization_endpoint":"https://a","token_endpoint":"http://evil.example/token","jwks_uri":"https://j"})", "'token_endpoint' is not an https URL"},
        {R"({"issuer":"x","authorization_endpoint":"https://a","token_endpoint":"https://t","jwks_uri":"https://j","device_authorization_endpoint":"ftp://d"})", "'device_authorization_endpoint'"},
    };
    for (const auto& [body, says] : cases) {
        const auto e = parse_discovery(body);
        ASSERT_FALSE(e) << body;
        EXPECT_NE(e.error().message.find(says), std::string::npos) << e.error().message;
    }
}

TEST(discovery, safe_endpoints) {
    EXPECT_TRUE(is_safe_endpoint("https://login.microsoftonline.com/x"));
    EXPECT_TRUE(is_safe_endpoint("HTTPS://login.microsoftonline.com/x"));
    EXPECT_TRUE(is_safe_endpoint("http://localhost:3900/token"));
    EXPECT_TRUE(is_safe_endpoint("http://127.0.0.1/token"));
    EXPECT_TRUE(is_safe_endpoint("http://[::1]:8080/token"));
    EXPECT_FALSE(is_safe_endpoint("http://127.example.com/token"));
    EXPECT_FALSE(is_safe_endpoint("http://localhost.evil.com/token"));
    EXPECT_FALSE(is_safe_endpoint("http://evil.com@/token"));
    EXPECT_FALSE(is_safe_endpoint("http://[::1].evil/x"));
    EXPECT_FALSE(is_safe_endpoint("https://"));
    EXPECT_FALSE(is_safe_endpoint("file:///etc/passwd"));
}

}  // namespace
}  // namespace ewstrigd::auth
