#pragma once
// A JSON Web Key Set (RFC 7517 §5) reduced to what ews-sim verifies with:
// the RSA signing keys (kty RSA, use absent or "sig"), each as an OpenSSL 3
// EVP_PKEY built from its n/e, by kid. Other keys (EC, OKP, encryption keys,
// RSA keys under 2048 bits) are skipped: a real issuer publishes them too.
// Pure; parse throws std::runtime_error naming what is wrong.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace ewstrigd::sim {

struct rsa_jwk {
    std::string kid;  // may be empty
    std::string alg;  // the key's "alg" when the set names one (then only that alg may use it)
    std::shared_ptr<EVP_PKEY> key;
};

class jwk_set {
public:
    // At least one usable RSA key, else an error; so does text that is not a JWKS.
    static jwk_set parse(std::string_view json);

    // The key with this kid; nullptr when the set has none.
    const rsa_jwk* find(std::string_view kid) const;
    // The only key of the set (for a token without kid); nullptr unless there is exactly one.
    const rsa_jwk* only() const;
    std::size_t size() const { return keys_.size(); }

private:
    std::vector<rsa_jwk> keys_;
};

}  // namespace ewstrigd::sim
