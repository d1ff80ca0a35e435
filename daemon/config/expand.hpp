#pragma once
// Value expansion in configuration strings:
//   ${env:NAME}   the environment variable NAME (an unset variable is an error)
//   ${file:PATH}  the file's contents without trailing newlines (systemd
//                 credentials live in files); PATH relative to the config file
//   ${var:NAME}   a custom variable from the `variables:` section
//   $${           a literal "${"
// Reads the environment and files; otherwise pure.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::config {

struct expansion {
    std::string value;
    bool sensitive = false;  // some text came from ${env:} or ${file:}
};

struct expansion_error {
    std::size_t offset = 0;  // byte offset of the faulty `${` in the input
    std::string message;
};

struct expansion_scope {
    const std::map<std::string, expansion>* variables = nullptr;  // null: ${var:} is an error
    std::filesystem::path base_dir;                                  // for relative ${file:} paths
};

std::variant<expansion, expansion_error> expand(std::string_view text, const expansion_scope& scope);

}  // namespace ewstrigd::config
