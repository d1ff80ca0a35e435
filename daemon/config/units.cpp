#include "config/units.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace ewstrigd::config {
namespace {

struct number_prefix {
    std::uint64_t value = 0;
    std::size_t length = 0;  // digits consumed
};

// Leading decimal digits; length 0 when there are none or on overflow.
number_prefix read_number(std::string_view text) {
    number_prefix n;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n.value);
    if (ec != std::errc()) return {};
    n.length = static_cast<std::size_t>(end - text.data());
    return n;
}

bool multiply_checked(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
    out = a * b;
    return true;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
    struct unit {
        std::string_view suffix;
        std::uint64_t ms;
    };
    // Longest suffix first so "ms" is not read as "m" followed by "s".
    static constexpr std::array<unit, 5> units{{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
    const std::string bad = quoted(text) + " is not a duration (use e.g. 500ms, 90s, 5m, 2h, 1d or 1h30m)";
    if (text.empty()) return bad;
    std::uint64_t total = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto n = read_number(rest);
        if (n.length == 0) return bad;
        rest.remove_prefix(n.length);
        const unit* found = nullptr;
        for (const auto& u : units) {
            if (rest.starts_with(u.suffix)) {
                found = &u;
                break;
            }
        }
        if (found == nullptr) {
            if (rest.empty() && n.length == text.size()) {
                return quoted(text) + " has no unit (write e.g. " + std::string(text) + "s)";
            }
            return bad;
        }
        rest.remove_prefix(found->suffix.size());
        std::uint64_t part = 0;
        // A year in ms fits easily; anything near 2^63 is a typo.
        if (!multiply_checked(n.value, found->ms, part) || part > (1ULL << 62) || total + part > (1ULL << 62)) {
            return quoted(text) + " is too long a duration";
        }
        total += part;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

parsed<std::uint64_t> parse_size(std::string_view text) {
    struct unit {
        std::string_view suffix;
        std::uint64_t bytes;
    };
    static constexpr std::array<unit, 8> units{{{"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30},
                                                {"KB", 1000}, {"MB", 1000'000}, {"GB", 1000'000'000},
                                                {"B", 1}, {"", 1}}};
    const auto n = read_number(text);
    if (n.length == 0) return quoted(text) + " is not a size (use e.g. 512, 100KB, 5MB, 10MiB)";
    std::string_view suffix = text.substr(n.length);
    while (suffix.starts_with(' ')) suffix.remove_prefix(1);
    for (const auto& u : units) {
        if (suffix == u.suffix) {
            std::uint64_t bytes = 0;
            if (!multiply_checked(n.value, u.bytes, bytes)) return quoted(text) + " is too large";
            return bytes;
        }
    }
    return quoted(text) + " has an unknown size unit (use B, KB, MB, GB, KiB, MiB or GiB)";
}

namespace {

// Reads exactly `digits` decimal digits at `pos`; -1 when absent.
int fixed_digits(std::string_view text, std::size_t pos, std::size_t digits) {
    if (pos + digits > text.size()) return -1;
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

parsed<std::chrono::sys_seconds> parse_timestamp(std::string_view text) {
    using namespace std::chrono;
    const std::string bad = quoted(text) + " is not an ISO 8601 time (use e.g. 2026-11-28 or 2026-11-28T09:30:00Z)";
    const int y = fixed_digits(text, 0, 4);
    const int mo = fixed_digits(text, 5, 2);
    const int d = fixed_digits(text, 8, 2);
    if (y < 0 || mo < 0 || d < 0 || text[4] != '-' || text[7] != '-') return bad;
    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return quoted(text) + " is not a valid date";
    sys_seconds at = sys_days{date};
    if (text.size() == 10) return at;
    if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad;
    const int h = fixed_digits(text, 11, 2);
    const int mi = fixed_digits(text, 14, 2);
    const int s = fixed_digits(text, 17, 2);
    if (h < 0 || mi < 0 || s < 0 || text[13] != ':' || text[16] != ':' || h > 23 || mi > 59 || s > 60) return bad;
    at += hours{h} + minutes{mi} + seconds{s};
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    }
    const std::string_view zone = text.substr(pos);
    if (zone == "Z" || zone == "z") return at;
    if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        const int zh = fixed_digits(zone, 1, 2);
        const int zm = fixed_digits(zone, 4, 2);
        if (zh < 0 || zm < 0 || zh > 23 || zm > 59) return bad;
        const minutes offset = hours{zh} + minutes{zm};
        return zone[0] == '+' ? at - offset : at + offset;
    }
    if (zone.empty()) return quoted(text) + " has no time zone (add Z for UTC or an offset like +02:00)";
    return bad;
}

parsed<day_window> parse_day_window(std::string_view text) {
    const std::string bad = quoted(text) + " is not a daily window (use HH:MM-HH:MM in UTC, e.g. 08:00-18:00)";
    if (text.size() != 11 || text[2] != ':' || text[5] != '-' || text[8] != ':') return bad;
    const int h1 = fixed_digits(text, 0, 2), m1 = fixed_digits(text, 3, 2);
    const int h2 = fixed_digits(text, 6, 2), m2 = fixed_digits(text, 9, 2);
    if (h1 < 0 || m1 < 0 || h2 < 0 || m2 < 0 || h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59) return bad;
    if ((h1 == 24 && m1 != 0) || (h2 == 24 && m2 != 0)) return bad;
    day_window w{std::chrono::minutes(h1 * 60 + m1), std::chrono::minutes(h2 * 60 + m2)};
    if (w.start == w.end) return quoted(text) + " is an empty window";
    return w;
}

}  // namespace ewstrigd::config
