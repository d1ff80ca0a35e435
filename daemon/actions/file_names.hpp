#pragma once
// File names of the save action (pure; rules in docs/actions.md).

#include "config/model.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::actions {

// One path component made from an expanded template, never leaving its
// directory: '/', '\' and control characters (bytes < 0x20 and 0x7f) become
// '_', a leading '.' becomes '_' (no hidden files, no "." or ".."; our temp
// files start with '.'), an empty name becomes "_", and the result is cut to
// at most 200 bytes on a UTF-8 character boundary (room for a suffix and the
// extension within NAME_MAX).
std::string sanitise_file_name(std::string_view name);

// The files one save writes, from the sanitised name: format eml gives NAME
// (".eml" appended unless it ends so, case-insensitively), json gives the
// same with ".json" (a trailing ".eml" replaced), both gives the two.
// `attempt` > 0 inserts "-N" before the extension: "123.eml" -> "123-2.eml".
struct save_names {
    std::string eml;   // empty when not written
    std::string json;  // empty when not written
};
save_names save_file_names(std::string_view sanitised, config::save_action::format what, unsigned attempt = 0);

}  // namespace ewstrigd::actions
