#pragma once
// Byte encodings used by OAuth: base64url without padding (RFC 7515 §2,
// RFC 7636 Appendix A; util/base64.hpp's, under OAuth's names), SHA-256,
// percent-encoding for queries and application/x-www-form-urlencoded bodies,
// and the random source PKCE, `state` and assertion ids draw from. Pure
// except openssl_random().

#include "auth/error.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::auth {

std::string base64url_encode(std::span<const unsigned char> bytes);
std::string base64url_encode(std::string_view bytes);
// Accepts the unpadded form only; any other character is an error.
result<std::string> base64url_decode(std::string_view text);

using sha256_digest = std::array<unsigned char, 32>;
sha256_digest sha256(std::span<const unsigned char> bytes);
sha256_digest sha256(std::string_view bytes);

// Everything but ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3) as %XX.
// Space becomes %20, which both query strings and form bodies decode as a space.
std::string percent_encode(std::string_view text);

// A query string or form body ("a=1&b=x%20y") -> its pairs in order. "+" is a
// space (form rules); a bad %-escape is an error naming the key it is in.
result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

// Fills the span with random bytes; false when no randomness is available.
using random_source = std::function<bool(std::span<unsigned char>)>;

// OpenSSL's RAND_bytes (a CSPRNG seeded by the OS).
random_source openssl_random();

// `n` random bytes as base64url, e.g. for `state`; an error if the source fails.
result<std::string> random_base64url(const random_source& random, std::size_t n);

}  // namespace ewstrigd::auth
