#include "util/backoff.hpp"

#include <algorithm>
#include <charconv>

namespace ewstrigd::util {

using std::chrono::milliseconds;

backoff::backoff(milliseconds initial, milliseconds cap, std::uint64_t jitter_seed)
    : initial_(std::max(initial, milliseconds{1})), cap_(std::max(cap, initial_)), seed_(jitter_seed) {}

milliseconds backoff::next() {
    // Doubling stops once the cap is reached, so the shift never overflows.
    milliseconds d = initial_;
    for (unsigned i = 0; i < attempt_ && d < cap_; ++i) d = std::min(d * 2, cap_);
    const double u = unit_interval(seed_, attempt_);
    ++attempt_;
    const auto half = d / 2;
    return half + milliseconds{static_cast<milliseconds::rep>(static_cast<double>((d - half).count()) * u)};
}

milliseconds backoff::next(std::optional<milliseconds> retry_after) {
    const milliseconds own = next();
    if (!retry_after) return own;
    return std::max(own, std::clamp(*retry_after, milliseconds{0}, retry_after_limit));
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view header) {
    const auto first = header.find_first_not_of(" \t");
    if (first == std::string_view::npos) return std::nullopt;
    header = header.substr(first, header.find_last_not_of(" \t") - first + 1);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), value);
    if (ec != std::errc{} || end != header.data() + header.size()) return std::nullopt;
    const auto limit = std::chrono::duration_cast<std::chrono::seconds>(retry_after_limit);
    return std::chrono::seconds{static_cast<std::chrono::seconds::rep>(
        std::min<std::uint64_t>(value, static_cast<std::uint64_t>(limit.count())))};
}

std::uint64_t mix(std::uint64_t seed, std::uint64_t n) {
    // splitmix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", 2014)
    std::uint64_t z = seed + (n + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t seed_of(std::string_view text) {
    std::uint64_t h = 0xCBF29CE484222325ULL;  // FNV-1a 64 offset basis
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return mix(h, 0);
}

double unit_interval(std::uint64_t seed, std::uint64_t n) {
    // The top 53 bits fill a double's mantissa exactly: uniform in [0, 1).
    return static_cast<double>(mix(seed, n) >> 11) * 0x1.0p-53;
}

}  // namespace ewstrigd::util
