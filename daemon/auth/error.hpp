#pragma once
// The error value of the pure auth/ functions: what is wrong, in words an
// admin can act on. Never contains a token, secret or private key: functions
// producing it name the field that is wrong, not its value.

#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace ewstrigd::auth {

// Built with fail("..."). Deliberately not constructible from a string, so
// that result<std::string> converts from a std::string unambiguously.
struct error {
    error() = default;
    std::string message;
    friend error fail(std::string message);

private:
    struct tag {};
    error(tag, std::string m) : message(std::move(m)) {}
};

inline error fail(std::string message) { return error(error::tag{}, std::move(message)); }

template <class T>
using result = boost::system::result<T, error>;

// Lets result<T>::value() throw (only tests call it; daemon code checks first).
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

}  // namespace ewstrigd::auth
