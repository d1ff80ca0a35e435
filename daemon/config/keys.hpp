#pragma once
// Every key the configuration accepts, per section. The loader rejects any
// other key, and a unit test checks that config/ewstrigd.schema.json names
// exactly the same keys (its $defs carry the section names below).

#include <string_view>
#include <vector>

namespace ewstrigd::config {

struct key_section {
    std::string_view name;               // e.g. "mailbox", "auth", "action"
    std::vector<std::string_view> keys;
};

const std::vector<key_section>& key_sections();

// The keys of one section; an unknown section name is a programming error.
const std::vector<std::string_view>& keys_of(std::string_view section);

}  // namespace ewstrigd::config
