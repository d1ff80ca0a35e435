// The JWT verifier against tokens signed here with an RSA key OpenSSL makes
// for the test, and the Bearer path of authenticate().
#include "auth.hpp"
#include "base64.hpp"
#include "jwt_verifier.hpp"

#include "auth/encoding.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>

namespace ewstrigd::sim {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::system_clock;

constexpr auto issuer = "https://login.example.test/tenant/v2.0";
constexpr auto audience = "https://outlook.office365.com";

const clock_type::time_point now = clock_type::time_point{} + std::chrono::seconds(1'710'720'000);  // 2024-03-18

std::int64_t epoch(clock_type::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// An RSA key pair made by OpenSSL, its public half as a JWK, and a signer.
class test_key {
public:
    explicit test_key(std::string kid) : kid_(std::move(kid)), key_(EVP_RSA_gen(2048), EVP_PKEY_free) {
        if (!key_) throw std::runtime_error("EVP_RSA_gen failed");
    }

    json jwk() const {
        return {{"kty", "RSA"}, {"use", "sig"}, {"kid", kid_}, {"n", component(OSSL_PKEY_PARAM_RSA_N)},
                {"e", component(OSSL_PKEY_PARAM_RSA_E)}};
    }
    const std::string& kid() const { return kid_; }

    // header.payload.signature with RS256 or PS256.
    std::string sign(const json& header, const json& claims) const {
        const auto input = auth::base64url_encode(header.dump()) + "." + auth::base64url_encode(claims.dump());
        const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        EVP_PKEY_CTX* pctx = nullptr;
        EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key_.get());
        if (header.value("alg", "") == "PS256") {
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
        }
        std::string sig(512, '\0');
        std::size_t len = sig.size();
        const auto* data = reinterpret_cast<const unsigned char*>(input.data());
        if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size()) != 1) {
            throw std::runtime_error("EVP_DigestSign failed");
        }
        sig.resize(len);
        return input + "." + auth::base64url_encode(sig);
    }

private:
    std::string component(const char* name) const {
        BIGNUM* bn = nullptr;
        EVP_PKEY_get_bn_param(key_.get(), name, &bn);
        std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
        BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
        BN_free(bn);
        return auth::base64url_encode(bytes);
    }

    std::string kid_;
    std::shared_ptr<EVP_PKEY> key_;
};

// Key generation is slow-ish: one pair per role for the whole suite.
const test_key& issuer_key() {
    static const test_key k("key-1");
    return k;
}
const test_key& rotated_key() {
    static const test_key k("key-2");
    return k;
}
const test_key& stranger_key() {  // not in any JWKS, but claims kid key-1
    static const test_key k("key-1");
    return k;
}

std::string jwks_of(std::initializer_list<const test_key*> keys) {
    json set = {{"keys", json::array()}};
    // A real issuer publishes other keys too; the verifier skips them.
    set["keys"].push_back({{"kty", "EC"}, {"crv", "P-256"}, {"kid", "ec"}, {"x", "AA"}, {"y", "AA"}});
    for (const auto* k : keys) set["keys"].push_back(k->jwk());
    return set.dump();
}

json good_claims() {
    return {{"iss", issuer}, {"aud", audience}, {"exp", epoch(now + 5min)}, {"nbf", epoch(now - 1min)},
            {"iat", epoch(now - 1min)}, {"sub", "cc-secret"}};
}
json header(const test_key& k, const char* alg = "RS256") { return {{"alg", alg}, {"typ", "at+jwt"}, {"kid", k.kid()}}; }

class jwt_verify : public ::testing::Test {
protected:
    int fetches = 0;
    std::string published = jwks_of({&issuer_key()});
    jwt_verifier verifier{jwt_expectations{issuer, audience}, [this] {
                              ++fetches;
                              return published;
                          }};

    std::string rejection(const std::string& token, clock_type::time_point at = now) {
        auto v = verifier.verify(token, at);
        if (auto* r = std::get_if<jwt_rejection>(&v)) return r->description;
        return "(accepted)";
    }
    std::string accepted_as(const std::string& token, clock_type::time_point at = now) {
        auto v = verifier.verify(token, at);
        if (auto* p = std::get_if<jwt_principal>(&v)) return p->name;
        return "(rejected: " + std::get<jwt_rejection>(v).description + ")";
    }
};

TEST_F(jwt_verify, accepts_a_good_rs256_or_ps256_token_and_names_its_principal) {
    EXPECT_EQ(accepted_as(issuer_key().sign(header(issuer_key()), good_claims())), "cc-secret");
    auto claims = good_claims();
    claims["preferred_username"] = "alice@contoso.test";
    claims["aud"] = json::array({"api://other", audience});
    EXPECT_EQ(accepted_as(issuer_key().sign(header(issuer_key(), "PS256"), claims)), "alice@contoso.test");
    claims["upn"] = "bob@contoso.test";
    EXPECT_EQ(accepted_as(issuer_key().sign(header(issuer_key()), claims)), "bob@contoso.test");
    EXPECT_EQ(fetches, 1);
}

TEST_F(jwt_verify, rejects_a_wrong_signature) {
    const auto token = issuer_key().sign(header(issuer_key()), good_claims());
    EXPECT_EQ(rejection(stranger_key().sign(header(stranger_key()), good_claims())), "The token's signature is invalid");
    // Claims changed after signing (sub swapped for another mailbox's).
    auto forged = good_claims();
    forged["sub"] = "admin";
    const auto dot = token.find('.');
    const auto last = token.rfind('.');
    EXPECT_EQ(rejection(token.substr(0, dot + 1) + auth::base64url_encode(forged.dump()) + token.substr(last)),
              "The token's signature is invalid");
    // A PS256 signature presented as RS256.
    const auto ps = issuer_key().sign(header(issuer_key(), "PS256"), good_claims());
    EXPECT_EQ(rejection(auth::base64url_encode(header(issuer_key()).dump()) + ps.substr(ps.find('.'))),
              "The token's signature is invalid");
}

TEST_F(jwt_verify, rejects_another_issuer_or_audience) {
    auto claims = good_claims();
    claims["iss"] = "https://evil.example.test/v2.0";
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token's issuer is not trusted");
    claims = good_claims();
    claims["aud"] = "https://graph.microsoft.com";
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token's audience is not this server");
    claims["aud"] = json::array({"https://graph.microsoft.com"});
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token's audience is not this server");
    claims.erase("aud");
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token's audience is not this server");
}

TEST_F(jwt_verify, checks_exp_and_nbf_with_a_minute_of_leeway) {
    auto claims = good_claims();
    claims["exp"] = epoch(now - 61s);
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token has expired");
    claims["exp"] = epoch(now - 30s);  // within the leeway for clock skew
    EXPECT_EQ(accepted_as(issuer_key().sign(header(issuer_key()), claims)), "cc-secret");
    claims.erase("exp");
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token has no expiry (exp)");
    claims = good_claims();
    claims["nbf"] = epoch(now + 2min);
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token is not valid yet (nbf)");
    claims["nbf"] = epoch(now + 30s);
    EXPECT_EQ(accepted_as(issuer_key().sign(header(issuer_key()), claims)), "cc-secret");
    // The same token, later: expired.
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), good_claims()), now + 10min), "The token has expired");
}

TEST_F(jwt_verify, refuses_alg_none_and_hmac) {
    const std::string claims = auth::base64url_encode(good_claims().dump());
    const std::string none_header = auth::base64url_encode(json{{"alg", "none"}, {"kid", "key-1"}}.dump());
    const auto alg_refused = "The token's signature algorithm is not accepted (RS256 or PS256 only)";
    EXPECT_EQ(rejection(none_header + "." + claims + "."), alg_refused);
    EXPECT_EQ(rejection(none_header + "." + claims + ".c2ln"), alg_refused);
    // HS256 keyed with the issuer's public key (the classic confusion attack) and with anything else.
    const auto input = auth::base64url_encode(json{{"alg", "HS256"}, {"kid", "key-1"}}.dump()) + "." + claims;
    const std::string secret = issuer_key().jwk().at("n");
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len);
    EXPECT_EQ(rejection(input + "." + auth::base64url_encode(std::string_view(reinterpret_cast<char*>(mac), mac_len))),
              alg_refused);
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key(), "RS512"), good_claims())), alg_refused);
    EXPECT_EQ(rejection(issuer_key().sign(json{{"kid", "key-1"}}, good_claims())), alg_refused);
}

TEST_F(jwt_verify, an_unknown_kid_refetches_the_jwks_once_then_waits) {
    const auto rotated = rotated_key().sign(header(rotated_key()), good_claims());
    EXPECT_EQ(rejection(rotated), "No key of the issuer's JWKS matches the token's kid");
    EXPECT_EQ(fetches, 2);  // start-up + one re-fetch
    published = jwks_of({&rotated_key()});  // the issuer rotates
    EXPECT_EQ(rejection(rotated, now + 5s), "No key of the issuer's JWKS matches the token's kid");
    EXPECT_EQ(fetches, 2) << "re-fetches are at most one per 10 s";
    EXPECT_EQ(accepted_as(rotated, now + 11s), "cc-secret");
    EXPECT_EQ(fetches, 3);
    EXPECT_EQ(accepted_as(rotated, now + 12s), "cc-secret");
    EXPECT_EQ(fetches, 3);
    // A failing re-fetch keeps the keys it has.
    published = "garbage";
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), good_claims()), now + 30s),
              "No key of the issuer's JWKS matches the token's kid");
    EXPECT_EQ(accepted_as(rotated, now + 31s), "cc-secret");
}

TEST_F(jwt_verify, a_token_without_kid_uses_the_only_key) {
    EXPECT_EQ(accepted_as(issuer_key().sign(json{{"alg", "RS256"}}, good_claims())), "cc-secret");
    published = jwks_of({&issuer_key(), &rotated_key()});
    jwt_verifier two_keys{jwt_expectations{issuer, audience}, [this] { return published; }};
    const auto v = two_keys.verify(issuer_key().sign(json{{"alg", "RS256"}}, good_claims()), now);
    ASSERT_TRUE(std::holds_alternative<jwt_rejection>(v));
}

TEST_F(jwt_verify, malformed_tokens_are_rejected_without_crashing) {
    const auto good = issuer_key().sign(header(issuer_key()), good_claims());
    const auto not_jwt = "The token is not a JWT (three base64url segments of JSON header, JSON claims and a signature)";
    const auto h = auth::base64url_encode(header(issuer_key()).dump());
    const auto c = auth::base64url_encode(good_claims().dump());
    for (const std::string& token :
         {std::string(), std::string("."), std::string(".."), std::string("..."), std::string("abc"),
          good + ".", good.substr(0, good.rfind('.')), "x" + good, good.substr(0, good.size() - 1) + "*",
          h + ".." + c, "." + c + ".c2ln", h + ".bm90IGpzb24.c2ln",
          auth::base64url_encode("[1,2]") + "." + c + ".c2ln", auth::base64url_encode("\xff\xfe") + "." + c + ".c2ln",
          std::string(100000, 'a') + "." + c + ".c2ln"}) {
        EXPECT_EQ(rejection(token), not_jwt) << token.substr(0, 80);
    }
    EXPECT_EQ(rejection(h + "." + c + "."), "The token's signature is invalid");
    // Well-formed but with claims of the wrong types.
    auto claims = good_claims();
    claims["exp"] = "tomorrow";
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token has no expiry (exp)");
    claims = good_claims();
    claims["iss"] = 42;
    EXPECT_EQ(rejection(issuer_key().sign(header(issuer_key()), claims)), "The token's issuer is not trusted");
    auto odd_header = header(issuer_key());
    odd_header["kid"] = json::array({1});
    EXPECT_EQ(rejection(issuer_key().sign(odd_header, good_claims())), not_jwt);
    odd_header = header(issuer_key());
    odd_header["crit"] = json::array({"exp"});
    EXPECT_EQ(rejection(issuer_key().sign(odd_header, good_claims())),
              "The token has critical header parameters this server does not know");
}

TEST(jwks, start_up_fails_on_a_document_without_usable_keys) {
    const auto make = [](std::string doc) {
        return jwt_verifier(jwt_expectations{issuer, audience}, [doc] { return doc; });
    };
    EXPECT_THROW(make("<html>"), std::runtime_error);
    EXPECT_THROW(make(R"({"keys":{}})"), std::runtime_error);
    EXPECT_THROW(make(R"({"keys":[{"kty":"RSA","kid":"a","n":"!!","e":"AQAB"}]})"), std::runtime_error);
    EXPECT_THROW(make(R"({"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]})"), std::runtime_error)
        << "a 17-bit modulus is no key";
    auto enc = issuer_key().jwk();
    enc["use"] = "enc";
    EXPECT_THROW(make(json{{"keys", json::array({enc})}}.dump()), std::runtime_error);
    EXPECT_THROW(jwt_verifier(jwt_expectations{issuer, audience},
                              []() -> std::string { throw std::runtime_error("unreachable: Connection refused"); }),
                 std::runtime_error);
    EXPECT_NO_THROW(make(jwks_of({&issuer_key()})));
}

TEST(jwks, a_key_bound_to_one_alg_is_not_used_for_another) {
    auto jwk = issuer_key().jwk();
    jwk["alg"] = "RS256";
    jwt_verifier v(jwt_expectations{issuer, audience}, [&] { return json{{"keys", json::array({jwk})}}.dump(); });
    EXPECT_TRUE(std::holds_alternative<jwt_principal>(v.verify(issuer_key().sign(header(issuer_key()), good_claims()), now)));
    const auto ps = v.verify(issuer_key().sign(header(issuer_key(), "PS256"), good_claims()), now);
    ASSERT_TRUE(std::holds_alternative<jwt_rejection>(ps));
    EXPECT_EQ(std::get<jwt_rejection>(ps).description, "The token's key is not meant for its alg");
}

TEST(auth, bearer_tokens_go_to_the_verifier_basic_users_still_work) {
    auth_config cfg;
    cfg.users["svc"] = "secret";
    cfg.jwt = {"http://127.0.0.1:1/jwks", issuer, audience};
    jwt_verifier v(jwt_expectations{issuer, audience}, [] { return jwks_of({&issuer_key()}); });
    auto claims = good_claims();
    claims["email"] = "carol@contoso.test";
    const auto token = issuer_key().sign(header(issuer_key()), claims);
    EXPECT_EQ(std::get<std::string>(authenticate(cfg, &v, "Bearer " + token, now)), "carol@contoso.test");
    EXPECT_EQ(std::get<std::string>(authenticate(cfg, &v, "bearer " + token, now)), "carol@contoso.test");
    EXPECT_EQ(std::get<auth_denied>(authenticate(cfg, &v, "Bearer " + token, now + 1h)).bearer_error,
              "The token has expired");
    EXPECT_EQ(std::get<auth_denied>(authenticate(cfg, &v, "Bearer abc", now)).bearer_error.substr(0, 20),
              "The token is not a J");
    EXPECT_EQ(std::get<std::string>(authenticate(cfg, &v, "Basic " + base64_encode("svc:secret"), now)), "svc");
    EXPECT_EQ(std::get<auth_denied>(authenticate(cfg, &v, "Basic " + base64_encode("svc:no"), now)).bearer_error, "");
    EXPECT_EQ(std::get<auth_denied>(authenticate(cfg, &v, "", now)).bearer_error, "");
    // Without a verifier a Bearer token is no credential at all.
    EXPECT_TRUE(std::holds_alternative<auth_denied>(authenticate(cfg, nullptr, "Bearer " + token, now)));
}

}  // namespace
}  // namespace ewstrigd::sim
