#pragma once
// The JWKS document at a URL (http or https), by a blocking libcurl GET with
// a 5-second deadline: ews-sim fetches it at start-up and, rarely, when a
// token names a key it does not know. Throws std::runtime_error saying what failed
// (unreachable, an HTTP status other than 200, larger than 1 MiB); the caller names the URL.
#include <string>

namespace ewstrigd::sim {

std::string fetch_jwks(const std::string& url);

}  // namespace ewstrigd::sim
