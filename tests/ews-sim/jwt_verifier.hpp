#pragma once
// Bearer tokens verified as JWTs (RFC 7519) against a real issuer, as
// Exchange Online does with Entra's tokens: a compact JWS (RFC 7515) signed
// RS256 or PS256 ("none", HS* and everything else refused) by a key of the
// issuer's JWKS chosen by `kid`; `iss` equal to the issuer; `aud` (a string or
// an array) containing the audience; `exp` in the future and `nbf`, when
// present, not in the future, each with 60 s leeway for clock skew.
//
// The JWKS comes from a fetch function (jwks_fetch.hpp in ews-sim; a string in
// unit tests), called once by the constructor and again when a token names an
// unknown kid (the issuer rotated its keys), at most once per refetch_interval.
// Pure but for that function. Rejections are fixed sentences that never
// contain the token or anything taken from it, so they can go into a header.
#include "jwks.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::sim {

struct jwt_expectations {
    std::string issuer;
    std::string audience;
    std::chrono::seconds leeway{60};
};

// A token that passed: who it speaks for, from the first of the claims upn,
// preferred_username, email, sub that is a non-empty string ("" if none).
struct jwt_principal {
    std::string name;
};

// Why a token failed: the error_description of RFC 6750 §3.
struct jwt_rejection {
    std::string description;
};

class jwt_verifier {
public:
    // The JWKS document text; throws std::runtime_error when it cannot be had.
    using jwks_source = std::function<std::string()>;

    // Fetches and parses the key set; throws std::runtime_error when either fails.
    jwt_verifier(jwt_expectations expect, jwks_source source,
                 std::chrono::seconds refetch_interval = std::chrono::seconds(10));

    // `now` is the wall clock: it checks exp/nbf and spaces the re-fetches.
    std::variant<jwt_principal, jwt_rejection> verify(std::string_view token,
                                                      std::chrono::system_clock::time_point now);

private:
    const rsa_jwk* key_for(const std::string& kid, std::chrono::system_clock::time_point now);

    jwt_expectations expect_;
    jwks_source source_;
    std::chrono::seconds refetch_interval_;
    jwk_set keys_;
    std::chrono::system_clock::time_point last_fetch_;
};

}  // namespace ewstrigd::sim
