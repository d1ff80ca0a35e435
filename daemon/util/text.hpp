#pragma once
// Small text helpers every module may use. Pure.

#include <string_view>

namespace ewstrigd::util {

// `s` without leading and trailing blanks (space, tab, CR, LF).
std::string_view trimmed(std::string_view s);

}  // namespace ewstrigd::util
