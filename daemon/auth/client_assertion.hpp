#pragma once
// The client assertion JWT for certificate credentials (RFC 7523 §2.2;
// Entra: reference/oauth.md A.5): header {alg, typ JWT, x5t#S256 =
// base64url(SHA-256(certificate DER))}, claims {aud = token endpoint,
// iss = sub = client_id, jti, nbf = iat = now, exp = now + lifetime},
// signed with OpenSSL 3 EVP: RS256 = RSASSA-PKCS1-v1_5/SHA-256, PS256 =
// RSASSA-PSS/SHA-256 with MGF1-SHA-256 and a 32-byte salt (RFC 7518 §3.5).
//
// Pure: the caller reads the PEM files and passes their text, the time and
// the jti. Errors name what is wrong (unreadable key, not RSA, key does not
// belong to the certificate, signing failed) and never include key material.
// An encrypted private key is refused (no pass-phrase prompt in a daemon).

#include "auth/encoding.hpp"
#include "auth/error.hpp"
#include "auth/secret.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ewstrigd::auth {

enum class signing_alg { rs256, ps256 };

struct assertion_request {
    std::string_view client_id;
    std::string_view token_endpoint;   // becomes `aud`
    std::string_view private_key_pem;  // PKCS#8 or PKCS#1 RSA key, unencrypted
    std::string_view certificate_pem;  // the certificate uploaded to the app registration
    signing_alg alg = signing_alg::ps256;  // what Entra's current docs ask for
    std::string jti;                   // unique per assertion: new_jti()
    std::chrono::system_clock::time_point now;
    std::chrono::seconds lifetime{600};  // Entra: exp at most 5-10 minutes after nbf
};

result<secret> make_client_assertion(const assertion_request& r);

// A random version-4 UUID (RFC 9562 §5.4) for `jti`.
result<std::string> new_jti(const random_source& random);

}  // namespace ewstrigd::auth
