#pragma once
// A string that must never be printed: access and refresh tokens, device and
// authorization codes, client assertions, request bodies carrying them.
// Streaming or to_string() gives "<redacted>"; the value is reachable only
// through reveal(), so every place that uses it is easy to find. There is
// deliberately no fmt/spdlog formatter: logging one is a compile error.
// The buffer is wiped (OPENSSL_cleanse) when the object dies, to keep
// tokens out of core dumps where we can.

#include <iosfwd>
#include <string>
#include <string_view>

namespace ewstrigd::auth {

class secret {
public:
    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}
    secret(const secret&) = default;
    secret(secret&&) noexcept = default;
    secret& operator=(const secret& other);
    secret& operator=(secret&& other) noexcept;
    ~secret();

    const std::string& reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    friend bool operator==(const secret&, const secret&) = default;

private:
    void wipe() noexcept;
    std::string value_;
};

inline constexpr std::string_view redacted = "<redacted>";

std::string to_string(const secret&);
std::ostream& operator<<(std::ostream& os, const secret&);

}  // namespace ewstrigd::auth
