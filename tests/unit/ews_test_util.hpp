#pragma once
// Shared by the ews_*_test.cpp files: parse a sample from tests/data/ews, and
// feed every prefix of a sample to a parser (truncated bodies).

#include "ews/response.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::testing {

// The parsed response of tests/data/ews/NAME; records a failure otherwise.
inline ews::response parse_sample(const std::string& name) {
    auto r = ews::response::parse(read_test_data("ews/" + name));
    if (auto* err = std::get_if<ews::parse_error>(&r)) {
        ADD_FAILURE() << name << ": " << err->message;
        return std::get<ews::response>(ews::response::parse(
            R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>)"));
    }
    return std::move(std::get<ews::response>(r));
}

// The value of a parse_result; records a failure (and returns T{}) on error.
template <class T>
T expect_value(ews::parse_result<T> r) {
    if (auto* err = std::get_if<ews::parse_error>(&r)) {
        ADD_FAILURE() << "expected a value, got: " << err->message;
        return T{};
    }
    return std::move(std::get<T>(r));
}

// The error message of a parse_result; records a failure on success.
template <class T>
std::string expect_error(const ews::parse_result<T>& r) {
    if (const auto* err = std::get_if<ews::parse_error>(&r)) return err->message;
    ADD_FAILURE() << "expected a parse_error";
    return {};
}

// Runs `decode` (response -> anything) on every prefix of the sample that
// parses as a response; returns how many prefixes parsed. Prefixes that do
// not parse must give an error with a message. Crashes, hangs and sanitizer
// reports are the failures this is looking for.
template <class Decode>
std::size_t decode_every_prefix(const std::string& name, Decode decode) {
    const std::string full = read_test_data("ews/" + name);
    std::size_t parsed = 0;
    for (std::size_t i = 0; i <= full.size(); ++i) {
        auto r = ews::response::parse(std::string_view(full).substr(0, i));
        if (const auto* err = std::get_if<ews::parse_error>(&r)) {
            EXPECT_FALSE(err->message.empty()) << name << " cut at " << i;
            continue;
        }
        ++parsed;
        decode(std::get<ews::response>(r));
    }
    return parsed;
}

}  // namespace ewstrigd::testing
