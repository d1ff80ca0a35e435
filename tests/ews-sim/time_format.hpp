#pragma once
// Timestamps as EWS and RFC 5322 spell them. Pure.
#include <chrono>
#include <string>

namespace ewstrigd::sim {

// xs:dateTime in UTC, whole seconds: "2024-05-01T12:34:56Z".
std::string xs_datetime(std::chrono::system_clock::time_point t);

// RFC 5322 date-time: "Wed, 01 May 2024 12:34:56 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point t);

}  // namespace ewstrigd::sim
