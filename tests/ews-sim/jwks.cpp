#include "jwks.hpp"

#include "auth/encoding.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <stdexcept>

namespace ewstrigd::sim {
namespace {

constexpr int min_rsa_bits = 2048;  // RFC 7518 §3.3

template <class T, void (*Free)(T*)>
struct openssl_deleter {
    void operator()(T* p) const { Free(p); }
};
using bignum = std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>>;
using param_builder = std::unique_ptr<OSSL_PARAM_BLD, openssl_deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using params = std::unique_ptr<OSSL_PARAM, openssl_deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using pkey_context = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

bignum to_bignum(const std::string& base64url) {
    auto bytes = auth::base64url_decode(base64url);
    if (!bytes || bytes->empty()) return nullptr;
    return bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()), static_cast<int>(bytes->size()),
                            nullptr));
}

// The public key of n/e; nullptr when they are not a usable RSA key.
std::shared_ptr<EVP_PKEY> rsa_public_key(const std::string& n_text, const std::string& e_text) {
    const auto n = to_bignum(n_text);
    const auto e = to_bignum(e_text);
    if (!n || !e) return nullptr;
    const param_builder builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        return nullptr;
    }
    const params built(OSSL_PARAM_BLD_to_param(builder.get()));
    const pkey_context ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!built || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, built.get()) != 1) {
        return nullptr;
    }
    std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
    if (EVP_PKEY_get_bits(key.get()) < min_rsa_bits) return nullptr;
    return key;
}

std::string string_member(const nlohmann::json& jwk, const char* name) {
    const auto it = jwk.find(name);
    return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

jwk_set jwk_set::parse(std::string_view json) {
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw std::runtime_error("not a JWKS (not a JSON object)");
    const auto keys = doc.find("keys");
    if (keys == doc.end() || !keys->is_array()) throw std::runtime_error("not a JWKS (no \"keys\" array)");
    jwk_set set;
    for (const auto& jwk : *keys) {
        if (!jwk.is_object() || string_member(jwk, "kty") != "RSA") continue;
        const auto use = string_member(jwk, "use");
        if (!use.empty() && use != "sig") continue;
        auto key = rsa_public_key(string_member(jwk, "n"), string_member(jwk, "e"));
        if (!key) continue;
        set.keys_.push_back({string_member(jwk, "kid"), string_member(jwk, "alg"), std::move(key)});
    }
    if (set.keys_.empty()) throw std::runtime_error("no RSA signing key of at least 2048 bits in \"keys\"");
    return set;
}

const rsa_jwk* jwk_set::find(std::string_view kid) const {
    for (const auto& k : keys_) {
        if (k.kid == kid) return &k;
    }
    return nullptr;
}

const rsa_jwk* jwk_set::only() const { return keys_.size() == 1 ? &keys_.front() : nullptr; }

}  // namespace ewstrigd::sim
