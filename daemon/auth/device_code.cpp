#include "auth/device_code.hpp"

#include "auth/json_fields.hpp"

#include <algorithm>

namespace ewstrigd::auth {

using std::chrono::seconds;

boost::system::result<device_authorization, token_failure> parse_device_authorization(const http_reply& reply) {
    if (reply.status < 200 || reply.status > 299) return classify_failure(reply);
    auto doc = detail::json_fields::parse(reply.body, "device authorization response");
    if (!doc) return classify_failure(reply, doc.error().message);
    if (doc->has("error")) return classify_failure(reply);

    device_authorization d;
    d.device_code = secret(doc->required_string("device_code"));
    d.user_code = doc->required_string("user_code");
    d.verification_uri = doc->has("verification_uri") || !doc->has("verification_url")
                             ? doc->required_string("verification_uri")
                             : doc->required_string("verification_url");
    d.verification_uri_complete = doc->optional_string("verification_uri_complete");
    d.expires_in = seconds{doc->required_seconds("expires_in", 1, 24 * 3600)};
    // Interval bounds: a zero interval would hammer the server; an hour means no sign-in.
    d.interval = seconds{doc->optional_seconds("interval", 1, 3600).value_or(5)};
    d.message = doc->optional_string("message").value_or("");
    if (doc->problem()) return classify_failure(reply, doc->problem()->message);
    return d;
}

std::string sign_in_prompt(const device_authorization& d) {
    if (!d.message.empty()) return d.message;
    return "To sign in, open " + d.verification_uri + " and enter the code " + d.user_code + ".";
}

device_poll::device_poll(const device_authorization& d, time_point started, seconds sign_in_timeout)
    : interval_(d.interval),
      deadline_(started + std::min(sign_in_timeout, d.expires_in)),
      timeout_(sign_in_timeout),
      timeout_is_ours_(sign_in_timeout <= d.expires_in) {}

poll_decision device_poll::wait(seconds d, time_point now) const {
    if (now + d <= deadline_) return {poll_action::wait_then_poll, d, {}};
    if (timeout_is_ours_) {
        return {poll_action::give_up, seconds{0},
                "the sign-in was not completed within " + std::to_string(timeout_.count()) +
                    " seconds; run `ewstrigd login` again and enter the code promptly"};
    }
    return {poll_action::give_up, seconds{0}, "the device code expired before the sign-in was completed; run "
                                               "`ewstrigd login` again"};
}

poll_decision device_poll::first(time_point now) const { return wait(interval_, now); }

poll_decision device_poll::next(const token_result& answer, time_point now) {
    if (answer) return {poll_action::signed_in, seconds{0}, {}};
    const token_failure& f = answer.error();
    switch (f.kind) {
    case failure_kind::authorization_pending: return wait(interval_, now);
    case failure_kind::slow_down:
        interval_ += seconds{5};
        return wait(interval_, now);
    case failure_kind::transient:
    case failure_kind::malformed_response:
        return wait(std::max(interval_, f.retry_after.value_or(seconds{0})), now);
    default: return {poll_action::give_up, seconds{0}, f.explanation};
    }
}

}  // namespace ewstrigd::auth
