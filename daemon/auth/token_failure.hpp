#pragma once
// Why a token endpoint (or device authorization endpoint) request failed, and
// what to do about it: a pure classification of (HTTP status, Retry-After,
// body) into one kind plus an explanation an admin can act on.
//
// Precedence: HTTP 429 and 5xx first (transient; their bodies are often not
// OAuth JSON), then the first AADSTS number in `error_codes` that the table
// knows, then the OAuth `error` string, then the status alone. Microsoft says
// to branch on `error` and treat error_codes as hints (reference/oauth.md
// A.6); the codes only refine the explanation and, for a few well-known
// cases (50196 loop detected, transient sign-in service faults), the kind.
// The table with the source of each row is in token_failure.cpp.
//
// Never contains a token: nothing from the request is echoed, and the
// server's error_description is cut to its first line.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::auth {

// One HTTP answer from a token-issuing endpoint, as the http/ layer got it.
struct http_reply {
    int status = 0;                               // 0: no HTTP answer at all
    std::optional<std::string_view> retry_after;  // the Retry-After header, if any
    std::string_view body;
};

enum class failure_kind {
    transient,             // network/server trouble or throttling: back off and retry while the old token lasts
    interaction_required,  // this mailbox needs `ewstrigd login` again; the others continue
    configuration,         // client id, secret, certificate, tenant, scope or redirect URI is wrong
    authorization_pending, // device flow: the user has not finished yet; poll after the interval
    slow_down,             // device flow: poll less often (interval + 5 s, RFC 8628 §3.5)
    expired_token,         // device flow: the code expired or is unknown; start the sign-in again
    access_denied,         // the user declined the sign-in or the consent
    malformed_response,    // the answer is not a usable OAuth response; treated like transient
};
std::string_view to_string(failure_kind k);  // "transient", "interaction_required", ...

// Whether the caller should retry the same request later (with back-off).
bool is_retryable(failure_kind k);

struct token_failure {
    failure_kind kind = failure_kind::malformed_response;
    int http_status = 0;
    std::string error;                       // OAuth `error`, e.g. "invalid_grant"; empty if none was sent
    std::string description;                 // first line of `error_description`, at most 300 characters
    std::vector<std::uint64_t> error_codes;  // AADSTS numbers
    std::string suberror;                    // Entra's `suberror`, e.g. "consent_required"
    std::string correlation_id;              // log these two for Microsoft support
    std::string trace_id;
    std::optional<std::chrono::seconds> retry_after;
    std::string explanation;  // plain words: what it means and what the admin should do
    std::string_view source;  // where the meaning comes from (reference/oauth.md section)
};

// Classifies a non-success answer. `problem`, when set, says why a 2xx body
// was unusable (the caller parsed it) and yields malformed_response.
token_failure classify_failure(const http_reply& reply, std::optional<std::string> problem = std::nullopt);

// One log line: kind, HTTP status, error, AADSTS codes, explanation, ids.
std::string describe(const token_failure& f);
std::ostream& operator<<(std::ostream& os, const token_failure& f);  // describe(f)

}  // namespace ewstrigd::auth
