#include "util/shard.hpp"

#include "util/backoff.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace ewstrigd::util {

bool in_shard(std::string_view mailbox_id, unsigned k, unsigned n) {
    if (k >= n) return false;
    const std::uint64_t seed = seed_of(mailbox_id);
    unsigned owner = 0;
    std::uint64_t best = mix(seed, 0);
    for (unsigned j = 1; j < n; ++j) {
        // Strictly greater: a (vanishingly unlikely) tie goes to the lower shard.
        if (const auto w = mix(seed, j); w > best) {
            best = w;
            owner = j;
        }
    }
    return owner == k;
}

namespace {

bool parse_number(std::string_view s, unsigned& out) {
    if (s.empty()) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

shard parse_shard(std::string_view text) {
    const auto bad = [&](const std::string& why) {
        return std::invalid_argument("--shard \"" + std::string{text} + "\": " + why +
                                     " (expected K/N with 0 <= K < N, e.g. 0/4 for the first of four)");
    };
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) throw bad("no '/'");
    shard s;
    if (!parse_number(text.substr(0, slash), s.k)) throw bad("K is not a whole number");
    if (!parse_number(text.substr(slash + 1), s.n)) throw bad("N is not a whole number");
    if (s.n == 0) throw bad("N must be at least 1");
    if (s.n > max_shards) throw bad("N must be at most " + std::to_string(max_shards));
    if (s.k >= s.n) throw bad("K must be less than N (shards are numbered from 0)");
    return s;
}

}  // namespace ewstrigd::util
