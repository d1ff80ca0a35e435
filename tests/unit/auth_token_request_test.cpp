#include "auth/token_request.hpp"

#include "auth/encoding.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace ewstrigd::auth {
namespace {

std::string body(const secret& s) { return s.reveal(); }

TEST(token_request, client_credentials_with_secret_and_assertion) {
    EXPECT_EQ(body(client_credentials_body("cc-secret", app_scope, client_secret{secret("a+b/c=&d")})),
              "grant_type=client_credentials&client_id=cc-secret"
              "&scope=https%3A%2F%2Foutlook.office365.com%2F.default&client_secret=a%2Bb%2Fc%3D%26d");
    EXPECT_EQ(body(client_credentials_body("cc-jwt", app_scope, client_assertion{secret("h.c.s")})),
              "grant_type=client_credentials&client_id=cc-jwt&scope=https%3A%2F%2Foutlook.office365.com%2F.default"
              "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
              "&client_assertion=h.c.s");
}

TEST(token_request, delegated_grants) {
    EXPECT_EQ(body(refresh_token_body("app", secret("RT-1"), delegated_scope, public_client{})),
              "grant_type=refresh_token&client_id=app&refresh_token=RT-1"
              "&scope=https%3A%2F%2Foutlook.office365.com%2FEWS.AccessAsUser.All%20offline_access");
    EXPECT_EQ(body(authorization_code_body("app", secret("c0de"), "http://localhost:8400/", "verifier-1", public_client{})),
              "grant_type=authorization_code&client_id=app&code=c0de"
              "&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2F&code_verifier=verifier-1");
    EXPECT_EQ(body(device_authorization_body("app", delegated_scope)),
              "client_id=app&scope=https%3A%2F%2Foutlook.office365.com%2FEWS.AccessAsUser.All%20offline_access");
    EXPECT_EQ(body(device_token_body("app", secret("DC"))),
              "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=app&device_code=DC");
}

TEST(token_request, bodies_round_trip_through_form_decoding) {
    const std::string tricky = "ä ö+%&=?#\x01";
    const auto parsed = parse_query(body(refresh_token_body("app", secret(tricky), delegated_scope, public_client{})));
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->size(), 4u);
    EXPECT_EQ((*parsed)[2].second, tricky);
    EXPECT_EQ((*parsed)[3].second, delegated_scope);
}

TEST(secret, never_printed) {
    const secret s("TOKEN-VALUE");
    std::ostringstream os;
    os << s;
    EXPECT_EQ(os.str(), "<redacted>");
    EXPECT_EQ(to_string(s), "<redacted>");
    EXPECT_EQ(::testing::PrintToString(s), "<redacted>");
    EXPECT_EQ(::testing::PrintToString(client_credentials_body("a", app_scope, client_secret{secret("S3CRET")})),
              "<redacted>");
    secret copy = s;
    secret moved = std::move(copy);
    EXPECT_EQ(moved.reveal(), "TOKEN-VALUE");
    moved = secret("short");
    EXPECT_EQ(moved.reveal(), "short");
}

TEST(encoding, base64url) {
    EXPECT_EQ(base64url_encode(std::string_view("")), "");
    EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
    EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
    EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
    EXPECT_EQ(base64url_encode(std::string_view("\xfb\xff")), "-_8");
    for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\xfe"})
        EXPECT_EQ(base64url_decode(base64url_encode(std::string_view(s))).value(), s);
    EXPECT_FALSE(base64url_decode("Zm9v="));
    EXPECT_FALSE(base64url_decode("Z"));
    EXPECT_FALSE(base64url_decode("Zm+v"));
}

TEST(encoding, sha256_known_answer) {
    // FIPS 180-2 example "abc"
    EXPECT_EQ(base64url_encode(sha256(std::string_view("abc"))), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

}  // namespace
}  // namespace ewstrigd::auth
