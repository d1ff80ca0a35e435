#pragma once
// ASCII case folding for SMTP addresses, folder names and URL paths. Pure.
#include <string>
#include <string_view>

namespace ewstrigd::sim {

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace ewstrigd::sim
