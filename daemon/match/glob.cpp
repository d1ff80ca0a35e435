#include "match/evaluate.hpp"

#include <algorithm>
#include <cstddef>

namespace ewstrigd::match {
namespace {

// ASCII only on purpose: locale-dependent folding would make a rule behave
// differently per host, and full Unicode folding is not worth a dependency.
constexpr char fold(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_char(char a, char b, bool case_sensitive) noexcept {
    return case_sensitive ? a == b : fold(a) == fold(b);
}

bool is_continuation(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }

// Length of the UTF-8 character at s[i]. Malformed sequences count one byte per
// character, so `?` still advances and arbitrary bytes cannot stall the loop.
std::size_t char_length(std::string_view s, std::size_t i) noexcept {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80U) return 1;
    std::size_t n = 1;
    if (lead >= 0xF0U && lead <= 0xF4U) {
        n = 4;
    } else if (lead >= 0xE0U) {
        n = lead <= 0xEFU ? 3 : 1;
    } else if (lead >= 0xC2U) {
        n = 2;
    }
    if (n == 1 || i + n > s.size()) return 1;
    for (std::size_t k = 1; k < n; ++k) {
        if (!is_continuation(static_cast<unsigned char>(s[i + k]))) return 1;
    }
    return n;
}

}  // namespace

// Two cursors plus the position of the last `*`: on a mismatch the last star
// absorbs one more character and matching resumes after it. Earlier stars never
// need revisiting, which keeps this O(|pattern| * |text|) instead of exponential.
bool glob_match(std::string_view pattern, std::string_view text, bool case_sensitive) {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star_p = std::string_view::npos;  // index just after the last `*`
    std::size_t star_t = 0;                       // text index that star is retried from

    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            while (p < pattern.size() && pattern[p] == '*') ++p;
            if (p == pattern.size()) return true;  // trailing star eats the rest
            star_p = p;
            star_t = t;
        } else if (p < pattern.size() && pattern[p] == '?') {
            ++p;
            t += char_length(text, t);
        } else if (p < pattern.size() && same_char(pattern[p], text[t], case_sensitive)) {
            ++p;
            ++t;
        } else if (star_p != std::string_view::npos) {
            star_t += char_length(text, star_t);
            // Let the star swallow everything up to the next possible start of
            // the literal that follows it: the common `*@domain` case then
            // costs one scan instead of a retry per character. A literal byte
            // never equals a byte inside another UTF-8 character, so the skip
            // cannot land mid-character where it matters.
            if (pattern[star_p] != '?') {
                while (star_t < text.size() && !same_char(pattern[star_p], text[star_t], case_sensitive)) {
                    ++star_t;
                }
                if (star_t == text.size()) return false;
            }
            p = star_p;
            t = star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool contains_text(std::string_view text, std::string_view needle, bool case_sensitive) {
    if (case_sensitive) return text.find(needle) != std::string_view::npos;
    const auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                                [](char a, char b) { return fold(a) == fold(b); });
    return it != text.end() || needle.empty();
}

bool equals_text(std::string_view a, std::string_view b, bool case_sensitive) {
    if (case_sensitive) return a == b;
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return fold(x) == fold(y); });
}

}  // namespace ewstrigd::match
