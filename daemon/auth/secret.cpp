#include "auth/secret.hpp"

#include "auth/error.hpp"

#include <openssl/crypto.h>

#include <ostream>
#include <stdexcept>

namespace ewstrigd::auth {

secret& secret::operator=(const secret& other) {
    if (this != &other) {
        wipe();
        value_ = other.value_;
    }
    return *this;
}

secret& secret::operator=(secret&& other) noexcept {
    if (this != &other) {
        wipe();
        value_ = std::move(other.value_);
    }
    return *this;
}

secret::~secret() { wipe(); }

void secret::wipe() noexcept {
    // The whole capacity: a shorter value may sit in a buffer that once held a
    // longer one. resize() within capacity never reallocates.
    value_.resize(value_.capacity());
    OPENSSL_cleanse(value_.data(), value_.size());
    value_.clear();
}

std::string to_string(const secret&) { return std::string(redacted); }

std::ostream& operator<<(std::ostream& os, const secret&) { return os << redacted; }

void throw_exception_from_error(const error& e, const boost::source_location&) { throw std::runtime_error(e.message); }

}  // namespace ewstrigd::auth
