#include "auth/encoding.hpp"

#include "util/base64.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>

namespace ewstrigd::auth {
namespace {

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
    return util::base64_encode({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, util::base64_alphabet::url);
}

std::string base64url_encode(std::string_view bytes) { return util::base64_encode(bytes, util::base64_alphabet::url); }

result<std::string> base64url_decode(std::string_view text) {
    auto bytes = util::base64url_decode(text);
    if (!bytes) return fail("base64url text is malformed (padding, a character outside its alphabet or a bad length)");
    return std::move(*bytes);
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
