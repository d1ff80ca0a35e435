#include "auth/token_failure.hpp"

#include "auth/json_fields.hpp"
#include "util/backoff.hpp"

#include <algorithm>
#include <array>
#include <ostream>

namespace ewstrigd::auth {
namespace {

using fk = failure_kind;

struct error_rule {
    std::string_view error;
    failure_kind kind;
    std::string_view explanation;
    std::string_view source;
};

// OAuth `error` values: RFC 6749 §5.2, RFC 8628 §3.5, OIDC Core §3.1.2.6, and
// Entra's spellings (reference/oauth.md A.2, A.3, A.6).
constexpr std::array error_rules{
    error_rule{"invalid_grant", fk::interaction_required,
               "the sign-in is no longer valid (refresh token or code expired, revoked, already used, or the user's "
               "password, MFA or Conditional Access requirements changed); run `ewstrigd login` for this mailbox",
               "oauth.md A.4, A.6"},
    error_rule{"interaction_required", fk::interaction_required,
               "the user must sign in interactively again (MFA or a Conditional Access policy asks for it); run "
               "`ewstrigd login` for this mailbox",
               "oauth.md A.2, A.6"},
    error_rule{"login_required", fk::interaction_required,
               "the user must sign in again; run `ewstrigd login` for this mailbox", "oauth.md A.2"},
    error_rule{"consent_required", fk::interaction_required,
               "nobody has consented to the app's permissions; sign in with `ewstrigd login` and accept, or have an "
               "administrator grant consent for the tenant",
               "oauth.md A.6"},
    error_rule{"invalid_client", fk::configuration,
               "the token endpoint did not accept the client's credentials: check client_id, the client secret (or "
               "whether it expired) or the certificate registered on the app",
               "oauth.md A.5, A.6"},
    error_rule{"unauthorized_client", fk::configuration,
               "the app may not use this sign-in method: it is disabled, unknown in this tenant, or (device code and "
               "loopback sign-in) 'Allow public client flows' is off in its registration",
               "oauth.md A.2, A.6"},
    error_rule{"invalid_scope", fk::configuration,
               "the requested scope is not valid for this app: delegated mailboxes use "
               "'https://outlook.office365.com/EWS.AccessAsUser.All offline_access', app-only ones "
               "'https://outlook.office365.com/.default'",
               "oauth.md A.5, A.8"},
    error_rule{"invalid_request", fk::configuration,
               "the token endpoint rejected the request as malformed; check tenant_id, the authority and the "
               "redirect URI",
               "oauth.md A.2"},
    error_rule{"unsupported_grant_type", fk::configuration,
               "the token endpoint does not support this sign-in method; check the authority", "RFC 6749 §5.2"},
    error_rule{"invalid_resource", fk::configuration,
               "the requested resource is unknown to the tenant; check the scope's host", "oauth.md A.2"},
    error_rule{"temporarily_unavailable", fk::transient,
               "the sign-in service is temporarily unavailable; retrying with back-off", "oauth.md A.6, A.7"},
    error_rule{"server_error", fk::transient, "the sign-in service had an internal error; retrying with back-off",
               "oauth.md A.6"},
    error_rule{"authorization_pending", fk::authorization_pending,
               "waiting for the user to enter the code and sign in", "oauth.md A.3"},
    error_rule{"slow_down", fk::slow_down, "the server asked to poll less often", "oauth.md A.3, RFC 8628 §3.5"},
    error_rule{"expired_token", fk::expired_token,
               "the device code expired before the sign-in was completed; run `ewstrigd login` again",
               "oauth.md A.3"},
    error_rule{"bad_verification_code", fk::expired_token,
               "the server does not know this device code; run `ewstrigd login` again", "oauth.md A.3"},
    error_rule{"access_denied", fk::access_denied,
               "the user declined the sign-in or the consent; run `ewstrigd login` again and accept",
               "oauth.md A.2, A.3"},
    error_rule{"authorization_declined", fk::access_denied,
               "the user declined the sign-in; run `ewstrigd login` again and accept", "oauth.md A.3"},
};

struct code_rule {
    std::array<std::uint64_t, 6> codes;  // AADSTS numbers sharing the row; unused slots 0
    failure_kind kind;
    std::string_view explanation;
    std::string_view source;
};

constexpr std::string_view relogin = "; run `ewstrigd login` for this mailbox";

// AADSTS numbers: entra-docs reference-error-codes.md as summarised in
// reference/oauth.md A.3, A.4, A.5, A.6. Microsoft says they change: hints only.
constexpr std::array code_rules{
    code_rule{{50173}, fk::interaction_required, "the grant was revoked by an administrator or the user", "oauth.md A.6"},
    code_rule{{700082}, fk::interaction_required, "the refresh token expired because it was not used for too long",
              "oauth.md A.6"},
    code_rule{{70008}, fk::interaction_required, "the refresh token expired or was revoked", "oauth.md A.6"},
    code_rule{{70043}, fk::interaction_required, "a Conditional Access sign-in frequency policy requires a new sign-in",
              "oauth.md A.6"},
    code_rule{{50076}, fk::interaction_required, "multi-factor authentication is required", "oauth.md A.6"},
    code_rule{{50079}, fk::interaction_required, "the user must register for multi-factor authentication",
              "oauth.md A.6"},
    code_rule{{50078}, fk::interaction_required, "the multi-factor authentication has expired", "oauth.md A.6"},
    code_rule{{50074}, fk::interaction_required, "strong authentication is required", "oauth.md A.6"},
    code_rule{{65001}, fk::interaction_required,
              "nobody has consented to the app's permissions (sign in and accept, or an administrator grants "
              "consent)",
              "oauth.md A.6"},
    code_rule{{65004}, fk::interaction_required, "the user declined to consent to the app's permissions",
              "oauth.md A.6"},
    code_rule{{90094}, fk::interaction_required, "an administrator must grant consent to the app's permissions",
              "oauth.md A.6"},
    code_rule{{54005}, fk::interaction_required, "the authorization code was already redeemed; start a new sign-in",
              "oauth.md A.6"},
    code_rule{{700084}, fk::interaction_required,
              "the refresh token hit the 24-hour limit of 'spa' redirect URIs; register the redirect URI as "
              "'Mobile and desktop applications', not 'spa'",
              "oauth.md A.4"},
    code_rule{{7000215}, fk::configuration, "the client secret is wrong (use the secret's value, not its ID)",
              "oauth.md A.5, A.6"},
    code_rule{{7000222}, fk::configuration, "the client secret has expired; create a new one in the app registration",
              "oauth.md A.5, A.6"},
    code_rule{{7000218}, fk::configuration, "no client secret or certificate was sent, but the app requires one",
              "oauth.md A.5"},
    code_rule{{700025}, fk::configuration,
              "the app is registered as a public client, which must not send a secret or certificate",
              "oauth.md A.5"},
    code_rule{{700027}, fk::configuration,
              "the client assertion's signature was not accepted: the certificate is not the one uploaded to the app "
              "registration",
              "oauth.md A.5"},
    code_rule{{700024}, fk::configuration,
              "the client assertion is outside its valid time range: check this host's clock", "oauth.md A.5"},
    code_rule{{700016}, fk::configuration,
              "no app with this client_id exists in the tenant: check client_id and tenant_id", "oauth.md A.6"},
    code_rule{{70001, 7000112}, fk::configuration, "the application is disabled", "oauth.md A.6"},
    code_rule{{90002}, fk::configuration, "the tenant was not found: check tenant_id", "oauth.md A.6"},
    code_rule{{70011}, fk::configuration, "the scope is not valid for this app", "oauth.md A.6"},
    code_rule{{50011}, fk::configuration,
              "the redirect URI does not match the ones registered on the app: register exactly the redirect_uri "
              "from the config (host form localhost vs 127.0.0.1 and path count; any port is allowed for localhost)",
              "oauth.md A.2"},
    code_rule{{9001023, 90124}, fk::configuration,
              "this sign-in method does not work with tenant 'common': set tenant_id", "oauth.md A.1"},
    code_rule{{50194}, fk::configuration, "a single-tenant app cannot use tenant 'common': set tenant_id",
              "oauth.md A.1"},
    code_rule{{50196}, fk::transient,
              "the sign-in service saw too many identical requests (loop detected); backing off", "oauth.md A.6, A.7"},
    code_rule{{50033, 50087, 90006, 90024, 90033, 90090}, fk::transient,
              "a transient sign-in service fault; retrying", "oauth.md A.6"},
    code_rule{{70016}, fk::authorization_pending, "waiting for the user to sign in", "oauth.md A.3"},
    code_rule{{70018}, fk::expired_token, "the device code is not valid; run `ewstrigd login` again", "oauth.md A.3"},
    code_rule{{70019}, fk::expired_token, "the device code expired; run `ewstrigd login` again", "oauth.md A.3"},
};

// Server text is shown to admins, not parsed (oauth.md A.6): keep the first
// line (Entra appends Trace ID / Timestamp lines), printable ASCII only.
std::string first_line(std::string_view s) {
    std::string out;
    for (const char c : s.substr(0, s.find_first_of("\r\n"))) {
        if (out.size() == 300) break;
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

void apply_code_rules(token_failure& f) {
    for (const auto code : f.error_codes) {
        const auto it = std::find_if(code_rules.begin(), code_rules.end(), [code](const code_rule& r) {
            return code != 0 && std::find(r.codes.begin(), r.codes.end(), code) != r.codes.end();
        });
        if (it == code_rules.end()) continue;
        f.kind = it->kind;
        f.explanation = "AADSTS" + std::to_string(code) + ": " + std::string(it->explanation);
        if (it->kind == fk::interaction_required && code != 54005) f.explanation += relogin;
        f.source = it->source;
        return;
    }
}

bool apply_error_rules(token_failure& f) {
    const auto it = std::find_if(error_rules.begin(), error_rules.end(),
                                 [&f](const error_rule& r) { return r.error == f.error; });
    if (it == error_rules.end()) return false;
    f.kind = it->kind;
    f.explanation = std::string(it->explanation);
    f.source = it->source;
    return true;
}

void classify_by_status(token_failure& f) {
    const std::string status = "HTTP " + std::to_string(f.http_status);
    if (f.http_status == 0) {
        f.kind = fk::transient;
        f.explanation = "no answer from the token endpoint; retrying with back-off";
    } else if (f.error.empty()) {
        f.kind = fk::configuration;
        f.explanation = status + " without an OAuth error: the URL is probably not a token endpoint; check the "
                                 "authority, tenant_id and discovery URL";
    } else {
        f.kind = fk::configuration;
        f.explanation = "the token endpoint rejected the request (" + status + ", error '" + first_line(f.error) +
                        "'); retrying will not help";
    }
    f.source = "oauth.md A.6";
}

}  // namespace

std::string_view to_string(failure_kind k) {
    switch (k) {
    case fk::transient: return "transient";
    case fk::interaction_required: return "interaction_required";
    case fk::configuration: return "configuration";
    case fk::authorization_pending: return "authorization_pending";
    case fk::slow_down: return "slow_down";
    case fk::expired_token: return "expired_token";
    case fk::access_denied: return "access_denied";
    case fk::malformed_response: return "malformed_response";
    }
    return "unknown";
}

bool is_retryable(failure_kind k) {
    return k == fk::transient || k == fk::malformed_response || k == fk::authorization_pending || k == fk::slow_down;
}

token_failure classify_failure(const http_reply& reply, std::optional<std::string> problem) {
    token_failure f;
    f.http_status = reply.status;
    if (reply.retry_after) f.retry_after = util::parse_retry_after(*reply.retry_after);
    if (auto doc = detail::json_fields::parse(reply.body, "error response")) {
        f.error = first_line(doc->optional_string("error").value_or(""));
        f.description = first_line(doc->optional_string("error_description").value_or(""));
        f.error_codes = doc->number_list("error_codes");
        f.suberror = first_line(doc->optional_string("suberror").value_or(""));
        f.correlation_id = first_line(doc->optional_string("correlation_id").value_or(""));
        f.trace_id = first_line(doc->optional_string("trace_id").value_or(""));
    }
    if (problem) {
        f.kind = fk::malformed_response;
        f.explanation = "unusable answer from the token endpoint: " + *problem + "; retrying with back-off";
        f.source = "RFC 6749 §5.1";
    } else if (reply.status == 429 || reply.status >= 500) {
        f.kind = fk::transient;
        f.explanation = reply.status == 429 ? "the sign-in service is throttling this client; retrying after the "
                                              "delay it asked for"
                                            : "the sign-in service failed (HTTP " + std::to_string(reply.status) +
                                                  "); retrying with back-off";
        f.source = "oauth.md A.7";
    } else if (!apply_error_rules(f)) {
        classify_by_status(f);
    }
    if (!problem && reply.status != 429 && reply.status < 500) apply_code_rules(f);
    return f;
}

std::string describe(const token_failure& f) {
    std::string s = std::string(to_string(f.kind)) + ": " + f.explanation;
    if (f.http_status != 0) s += " [HTTP " + std::to_string(f.http_status);
    else s += " [no HTTP answer";
    if (!f.error.empty()) s += ", error=" + f.error;
    for (const auto c : f.error_codes) s += ", AADSTS" + std::to_string(c);
    if (!f.suberror.empty()) s += ", suberror=" + f.suberror;
    if (f.retry_after) s += ", retry after " + std::to_string(f.retry_after->count()) + " s";
    s += "]";
    if (!f.description.empty()) s += " server said: " + f.description;
    if (!f.correlation_id.empty()) s += " correlation_id=" + f.correlation_id;
    if (!f.trace_id.empty()) s += " trace_id=" + f.trace_id;
    if (!f.source.empty()) s += " (see " + std::string(f.source) + ")";
    return s;
}

std::ostream& operator<<(std::ostream& os, const token_failure& f) { return os << describe(f); }

}  // namespace ewstrigd::auth
