#include "auth/pkce.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace ewstrigd::auth {
namespace {

random_source counting_source() {
    return [n = 0U](std::span<unsigned char> out) mutable {
        for (auto& b : out) b = static_cast<unsigned char>(n++);
        return true;
    };
}

TEST(pkce, rfc7636_appendix_b) {
    // RFC 7636 Appendix B: these 32 octets give this verifier and challenge.
    const unsigned char octets[32] = {116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
                                      22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121};
    const random_source fixed = [&](std::span<unsigned char> out) {
        std::memcpy(out.data(), octets, std::min(out.size(), sizeof octets));
        return out.size() <= sizeof octets;
    };
    const auto verifier = make_code_verifier(fixed, 43);
    ASSERT_TRUE(verifier) << verifier.error().message;
    EXPECT_EQ(*verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    EXPECT_EQ(code_challenge_s256(*verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(pkce, verifier_length_and_alphabet) {
    for (std::size_t len : {43U, 64U, 100U, 128U}) {
        const auto v = make_code_verifier(counting_source(), len);
        ASSERT_TRUE(v);
        EXPECT_EQ(v->size(), len);
        EXPECT_EQ(v->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
                  std::string::npos);
    }
    EXPECT_FALSE(make_code_verifier(counting_source(), 42));
    EXPECT_FALSE(make_code_verifier(counting_source(), 129));
    EXPECT_FALSE(make_code_verifier([](std::span<unsigned char>) { return false; }));
    EXPECT_FALSE(make_code_verifier(random_source{}));
    EXPECT_NE(*make_code_verifier(openssl_random()), *make_code_verifier(openssl_random()));
}

TEST(pkce, authorization_url_is_encoded) {
    authorization_request r;
    r.authorization_endpoint = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize";
    r.client_id = "00000000-1111-2222-3333-444444444444";
    r.redirect_uri = "http://localhost:8400/";
    r.scope = "https://outlook.office365.com/EWS.AccessAsUser.All offline_access";
    r.state = "s t&=";
    r.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    EXPECT_EQ(authorization_url(r),
              "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
              "?client_id=00000000-1111-2222-3333-444444444444&response_type=code"
              "&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2F&response_mode=query"
              "&scope=https%3A%2F%2Foutlook.office365.com%2FEWS.AccessAsUser.All%20offline_access"
              "&state=s%20t%26%3D&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
              "&code_challenge_method=S256");
    r.authorization_endpoint = "http://127.0.0.1:3900/auth?x=1";
    r.prompt = "consent";
    const auto url = authorization_url(r);
    EXPECT_EQ(url.rfind("http://127.0.0.1:3900/auth?x=1&client_id=", 0), 0U) << url;
    EXPECT_NE(url.find("&prompt=consent"), std::string::npos);
}

TEST(pkce, redirect_success_and_failures) {
    // oauth.md B.3: the local server adds iss; Entra does not.
    auto code = parse_redirect("/callback?code=Uga1aSRH&state=ba243001fbeeeeb9&iss=http%3A%2F%2F127.0.0.1%3A3900",
                               "ba243001fbeeeeb9");
    ASSERT_TRUE(code) << code.error().message;
    EXPECT_EQ(code->reveal(), "Uga1aSRH");
    EXPECT_EQ(to_string(*code), "<redacted>");

    const auto why = [](std::string_view target, std::string_view state = "s1") {
        auto r = parse_redirect(target, state);
        EXPECT_FALSE(r) << target;
        return r ? std::string{} : r.error().message;
    };
    EXPECT_NE(why("/callback?code=abc&state=other").find("state does not match"), std::string::npos);
    EXPECT_NE(why("/callback?code=abc").find("state does not match"), std::string::npos);
    EXPECT_NE(why("/callback?code=abc&state=", "").find("state does not match"), std::string::npos);
    EXPECT_NE(why("/callback?error=access_denied&error_description=End-User+denied+%28test+harness%29&state=s1")
                  .find("access_denied (End-User denied (test harness))"),
              std::string::npos);
    EXPECT_NE(why("/callback?state=s1").find("no authorization code"), std::string::npos);
    EXPECT_NE(why("/callback").find("no query"), std::string::npos);
    EXPECT_NE(why("/callback?code=%zz&state=s1").find("malformed"), std::string::npos);
    EXPECT_NE(why("/callback?code=%4&state=s1").find("malformed"), std::string::npos);
}

}  // namespace
}  // namespace ewstrigd::auth
