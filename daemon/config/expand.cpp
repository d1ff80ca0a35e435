#include "config/expand.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace ewstrigd::config {
namespace {

// Secrets files are small; refusing huge ones keeps a typo (a device, a log
// file) from eating memory at load time.
constexpr std::uintmax_t max_file_value = 1 << 20;

struct reference {
    std::string_view kind;
    std::string_view name;
};

// The file's text without trailing newlines, or nullopt with `error` set.
std::optional<std::string> read_value_file(const std::filesystem::path& path, std::string& error) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        error = "'" + path.string() + "' is a directory";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read file '" + path.string() + "': " + std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream body;
    body << in.rdbuf();
    std::string value = body.str();
    if (value.size() > max_file_value) {
        error = "file '" + path.string() + "' is larger than 1 MiB";
        return std::nullopt;
    }
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
}

// Resolves one reference; the error alternative holds the message.
std::variant<expansion, std::string> resolve(const reference& ref, const expansion_scope& scope) {
    using out = std::variant<expansion, std::string>;
    const std::string name(ref.name);
    if (ref.kind == "env") {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return out(std::in_place_index<1>, "environment variable " + name + " is not set");
        return expansion{value, true};
    }
    if (ref.kind == "file") {
        std::filesystem::path path(name);
        if (path.is_relative()) path = scope.base_dir / path;
        std::string error;
        auto content = read_value_file(path, error);
        if (!content) return out(std::in_place_index<1>, std::move(error));
        return expansion{std::move(*content), true};
    }
    if (ref.kind == "var") {
        if (scope.variables == nullptr) {
            return out(std::in_place_index<1>, "${var:" + name + "} cannot be used here (variables cannot refer to variables)");
        }
        auto it = scope.variables->find(name);
        if (it == scope.variables->end()) return out(std::in_place_index<1>, "undefined variable '" + name + "'");
        return it->second;
    }
    return out(std::in_place_index<1>, "unknown expansion '${" + std::string(ref.kind) +
                                           ":...}' (use ${env:NAME}, ${file:PATH} or ${var:NAME})");
}

}  // namespace

std::variant<expansion, expansion_error> expand(std::string_view text, const expansion_scope& scope) {
    expansion result;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto dollar = text.find('$', i);
        if (dollar == std::string_view::npos) {
            result.value.append(text.substr(i));
            break;
        }
        result.value.append(text.substr(i, dollar - i));
        if (text.substr(dollar, 3) == "$${") {
            result.value.append("${");
            i = dollar + 3;
            continue;
        }
        if (text.substr(dollar, 2) != "${") {
            result.value.push_back('$');
            i = dollar + 1;
            continue;
        }
        const auto close = text.find('}', dollar + 2);
        if (close == std::string_view::npos) return expansion_error{dollar, "'${' without a closing '}'"};
        const auto inner = text.substr(dollar + 2, close - dollar - 2);
        const auto colon = inner.find(':');
        if (colon == std::string_view::npos || colon + 1 == inner.size()) {
            return expansion_error{dollar, "'${" + std::string(inner) +
                                               "}' is not ${env:NAME}, ${file:PATH} or ${var:NAME}"};
        }
        const reference ref{inner.substr(0, colon), inner.substr(colon + 1)};
        auto value = resolve(ref, scope);
        if (value.index() == 1) return expansion_error{dollar, std::get<1>(std::move(value))};
        result.value.append(std::get<0>(value).value);
        result.sensitive = result.sensitive || std::get<0>(value).sensitive;
        i = close + 1;
    }
    return result;
}

}  // namespace ewstrigd::config
