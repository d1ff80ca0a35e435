#include "actions/file_names.hpp"

namespace ewstrigd::actions {
namespace {

constexpr std::size_t max_name_bytes = 200;

bool ends_with_eml(std::string_view s) {
    if (s.size() < 4) return false;
    const auto tail = s.substr(s.size() - 4);
    return tail[0] == '.' && (tail[1] | 0x20) == 'e' && (tail[2] | 0x20) == 'm' && (tail[3] | 0x20) == 'l';
}

}  // namespace

std::string sanitise_file_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        out += (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) ? '_' : c;
    }
    if (out.size() > max_name_bytes) {
        std::size_t cut = max_name_bytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
        out.resize(cut);
    }
    if (out.empty()) return "_";
    if (out.front() == '.') out.front() = '_';
    return out;
}

save_names save_file_names(std::string_view sanitised, config::save_action::format what, unsigned attempt) {
    std::string stem(ends_with_eml(sanitised) ? sanitised.substr(0, sanitised.size() - 4) : sanitised);
    if (stem.empty()) stem = "_";
    if (attempt > 0) stem += "-" + std::to_string(attempt);
    save_names names;
    using format = config::save_action::format;
    if (what != format::json) {
        // Keep the extension as the admin wrote it (".EML" stays).
        names.eml = stem + (ends_with_eml(sanitised) ? std::string(sanitised.substr(sanitised.size() - 4)) : ".eml");
    }
    if (what != format::eml) names.json = stem + ".json";
    return names;
}

}  // namespace ewstrigd::actions
