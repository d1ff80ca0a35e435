#include "auth/token_response.hpp"

#include "auth/json_fields.hpp"

#include <algorithm>
#include <ostream>

namespace ewstrigd::auth {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// RFC 6750 §2.1 b64token is stricter; visible ASCII is what an HTTP header
// can carry without CR/LF injection, and covers JWTs and opaque tokens.
bool header_safe(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

token_result parse_token_response(const http_reply& reply) {
    if (reply.status < 200 || reply.status > 299) return classify_failure(reply);
    auto doc = detail::json_fields::parse(reply.body, "token response");
    if (!doc) return classify_failure(reply, doc.error().message);
    if (doc->has("error")) return classify_failure(reply);  // an error body under a 2xx status

    constexpr auto max = max_token_lifetime.count();
    token_set t;
    t.access_token = secret(doc->required_string("access_token"));
    t.token_type = doc->required_string("token_type");
    t.expires_in = std::chrono::seconds{doc->required_seconds("expires_in", 1, max)};
    if (auto v = doc->optional_seconds("ext_expires_in", 1, max)) t.ext_expires_in = std::chrono::seconds{*v};
    if (auto v = doc->optional_seconds("refresh_in", 1, max)) t.refresh_in = std::chrono::seconds{*v};
    if (auto rt = doc->optional_string("refresh_token"); rt && !rt->empty()) t.refresh_token = secret(std::move(*rt));
    t.scope = doc->optional_string("scope").value_or("");

    std::optional<std::string> problem;
    if (doc->problem()) problem = doc->problem()->message;
    else if (!iequals(t.token_type, "Bearer")) problem = "token response: field 'token_type' is not Bearer";
    else if (!header_safe(t.access_token.reveal()))
        problem = "token response: field 'access_token' contains characters an HTTP header cannot carry";
    if (problem) return classify_failure(reply, std::move(problem));
    return t;
}

std::ostream& operator<<(std::ostream& os, const token_set& t) {
    os << "token_set{access_token=" << t.access_token << ", token_type=" << t.token_type
       << ", expires_in=" << t.expires_in.count() << "s";
    if (t.refresh_token) os << ", refresh_token=" << *t.refresh_token;
    return os << ", scope=" << t.scope << "}";
}

}  // namespace ewstrigd::auth
