#pragma once
// Base64 (RFC 4648), the one encoder of the daemon: the standard alphabet
// with '=' padding (§4; MIME, EWS t:Content) and the URL alphabet without
// padding (§5 with RFC 7515 §2; JWT, PKCE). Base64 text EWS sends is taken as
// it is (checked and measured, not decoded): mail passed on goes back to
// Exchange as base64, and decoding it only to encode it again cost the event
// loop ~140 ms for a 25 MiB attachment (checking it: ~10 ms). Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::util {

enum class base64_alphabet {
    standard,  // A-Z a-z 0-9 + /, padded with '='
    url,       // A-Z a-z 0-9 - _, unpadded
};

// `bytes` as base64 in one line.
std::string base64_encode(std::string_view bytes, base64_alphabet alphabet = base64_alphabet::standard);

// Unpadded base64url -> bytes; nullopt for padding, any character outside
// the URL alphabet or a length no encoding has.
std::optional<std::string> base64url_decode(std::string_view text);

// Standard base64 text and the number of bytes it stands for.
struct base64_text {
    std::string text;               // no whitespace, padded
    std::uint64_t decoded_size = 0;
};

// `text` (standard alphabet, padded, whitespace such as line breaks
// anywhere) without its whitespace, and its decoded size from its length and
// padding; nullopt when it is not such base64. Empty text is zero bytes.
// Takes `text` by value: the usual input has no whitespace and is moved
// through without a copy.
std::optional<base64_text> compact_base64(std::string text);

}  // namespace ewstrigd::util
