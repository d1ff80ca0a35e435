#include "auth/encoding.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>

namespace ewstrigd::auth {
namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
    const auto pos = alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::span<const unsigned char> as_bytes(std::string_view s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

result<std::string> percent_decode(std::string_view text, std::string_view key) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] != '%') {
            out += text[i];
        } else {
            const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
            const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
            if (lo < 0) return fail("malformed %-escape in query parameter '" + std::string(key) + "'");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        }
    }
    return out;
}

}  // namespace

std::string base64url_encode(std::span<const unsigned char> bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63U];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const unsigned v = (unsigned{bytes[i]} << 16) | (rest == 2 ? unsigned{bytes[i + 1]} << 8 : 0U);
        out += alphabet[(v >> 18) & 63U];
        out += alphabet[(v >> 12) & 63U];
        if (rest == 2) out += alphabet[(v >> 6) & 63U];
    }
    return out;
}

std::string base64url_encode(std::string_view bytes) { return base64url_encode(as_bytes(bytes)); }

result<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return fail("base64url text has an impossible length");
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned acc = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = sextet(c);
        if (v < 0) return fail("base64url text contains a character outside its alphabet");
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFFU);
        }
    }
    return out;
}

sha256_digest sha256(std::span<const unsigned char> bytes) {
    sha256_digest d{};
    // EVP_Digest fails only on allocation failure; the zero digest then never matches anything.
    EVP_Digest(bytes.data(), bytes.size(), d.data(), nullptr, EVP_sha256(), nullptr);
    return d;
}

sha256_digest sha256(std::string_view bytes) { return sha256(as_bytes(bytes)); }

std::string percent_encode(std::string_view text) {
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15U];
        }
    }
    return out;
}

result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        const std::string_view raw_key = part.substr(0, eq);
        auto key = percent_decode(raw_key, raw_key);
        if (!key) return key.error();
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), *key);
        if (!value) return value.error();
        pairs.emplace_back(std::move(*key), std::move(*value));
    }
    return pairs;
}

random_source openssl_random() {
    return [](std::span<unsigned char> out) {
        // RAND_bytes takes an int length; callers ask for tens of bytes.
        return out.size() <= INT_MAX && RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
    };
}

result<std::string> random_base64url(const random_source& random, std::size_t n) {
    std::vector<unsigned char> bytes(n);
    if (!random || !random(bytes)) return fail("no random bytes available (the system's random source failed)");
    return base64url_encode(bytes);
}

}  // namespace ewstrigd::auth
