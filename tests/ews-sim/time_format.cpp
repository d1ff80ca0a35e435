#include "time_format.hpp"

#include <array>
#include <cstdio>

namespace ewstrigd::sim {
namespace {

struct civil {
    std::chrono::year_month_day ymd;
    std::chrono::hh_mm_ss<std::chrono::seconds> hms;
    unsigned weekday;  // 0 = Sunday
};

civil split(std::chrono::system_clock::time_point t) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    const auto day = std::chrono::floor<std::chrono::days>(secs);
    return {std::chrono::year_month_day{day}, std::chrono::hh_mm_ss{secs - day},
            std::chrono::weekday{day}.c_encoding()};
}

}  // namespace

std::string xs_datetime(std::chrono::system_clock::time_point t) {
    const auto c = split(t);
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(c.ymd.year()),
                  static_cast<unsigned>(c.ymd.month()), static_cast<unsigned>(c.ymd.day()),
                  static_cast<int>(c.hms.hours().count()), static_cast<int>(c.hms.minutes().count()),
                  static_cast<int>(c.hms.seconds().count()));
    return buf.data();
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
    static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto c = split(t);
    std::array<char, 48> buf{};
    std::snprintf(buf.data(), buf.size(), "%s, %02u %s %04d %02d:%02d:%02d +0000", days[c.weekday % 7],
                  static_cast<unsigned>(c.ymd.day()), months[(static_cast<unsigned>(c.ymd.month()) + 11) % 12],
                  static_cast<int>(c.ymd.year()), static_cast<int>(c.hms.hours().count()),
                  static_cast<int>(c.hms.minutes().count()), static_cast<int>(c.hms.seconds().count()));
    return buf.data();
}

}  // namespace ewstrigd::sim
