#include "ews/error_policy.hpp"

#include "util/backoff.hpp"

#include <array>

namespace ewstrigd::ews {
namespace {

using namespace std::chrono_literals;

struct code_rule {
    std::string_view code;
    next_step step;
    std::string_view source;  // where the meaning comes from: section of reference/ews-protocol.md + its tag
};

// Meanings: [DOCS:web-service-reference/responsecode] unless the source says otherwise.
// Every code is a ResponseCodeType value of messages.xsd.
constexpr std::array rules{
    // throttling: back off before repeating
    code_rule{"ErrorServerBusy", next_step::retry_after, "§3.1/§3.2 [DOCS:exchange-web-services/ews-throttling-in-exchange]"},
    code_rule{"ErrorTooManyObjectsOpened", next_step::retry_after, "§3.2 [XL:exchangelib maps it to RateLimitError]"},
    code_rule{"ErrorExceededConnectionCount", next_step::retry_after, "§3.2 (too many concurrent streaming connections)"},
    // the subscription is gone or unusable: subscribe again, then catch up by SyncFolderItems
    code_rule{"ErrorSubscriptionNotFound", next_step::resubscribe, "§3.2"},
    code_rule{"ErrorInvalidSubscription", next_step::resubscribe, "§3.2, §2.3 error frame"},
    code_rule{"ErrorExpiredSubscription", next_step::resubscribe, "§3.2"},
    code_rule{"ErrorInvalidWatermark", next_step::resubscribe, "§3.2 [DOCS:web-service-reference/watermark]"},
    code_rule{"ErrorMissedNotificationEvents", next_step::resubscribe, "§3.2 (resubscribe without the old watermark)"},
    code_rule{"ErrorEventNotFound", next_step::resubscribe, "§3.2 (the subscription is also deleted)"},
    code_rule{"ErrorReadEventsFailed", next_step::resubscribe, "§3.2 (the subscription is deleted)"},
    code_rule{"ErrorMailboxMoveInProgress", next_step::resubscribe, "§3.2 (mailbox moved to another server)"},
    code_rule{"ErrorProxiedSubscriptionCallFailure", next_step::resubscribe,
              "§3.2 [DOCS:exchange-web-services/handling-notification-related-errors-in-ews-in-exchange]"},
    code_rule{"ErrorProxyRequestNotAllowed", next_step::resubscribe,
              "§3.2 [DOCS:exchange-web-services/handling-notification-related-errors-in-ews-in-exchange]"},
    // the sync state is unusable: full resync, seen items suppressed
    code_rule{"ErrorInvalidSyncStateData", next_step::resync, "§1.6, §3.2"},
    // transient server trouble
    code_rule{"ErrorMailboxStoreUnavailable", next_step::transient, "§3.2"},
    code_rule{"ErrorConnectionFailed", next_step::transient, "§3.2"},
    code_rule{"ErrorInternalServerTransientError", next_step::transient, "§3.2, §3.1 (exchangelib's name for 503)"},
    code_rule{"ErrorMailboxFailover", next_step::transient, "§3.2"},
    code_rule{"ErrorTimeoutExpired", next_step::transient, "§3.2"},
    code_rule{"ErrorInternalServerError", next_step::transient, "§3.1 (may hide an inner ErrorServerBusy)"},
    // retrying cannot help: configuration, permissions or a client bug
    code_rule{"ErrorAccessDenied", next_step::permanent, "§3.2"},
    code_rule{"ErrorNonExistentMailbox", next_step::permanent, "§0 impersonation, §3.2"},
    code_rule{"ErrorImpersonateUserDenied", next_step::permanent, "§0 impersonation, §3.2"},
    code_rule{"ErrorImpersonationFailed", next_step::permanent, "§0 impersonation"},
    code_rule{"ErrorInvalidExchangeImpersonationHeaderData", next_step::permanent, "§0 impersonation"},
    code_rule{"ErrorInvalidSubscriptionRequest", next_step::permanent, "§1.1, §3.2 (one mailbox per subscription)"},
    code_rule{"ErrorSubscriptionAccessDenied", next_step::permanent, "§3.2 (another identity created it)"},
    code_rule{"ErrorSubscriptionDelegateAccessNotSupported", next_step::permanent,
              "[DOCS:web-service-reference/subscribe-operation] (sample subscribe-error-delegate-access-not-supported.xml)"},
    code_rule{"ErrorExceededSubscriptionCount", next_step::permanent, "§3.2, §3.3 (EWSMaxSubscriptions)"},
    code_rule{"ErrorInvalidPullSubscriptionId", next_step::permanent, "§1.5, §3.2"},
    code_rule{"ErrorSchemaValidation", next_step::permanent, "§3.1/§3.2 (client bug)"},
    code_rule{"ErrorInvalidRequest", next_step::permanent, "§3.2 (client bug)"},
    code_rule{"ErrorInvalidServerVersion", next_step::permanent, "§3.2 (lower RequestServerVersion)"},
    code_rule{"ErrorInvalidSchemaVersionForMailboxVersion", next_step::permanent, "§0 RequestServerVersion"},
};

// Exchange Online's 403 is the end-of-EWS case of DESIGN.md ("Exchange Online
// and the end of EWS there"); on-premises it is a policy denial. Both need an admin.
constexpr std::string_view forbidden_reason =
    "HTTP 403 Forbidden: Exchange refused EWS access for this mailbox. On Exchange Online this usually means EWS is "
    "disabled for the tenant or the mailbox (EWSEnabled=False), or the application's ID is not on the EWS allow "
    "list (EWSAllowedAppIDs); Microsoft is switching EWS off in Exchange Online from 1 October 2026 and ends it on "
    "1 April 2027. On-premises, an access policy denies it. An administrator must enable EWS access; retrying will "
    "not help";

decision make(next_step step, std::string code, std::string reason, std::chrono::milliseconds delay = 0ms) {
    return decision{step, delay, std::move(code), std::move(reason)};
}

std::optional<std::chrono::milliseconds> delay_of(const std::optional<std::string>& retry_after) {
    if (!retry_after) return std::nullopt;
    return util::parse_retry_after(*retry_after);
}

decision from_status(const ews_status& s) {
    if (s.code.empty() || s.code == "NoError")
        return make(next_step::transient, "", "an error without a ResponseCode: " + s.message_text);
    return classify_code(s.code, s.back_off_ms(), s.value("InnerErrorResponseCode"));
}

std::string status_text(int status) { return "HTTP " + std::to_string(status); }

decision from_http(const exchange_outcome& o) {
    const int status = o.http_status;
    if (status == 0) return make(next_step::transient, "network", "no HTTP response (connection, TLS or timeout failure)");
    if (status == 429 || status == 503) {
        const auto delay = delay_of(o.retry_after);
        return make(next_step::retry_after, status_text(status),
                    status == 429 ? "too many requests (HTTP 429)" : "EWS is queuing requests (HTTP 503)",
                    delay.value_or(default_retry_delay));
    }
    if (status >= 300 && status < 400)
        return make(next_step::transient, status_text(status),
                    "redirected; Exchange redirects to an error page during outages");
    if (status >= 400 && status < 500)
        return make(next_step::permanent, status_text(status), "the request was rejected (" + status_text(status) + ")");
    if (status >= 500) return make(next_step::transient, status_text(status), "server error (" + status_text(status) + ")");
    return make(next_step::transient, status_text(status), "the response body is missing, truncated or not EWS XML");
}

}  // namespace

std::string_view to_string(next_step s) {
    switch (s) {
    case next_step::proceed: return "proceed";
    case next_step::retry_after: return "retry_after";
    case next_step::resubscribe: return "resubscribe";
    case next_step::resync: return "resync";
    case next_step::reauthenticate: return "reauthenticate";
    case next_step::permanent: return "permanent";
    case next_step::transient: return "transient";
    }
    return "transient";
}

decision classify_code(std::string_view code, std::optional<std::uint64_t> back_off_ms,
                       std::optional<std::string_view> inner_code) {
    if (code.empty() || code == "NoError") return {};
    if (code == "ErrorInternalServerError" && inner_code && !inner_code->empty() && *inner_code != code)
        return classify_code(*inner_code, back_off_ms);
    for (const auto& rule : rules) {
        if (rule.code != code) continue;
        decision d = make(rule.step, std::string{code}, std::string{code});
        if (rule.step == next_step::retry_after) {
            d.delay = back_off_ms ? std::chrono::milliseconds{*back_off_ms} : default_retry_delay;
            d.reason += " (Exchange is throttling; back off " + std::to_string(d.delay.count()) + " ms)";
        }
        return d;
    }
    return make(next_step::transient, std::string{code}, std::string{code} + " (not a known code; retried with back-off)");
}

decision classify_message(const ews_status& s) {
    auto d = classify_code(s.code, s.back_off_ms(), s.value("InnerErrorResponseCode"));
    if (d.step == next_step::proceed) d = make(next_step::transient, s.code, "an error without a ResponseCode");
    if (!s.message_text.empty()) d.reason += ": " + s.message_text;
    return d;
}

decision classify(const exchange_outcome& o) {
    if (o.http_status == 401)
        return make(next_step::reauthenticate, "HTTP 401", "credentials rejected (HTTP 401): refresh the token");
    if (o.http_status == 403) return make(next_step::permanent, "HTTP 403", std::string{forbidden_reason});
    if (o.body != nullptr) {
        if (o.body->fault()) return from_status(*o.body->fault());
        for (const auto& m : o.body->messages()) {
            if (m.klass == response_class::error) return from_status(m);
        }
        if (o.http_status == 200 && !o.body->operation().empty()) return {};
    }
    return from_http(o);
}

}  // namespace ewstrigd::ews
