#pragma once
// Device authorization grant (RFC 8628; Entra: reference/oauth.md A.3):
// parsing the device authorization answer, and the pure polling decision.
//
// Polling: wait `interval` before every poll (first one included); on
// authorization_pending poll again, on slow_down add 5 s to the interval for
// this and every later poll (RFC 8628 §3.5), on a transient failure poll
// again after max(interval, Retry-After); stop on success (never poll again
// after a 200: a replayed device code revokes the grant, oauth.md B.4 #4),
// on denial, on an expired code and on any other failure; give up when the
// next poll would fall after the sign-in deadline = min(started +
// sign_in_timeout, started + expires_in). The 2-minute default is DESIGN.md's.

#include "auth/secret.hpp"
#include "auth/token_failure.hpp"
#include "auth/token_response.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ewstrigd::auth {

struct device_authorization {
    secret device_code;
    std::string user_code;          // shown to the user
    std::string verification_uri;   // also read from v1's `verification_url`
    std::optional<std::string> verification_uri_complete;  // Entra does not send it
    std::chrono::seconds expires_in{0};
    std::chrono::seconds interval{5};  // RFC 8628 §3.2 default when absent
    std::string message;               // the server's instructions; we print our own if empty
};

// A non-2xx answer, an `error` body or a bad field gives a classified failure
// (malformed_response naming the field for a bad 2xx body).
boost::system::result<device_authorization, token_failure> parse_device_authorization(const http_reply& reply);

// What to tell the user: the server's message, or one built from uri and code.
std::string sign_in_prompt(const device_authorization& d);

inline constexpr std::chrono::seconds default_sign_in_timeout{120};

enum class poll_action {
    wait_then_poll,  // wait `wait`, then poll the token endpoint
    signed_in,       // success: store the tokens, poll no more
    give_up,         // `reason` says why (declined, expired, timed out, configuration ...)
};

struct poll_decision {
    poll_action action = poll_action::wait_then_poll;
    std::chrono::seconds wait{0};
    std::string reason;  // give_up only, plain words; never a code or token
};

class device_poll {
public:
    using time_point = std::chrono::system_clock::time_point;

    device_poll(const device_authorization& d, time_point started,
                std::chrono::seconds sign_in_timeout = default_sign_in_timeout);

    poll_decision first(time_point now) const;                          // before the first poll
    poll_decision next(const token_result& answer, time_point now);     // after each poll
    std::chrono::seconds interval() const { return interval_; }
    time_point deadline() const { return deadline_; }

private:
    poll_decision wait(std::chrono::seconds d, time_point now) const;

    std::chrono::seconds interval_;
    time_point deadline_;
    std::chrono::seconds timeout_;
    bool timeout_is_ours_;  // the deadline comes from sign_in_timeout, not the code's expires_in
};

}  // namespace ewstrigd::auth
