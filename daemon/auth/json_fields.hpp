#pragma once
// Typed, total reads of the fields of one JSON object (token, device
// authorization and discovery responses). Internal to auth/.
//
// parse() never throws; the reader records the FIRST problem it meets and
// every later read returns an empty value, so a parser can read all fields
// and check error() once. Problems name the document and the field, never
// the field's value (it may be a token).

#include "auth/error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::auth::detail {

// Larger bodies are refused before parsing (real ones are a few KiB).
inline constexpr std::size_t max_json_body = 1024 * 1024;

class json_fields {
public:
    // `what` names the document in messages, e.g. "token response".
    static result<json_fields> parse(std::string_view body, std::string_view what);

    std::optional<std::string> optional_string(std::string_view key);
    std::string required_string(std::string_view key);
    // A whole number of seconds in [min, max], sent as a number or as a string
    // of digits (Entra's v1 endpoints and ADFS send "3599").
    std::optional<std::int64_t> optional_seconds(std::string_view key, std::int64_t min, std::int64_t max);
    std::int64_t required_seconds(std::string_view key, std::int64_t min, std::int64_t max);
    // An array of non-negative integers; other entries are skipped.
    std::vector<std::uint64_t> number_list(std::string_view key);
    bool has(std::string_view key) const;

    const std::optional<error>& problem() const { return problem_; }

private:
    json_fields(nlohmann::json doc, std::string_view what) : doc_(std::move(doc)), what_(what) {}
    const nlohmann::json* find(std::string_view key) const;
    void reject(std::string_view key, std::string_view why);

    nlohmann::json doc_;
    std::string what_;
    std::optional<error> problem_;
};

}  // namespace ewstrigd::auth::detail
