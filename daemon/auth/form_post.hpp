#pragma once
// The HTTP side of a token-issuing request, shared by the token service and
// the sign-in flows: a form POST with bounded timeouts, and the answer as the
// pure parsers take it.

#include "auth/secret.hpp"
#include "auth/token_failure.hpp"
#include "http/client.hpp"

#include <chrono>
#include <string>

namespace ewstrigd::auth {

// POST application/x-www-form-urlencoded, Accept JSON; `timeout` bounds the
// whole exchange (connect at most 10 s of it), so a hanging endpoint is cut off.
http::request form_post(std::string url, const secret& body, std::chrono::milliseconds timeout);

// Views into `r` (valid while it lives).
http_reply reply_of(const http::response& r);

// A request that got no HTTP answer, classified transient with an
// explanation naming the cause (timeout after `timeout`, or the error);
// what happens next is the caller's to add.
token_failure no_answer(boost::system::error_code ec, std::chrono::milliseconds timeout, std::string_view what);

}  // namespace ewstrigd::auth
