#include "util/base64.hpp"

#include <array>
#include <cstring>
#include <utility>

namespace ewstrigd::util {
namespace {

constexpr std::string_view standard_digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 12 bits -> their two digits: encoding looks up two digits at a time
// (25 MiB in about 18 ms rather than 30).
using digit_pairs = std::array<std::array<char, 2>, 4096>;
constexpr digit_pairs pairs_of(std::string_view digits) {
    digit_pairs pairs{};
    for (std::size_t i = 0; i < pairs.size(); ++i) pairs[i] = {digits[i >> 6], digits[i & 63U]};
    return pairs;
}
constexpr digit_pairs standard_pairs = pairs_of(standard_digits);
constexpr digit_pairs url_pairs = pairs_of(url_digits);

// Character -> its 6-bit value in the URL alphabet, -1 for the rest.
constexpr std::array<signed char, 256> url_values = [] {
    std::array<signed char, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < url_digits.size(); ++i)
        values[static_cast<unsigned char>(url_digits[i])] = static_cast<signed char>(i);
    return values;
}();

// What a character is in standard base64 text as EWS sends it.
enum char_class : unsigned char { digit = 0, blank = 1, pad = 2, other = 4 };
constexpr std::array<unsigned char, 256> standard_classes = [] {
    std::array<unsigned char, 256> classes{};
    classes.fill(other);
    for (const char c : standard_digits) classes[static_cast<unsigned char>(c)] = digit;
    for (const char c : std::string_view(" \t\r\n")) classes[static_cast<unsigned char>(c)] = blank;
    classes['='] = pad;
    return classes;
}();

char_class class_of(char c) { return static_cast<char_class>(standard_classes[static_cast<unsigned char>(c)]); }

}  // namespace

std::string base64_encode(std::string_view bytes, base64_alphabet alphabet) {
    const bool url = alphabet == base64_alphabet::url;
    const digit_pairs& pairs = url ? url_pairs : standard_pairs;
    const std::size_t whole = bytes.size() / 3;
    const std::size_t rest = bytes.size() % 3;
    std::string out(whole * 4 + (rest == 0 ? 0 : url ? rest + 1 : 4), '=');
    const auto byte = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(bytes[i])}; };
    char* digits = out.data();
    for (std::size_t i = 0; i < whole * 3; i += 3, digits += 4) {
        const std::uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        std::memcpy(digits, pairs[group >> 12].data(), 2);
        std::memcpy(digits + 2, pairs[group & 4095U].data(), 2);
    }
    if (rest > 0) {  // 2 or 3 digits; the standard alphabet's padding is the '=' `out` started with
        const std::uint32_t group = byte(whole * 3) << 16 | (rest == 2 ? byte(whole * 3 + 1) << 8 : 0U);
        std::memcpy(digits, pairs[group >> 12].data(), 2);
        if (rest == 2) digits[2] = pairs[group & 4095U][0];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = url_values[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFFU);
        }
    }
    return out;
}

std::optional<base64_text> compact_base64(std::string text) {
    // One pass of table look-ups (35 MB, a 25 MiB attachment, in about
    // 10 ms) says which kinds of character occur; the rare cases (blanks,
    // padding) are looked at again only when they do.
    unsigned seen = 0;
    for (const char c : text) seen |= class_of(c);
    if ((seen & other) != 0) return std::nullopt;
    if ((seen & blank) != 0) std::erase_if(text, [](char c) { return class_of(c) == blank; });
    if (text.size() % 4 != 0) return std::nullopt;
    const std::size_t padding = text.ends_with("==") ? 2U : text.ends_with('=') ? 1U : 0U;
    if ((seen & pad) != 0 && text.find('=') < text.size() - padding) return std::nullopt;
    const std::uint64_t size = text.size() / 4 * 3 - padding;
    return base64_text{std::move(text), size};
}

}  // namespace ewstrigd::util
