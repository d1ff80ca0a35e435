// The identity under which oauth-app mailboxes share one token provider:
// equal for mailboxes of one app registration, different as soon as anything
// that changes the token request differs.
#include "cli/mailbox_credentials.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace ewstrigd::cli {
namespace {

auth::oauth_settings app(const std::string& mailbox) {
    auth::oauth_settings s;
    s.mailbox_id = mailbox;
    s.address = mailbox + "@contoso.test";
    s.app_only = true;
    s.authority = "https://login.microsoftonline.com";
    s.tenant_id = "contoso";
    s.client_id = "app-1";
    s.scope = "https://outlook.office365.com/.default";
    s.client_secret = auth::secret("s3cret");
    return s;
}

TEST(app_identity, is_the_same_for_every_mailbox_of_one_app) {
    EXPECT_EQ(app_identity_of(app("support")), app_identity_of(app("sales")));
}

TEST(app_identity, differs_when_anything_of_the_token_request_differs) {
    const std::vector<std::function<void(auth::oauth_settings&)>> changes{
        [](auto& s) { s.authority = "https://login.microsoftonline.us"; },
        [](auto& s) { s.tenant_id = "fabrikam"; },
        [](auto& s) { s.client_id = "app-2"; },
        [](auto& s) { s.scope = "https://outlook.office.de/.default"; },
        [](auto& s) { s.client_secret = auth::secret("rotated"); },
        [](auto& s) { s.discovery_url = "http://127.0.0.1:1/openid-configuration"; },
        [](auto& s) { s.discovery_url = ""; },
        [](auto& s) { s.request_timeout = std::chrono::seconds{5}; },
        [](auto& s) {
            s.client_secret = auth::secret();
            s.certificate = "/etc/ewstrigd/app.pem";
            s.private_key = "/etc/ewstrigd/app.key";
        },
    };
    for (std::size_t i = 0; i < changes.size(); ++i) {
        auto changed = app("support");
        changes[i](changed);
        EXPECT_NE(app_identity_of(changed), app_identity_of(app("support"))) << "change " << i;
    }
}

TEST(app_identity, does_not_mistake_a_field_boundary_for_a_value) {
    auto a = app("support");
    auto b = app("support");
    a.tenant_id = "con";
    a.client_id = "toso-app";
    b.tenant_id = "contoso";
    b.client_id = "-app";
    EXPECT_NE(app_identity_of(a), app_identity_of(b));
}

TEST(app_identity, tells_the_certificate_from_its_key) {
    auto a = app("support");
    auto b = app("support");
    a.certificate = "/etc/a";
    b.private_key = "/etc/a";
    EXPECT_NE(app_identity_of(a), app_identity_of(b));
}

}  // namespace
}  // namespace ewstrigd::cli
