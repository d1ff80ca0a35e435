#include "auth/client_assertion.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <climits>
#include <memory>
#include <vector>

namespace ewstrigd::auth {
namespace {

template <auto fn>
struct deleter {
    template <class T>
    void operator()(T* p) const { fn(p); }
};
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, deleter<EVP_MD_CTX_free>>;

bio_ptr memory_bio(std::string_view pem) {
    if (pem.size() > INT_MAX) return nullptr;
    return bio_ptr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// A failed OpenSSL call leaves entries in the thread's error queue; left
// there, they can be misread by the next TLS call in libcurl on this thread.
struct clear_openssl_errors {
    clear_openssl_errors() = default;
    clear_openssl_errors(const clear_openssl_errors&) = delete;
    clear_openssl_errors& operator=(const clear_openssl_errors&) = delete;
    ~clear_openssl_errors() { ERR_clear_error(); }
};

// Refuses every pass-phrase request instead of prompting on a terminal.
int no_passphrase(char*, int, int, void*) { return -1; }

result<std::string> certificate_thumbprint(std::string_view pem, const EVP_PKEY& key) {
    const auto bio = memory_bio(pem);
    const x509_ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!cert) return fail("the certificate is not a readable PEM certificate");
    if (X509_check_private_key(cert.get(), &key) != 1)
        return fail("the private key does not belong to the certificate");
    const int len = i2d_X509(cert.get(), nullptr);
    if (len <= 0) return fail("the certificate could not be encoded as DER");
    std::vector<unsigned char> der(static_cast<std::size_t>(len));
    unsigned char* out = der.data();
    i2d_X509(cert.get(), &out);
    return base64url_encode(sha256(der));
}

result<std::string> sign(std::string_view input, EVP_PKEY& key, signing_alg alg) {
    const md_ctx_ptr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, &key) != 1)
        return fail("the private key cannot sign with SHA-256");
    if (alg == signing_alg::ps256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                                      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
        return fail("the private key cannot sign with RSA-PSS");
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    std::size_t size = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size()) != 1)
        return fail("signing the client assertion failed");
    std::vector<unsigned char> sig(size);
    if (EVP_DigestSign(ctx.get(), sig.data(), &size, data, input.size()) != 1)
        return fail("signing the client assertion failed");
    sig.resize(size);
    return base64url_encode(sig);
}

}  // namespace

result<secret> make_client_assertion(const assertion_request& r) {
    const clear_openssl_errors guard;
    const auto bio = memory_bio(r.private_key_pem);
    const pkey_ptr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    if (!key) return fail("the private key is not a readable, unencrypted PEM private key");
    if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) return fail("the private key is not an RSA key (RS256/PS256 need RSA)");
    auto x5t = certificate_thumbprint(r.certificate_pem, *key);
    if (!x5t) return x5t.error();

    const auto now = std::chrono::duration_cast<std::chrono::seconds>(r.now.time_since_epoch()).count();
    const nlohmann::json header = {
        {"alg", r.alg == signing_alg::ps256 ? "PS256" : "RS256"}, {"typ", "JWT"}, {"x5t#S256", *x5t}};
    const nlohmann::json claims = {{"aud", r.token_endpoint}, {"iss", r.client_id}, {"sub", r.client_id},
                                   {"jti", r.jti},            {"nbf", now},         {"iat", now},
                                   {"exp", now + r.lifetime.count()}};
    // dump() with replace: invalid UTF-8 in an id must not throw.
    const auto encode = [](const nlohmann::json& j) {
        return base64url_encode(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    };
    std::string signing_input = encode(header) + "." + encode(claims);
    auto signature = sign(signing_input, *key, r.alg);
    if (!signature) return signature.error();
    return secret(signing_input + "." + *signature);
}

result<std::string> new_jti(const random_source& random) {
    std::array<unsigned char, 16> b{};
    if (!random || !random(b)) return fail("no random bytes available (the system's random source failed)");
    b[6] = static_cast<unsigned char>((b[6] & 0x0FU) | 0x40U);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3FU) | 0x80U);  // variant 10
    static constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 15U];
    }
    return out;
}

}  // namespace ewstrigd::auth
