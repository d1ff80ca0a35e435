#include "jwt_verifier.hpp"

#include "auth/encoding.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>
#include <stdexcept>

namespace ewstrigd::sim {
namespace {

using json = nlohmann::json;

enum class rsa_alg { rs256, ps256 };

// The three base64url segments of a compact JWS, decoded.
struct jws_parts {
    std::string_view signing_input;  // header.payload, as signed
    json header;
    json payload;
    std::string signature;
};

std::optional<json> decode_json_segment(std::string_view segment) {
    auto text = auth::base64url_decode(segment);
    if (!text) return std::nullopt;
    auto doc = json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    return doc;
}

// nullopt when malformed. An empty signature is well-formed ("alg":"none" tokens have one) and fails later.
std::optional<jws_parts> split_jws(std::string_view token) {
    const auto first = token.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
    auto header = decode_json_segment(token.substr(0, first));
    auto payload = decode_json_segment(token.substr(first + 1, second - first - 1));
    auto signature = auth::base64url_decode(token.substr(second + 1));
    if (!header || !payload || !signature) return std::nullopt;
    if (const auto kid = header->find("kid"); kid != header->end() && !kid->is_string()) return std::nullopt;
    return jws_parts{token.substr(0, second), std::move(*header), std::move(*payload), std::move(*signature)};
}

std::string string_claim(const json& object, const char* name) {
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> numeric_date(const json& claims, const char* name) {
    const auto it = claims.find(name);
    if (it == claims.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

bool audience_matches(const json& claims, const std::string& audience) {
    const auto aud = claims.find("aud");
    if (aud == claims.end()) return false;
    if (aud->is_string()) return aud->get<std::string>() == audience;
    if (!aud->is_array()) return false;
    for (const auto& a : *aud) {
        if (a.is_string() && a.get<std::string>() == audience) return true;
    }
    return false;
}

bool signature_valid(const jws_parts& jws, rsa_alg alg, EVP_PKEY* key) {
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1) return false;
    // PS256: RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a salt as long as the hash (RFC 7518 §3.5).
    if (alg == rsa_alg::ps256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                                  EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) {
        return false;
    }
    const auto* sig = reinterpret_cast<const unsigned char*>(jws.signature.data());
    const auto* data = reinterpret_cast<const unsigned char*>(jws.signing_input.data());
    return EVP_DigestVerify(ctx.get(), sig, jws.signature.size(), data, jws.signing_input.size()) == 1;
}

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

jwt_verifier::jwt_verifier(jwt_expectations expect, jwks_source source, std::chrono::seconds refetch_interval)
    : expect_(std::move(expect)), source_(std::move(source)), refetch_interval_(refetch_interval),
      keys_(jwk_set::parse(source_())) {}

const rsa_jwk* jwt_verifier::key_for(const std::string& kid, std::chrono::system_clock::time_point now) {
    if (kid.empty()) return keys_.only();
    if (const auto* key = keys_.find(kid)) return key;
    // Perhaps the issuer rotated its keys; a stream of tokens with made-up kids must not become a stream of fetches.
    if (now - last_fetch_ < refetch_interval_) return nullptr;
    last_fetch_ = now;
    try {
        keys_ = jwk_set::parse(source_());
    } catch (const std::exception&) {
        return nullptr;  // keep the keys we have; the token is rejected as naming an unknown key
    }
    return keys_.find(kid);
}

std::variant<jwt_principal, jwt_rejection> jwt_verifier::verify(std::string_view token,
                                                                std::chrono::system_clock::time_point now) {
    const auto jws = split_jws(token);
    if (!jws) return jwt_rejection{"The token is not a JWT (three base64url segments of JSON header, JSON claims and a signature)"};
    const auto alg_name = string_claim(jws->header, "alg");
    rsa_alg alg{};
    if (alg_name == "RS256") {
        alg = rsa_alg::rs256;
    } else if (alg_name == "PS256") {
        alg = rsa_alg::ps256;
    } else {
        return jwt_rejection{"The token's signature algorithm is not accepted (RS256 or PS256 only)"};
    }
    if (jws->header.contains("crit")) return jwt_rejection{"The token has critical header parameters this server does not know"};
    const auto* key = key_for(string_claim(jws->header, "kid"), now);
    if (!key) return jwt_rejection{"No key of the issuer's JWKS matches the token's kid"};
    if (!key->alg.empty() && key->alg != alg_name) return jwt_rejection{"The token's key is not meant for its alg"};
    if (!signature_valid(*jws, alg, key->key.get())) return jwt_rejection{"The token's signature is invalid"};

    const auto& claims = jws->payload;
    if (string_claim(claims, "iss") != expect_.issuer) return jwt_rejection{"The token's issuer is not trusted"};
    if (!audience_matches(claims, expect_.audience)) return jwt_rejection{"The token's audience is not this server"};
    const double t = seconds_since_epoch(now);
    const auto leeway = static_cast<double>(expect_.leeway.count());
    const auto exp = numeric_date(claims, "exp");
    if (!exp) return jwt_rejection{"The token has no expiry (exp)"};
    if (*exp + leeway <= t) return jwt_rejection{"The token has expired"};
    if (const auto nbf = numeric_date(claims, "nbf"); nbf && *nbf - leeway > t) {
        return jwt_rejection{"The token is not valid yet (nbf)"};
    }
    for (const char* name : {"upn", "preferred_username", "email", "sub"}) {
        if (auto value = string_claim(claims, name); !value.empty()) return jwt_principal{std::move(value)};
    }
    return jwt_principal{};
}

}  // namespace ewstrigd::sim
