#include "auth/client_assertion.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

namespace ewstrigd::auth {
namespace {

using namespace std::chrono_literals;

std::string pem_of(BIO* bio) {
    std::string out(BIO_ctrl_pending(bio), '\0');
    BIO_read(bio, out.data(), static_cast<int>(out.size()));
    BIO_free(bio);
    return out;
}

// A throwaway RSA key and self-signed certificate, made once per test binary.
struct credentials {
    std::string key_pem, cert_pem, other_key_pem, cert_der;
    EVP_PKEY* pub = nullptr;  // the certificate's key, for verifying

    credentials() {
        EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
        EVP_PKEY* other = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
        X509* cert = X509_new();
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), 0);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
        X509_set_pubkey(cert, key);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ewstrigd-test"), -1, -1, 0);
        X509_set_issuer_name(cert, name);
        X509_sign(cert, key, EVP_sha256());

        BIO* b = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
        key_pem = pem_of(b);
        b = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(b, other, nullptr, nullptr, 0, nullptr, nullptr);
        other_key_pem = pem_of(b);
        b = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(b, cert);
        cert_pem = pem_of(b);
        unsigned char* der = nullptr;
        const int len = i2d_X509(cert, &der);
        cert_der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
        pub = key;
        EVP_PKEY_free(other);
        X509_free(cert);
    }
    ~credentials() { EVP_PKEY_free(pub); }
    credentials(const credentials&) = delete;
    credentials& operator=(const credentials&) = delete;
};

const credentials& creds() {
    static const credentials c;
    return c;
}

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::seconds{1'700'000'000};

assertion_request request(signing_alg alg) {
    assertion_request r;
    r.client_id = "cc-jwt";
    r.token_endpoint = "https://login.microsoftonline.com/contoso/oauth2/v2.0/token";
    r.private_key_pem = creds().key_pem;
    r.certificate_pem = creds().cert_pem;
    r.alg = alg;
    r.jti = "6f1c2a9e-0000-4000-8000-000000000001";
    r.now = t0;
    return r;
}

struct jwt {
    nlohmann::json header, claims;
    std::string signing_input, signature;
};

jwt split(const std::string& token) {
    const auto a = token.find('.'), b = token.rfind('.');
    jwt j;
    j.header = nlohmann::json::parse(base64url_decode(token.substr(0, a)).value());
    j.claims = nlohmann::json::parse(base64url_decode(token.substr(a + 1, b - a - 1)).value());
    j.signing_input = token.substr(0, b);
    j.signature = base64url_decode(token.substr(b + 1)).value();
    return j;
}

bool verifies(const jwt& j, signing_alg alg) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, creds().pub) == 1;
    if (ok && alg == signing_alg::ps256) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1;
    }
    ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(j.signature.data()), j.signature.size(),
                                reinterpret_cast<const unsigned char*>(j.signing_input.data()),
                                j.signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

TEST(client_assertion, header_claims_and_signature) {
    for (const auto alg : {signing_alg::ps256, signing_alg::rs256}) {
        const auto token = make_client_assertion(request(alg));
        ASSERT_TRUE(token) << token.error().message;
        const auto j = split(token->reveal());
        EXPECT_EQ(j.header["alg"], alg == signing_alg::ps256 ? "PS256" : "RS256");
        EXPECT_EQ(j.header["typ"], "JWT");
        EXPECT_EQ(j.header["x5t#S256"], base64url_encode(sha256(creds().cert_der)));
        EXPECT_EQ(j.claims["aud"], "https://login.microsoftonline.com/contoso/oauth2/v2.0/token");
        EXPECT_EQ(j.claims["iss"], "cc-jwt");
        EXPECT_EQ(j.claims["sub"], "cc-jwt");
        EXPECT_EQ(j.claims["jti"], "6f1c2a9e-0000-4000-8000-000000000001");
        EXPECT_EQ(j.claims["nbf"], 1'700'000'000);
        EXPECT_EQ(j.claims["iat"], 1'700'000'000);
        EXPECT_EQ(j.claims["exp"], 1'700'000'600);
        EXPECT_TRUE(verifies(j, alg));
        const auto other = alg == signing_alg::ps256 ? signing_alg::rs256 : signing_alg::ps256;
        EXPECT_FALSE(verifies(j, other));  // the padding really differs
        EXPECT_EQ(to_string(*token), "<redacted>");
    }
}

TEST(client_assertion, bad_inputs_are_error_values) {
    auto r = request(signing_alg::ps256);
    r.private_key_pem = "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n";
    auto bad = make_client_assertion(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("private key is not a readable"), std::string::npos);

    r = request(signing_alg::ps256);
    r.certificate_pem = "garbage";
    bad = make_client_assertion(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("certificate is not a readable"), std::string::npos);

    r = request(signing_alg::ps256);
    r.private_key_pem = creds().other_key_pem;
    bad = make_client_assertion(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("does not belong to the certificate"), std::string::npos);
    EXPECT_EQ(bad.error().message.find("PRIVATE"), std::string::npos);

    r = request(signing_alg::ps256);
    r.private_key_pem = "";
    EXPECT_FALSE(make_client_assertion(r));
}

TEST(client_assertion, jti_is_a_v4_uuid) {
    const auto j = new_jti([](std::span<unsigned char> out) {
        for (auto& b : out) b = 0xFF;
        return true;
    });
    ASSERT_TRUE(j);
    EXPECT_EQ(*j, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    EXPECT_NE(*new_jti(openssl_random()), *new_jti(openssl_random()));
    EXPECT_FALSE(new_jti([](std::span<unsigned char>) { return false; }));
}

}  // namespace
}  // namespace ewstrigd::auth
