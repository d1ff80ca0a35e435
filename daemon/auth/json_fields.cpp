#include "auth/json_fields.hpp"

#include <charconv>

namespace ewstrigd::auth::detail {

result<json_fields> json_fields::parse(std::string_view body, std::string_view what) {
    if (body.size() > max_json_body) return fail(std::string(what) + " is larger than 1 MiB");
    auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return fail(std::string(what) + " is not valid JSON");
    if (!doc.is_object()) return fail(std::string(what) + " is not a JSON object");
    return json_fields(std::move(doc), what);
}

const nlohmann::json* json_fields::find(std::string_view key) const {
    const auto it = doc_.find(key);
    return it == doc_.end() || it->is_null() ? nullptr : &*it;
}

bool json_fields::has(std::string_view key) const { return find(key) != nullptr; }

void json_fields::reject(std::string_view key, std::string_view why) {
    if (!problem_) problem_ = auth::fail(what_ + ": field '" + std::string(key) + "' " + std::string(why));
}

std::optional<std::string> json_fields::optional_string(std::string_view key) {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        reject(key, "is not a string");
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::string json_fields::required_string(std::string_view key) {
    if (!has(key)) reject(key, "is missing");
    auto s = optional_string(key);
    if (s && s->empty()) reject(key, "is empty");
    return s.value_or(std::string{});
}

std::optional<std::int64_t> json_fields::optional_seconds(std::string_view key, std::int64_t min, std::int64_t max) {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    std::int64_t n = 0;
    bool whole = true;
    if (v->is_number_unsigned()) {
        const auto u = v->get<std::uint64_t>();
        whole = u <= static_cast<std::uint64_t>(max);
        n = whole ? static_cast<std::int64_t>(u) : max;
    } else if (v->is_number_integer()) {
        n = v->get<std::int64_t>();
    } else if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc::result_out_of_range) {
            whole = false;
        } else if (ec != std::errc{} || end != s.data() + s.size()) {
            reject(key, "is not a number of seconds");
            return std::nullopt;
        }
    } else {
        reject(key, v->is_number() ? "is not a whole number of seconds" : "is not a number");
        return std::nullopt;
    }
    if (!whole || n < min || n > max) {
        reject(key, "is out of range (expected " + std::to_string(min) + " to " + std::to_string(max) + " seconds)");
        return std::nullopt;
    }
    return n;
}

std::int64_t json_fields::required_seconds(std::string_view key, std::int64_t min, std::int64_t max) {
    if (!has(key)) reject(key, "is missing");
    return optional_seconds(key, min, max).value_or(0);
}

std::vector<std::uint64_t> json_fields::number_list(std::string_view key) {
    std::vector<std::uint64_t> out;
    const auto* v = find(key);
    if (!v || !v->is_array()) return out;
    for (const auto& e : *v) {
        if (e.is_number_unsigned()) out.push_back(e.get<std::uint64_t>());
    }
    return out;
}

}  // namespace ewstrigd::auth::detail
