#pragma once
// What the watch loop does after one EWS exchange: a pure classification of
// (HTTP status, Retry-After header, parsed SOAP body) into one decision.
// The ResponseCode table, with the source of each row, is in
// error_policy.cpp; the meanings come from reference/ews-protocol.md §3.
//
// Precedence: 401 and 403 first (their bodies are not EWS), then a SOAP
// fault or the first Error-class response message, then 429/503, other
// 3xx/4xx/5xx, and a missing or unparseable body. Warning-class messages
// proceed (ews-protocol.md §2.1: usable data plus a logged code).
//
// Pure: no clock (Retry-After as an HTTP-date cannot be resolved without
// one and falls back to default_retry_delay), no I/O.

#include "ews/response.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::ews {

enum class next_step {
    proceed,         // success: use the data
    retry_after,     // throttled: wait `delay`, then repeat the same request
    resubscribe,     // subscription gone: subscribe again (no old watermark), then sync to catch up
    resync,          // sync state unusable: drop it and run a full SyncFolderItems
    reauthenticate,  // credentials rejected: refresh the token once, then retry
    permanent,       // will not succeed by retrying: surface `reason` in the mailbox's health
    transient,       // anything else that may pass: retry with the loop's own back-off
};
std::string_view to_string(next_step s);  // "proceed", "retry_after", ...

struct decision {
    next_step step = next_step::proceed;
    std::chrono::milliseconds delay{0};  // retry_after only
    std::string code;                     // the ResponseCode or "HTTP 503"; empty for proceed
    std::string reason;                   // plain words for the log and health output
};

// Used when a throttling answer names no usable delay. Exchange's own
// BackOffMilliseconds values are about five minutes (ews-protocol.md §3.1);
// one minute is a compromise between that and not stalling a mailbox.
inline constexpr std::chrono::milliseconds default_retry_delay{60'000};

struct exchange_outcome {
    int http_status = 0;                     // 0: no HTTP response (connect/TLS/timeout failure)
    std::optional<std::string> retry_after;  // the Retry-After header value as received
    const response* body = nullptr;          // the parsed body; null when empty or not parseable
};

decision classify(const exchange_outcome& outcome);

// The row for one ResponseCode (trimmed text as the server sent it). An
// unknown Error* code is transient. `back_off_ms` is the BackOffMilliseconds
// that came with it, if any; `inner_code` the InnerErrorResponseCode of an
// ErrorInternalServerError, which is classified in its place.
decision classify_code(std::string_view code, std::optional<std::uint64_t> back_off_ms = std::nullopt,
                       std::optional<std::string_view> inner_code = std::nullopt);

// The decision for one Error-class response message: classify_code of its
// ResponseCode (with its BackOffMilliseconds and InnerErrorResponseCode),
// except that a message without a usable code (none, or NoError) is
// transient rather than proceed; its MessageText, if any, ends the reason.
decision classify_message(const ews_status& s);

}  // namespace ewstrigd::ews
