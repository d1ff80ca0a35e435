#pragma once
// Standard base64 (RFC 4648 §4, with padding), for the opaque ids the
// simulator mints and for attachment / MIME content. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::sim {

std::string base64_encode(std::string_view bytes);

// nullopt when `text` is not valid padded base64; ASCII whitespace (line
// breaks in MIME bodies, JSON pretty-printing) is skipped.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ewstrigd::sim
