#pragma once
// Shared by the mail_*_test.cpp files: unwrap a read_result or fail the test.

#include "mail/message_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace ewstrigd::testing {

// The parsed message; records a failure naming the read_error otherwise.
inline match::message expect_message(const mail::read_result& r) {
    if (const auto* err = std::get_if<mail::read_error>(&r)) {
        ADD_FAILURE() << "expected a message, got error: " << err->message;
        return {};
    }
    return std::get<match::message>(r);
}

// The error text; records a failure when a message was parsed instead.
inline std::string expect_error(const mail::read_result& r) {
    if (const auto* err = std::get_if<mail::read_error>(&r)) return err->message;
    ADD_FAILURE() << "expected a read_error, got a message with subject '"
                  << std::get<match::message>(r).subject << "'";
    return {};
}

}  // namespace ewstrigd::testing
