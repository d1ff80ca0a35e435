#pragma once
// What Exchange's affinity routing needs from a mailbox's point of view
// (ews-protocol.md §0 "HTTP headers and cookies for routing/affinity").
//
// A Subscribe sent with X-PreferServerAffinity: true is answered with
// `Set-Cookie: X-BackEndOverrideCookie=<backend server>~<number>`. The part
// before '~' names the mailbox server holding the subscription; the number
// differs between mailboxes of one server, so subscriptions are grouped by
// the server part and a group's GetStreamingEvents carries its anchor's
// whole cookie. Pure.

#include "config/model.hpp"
#include "http/client.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::source {

// The value of the X-BackEndOverrideCookie that `r` sets, if any (the last
// one when several Set-Cookie headers set it; empty values count as none).
std::optional<std::string> backend_override_cookie(const http::response& r);

// The backend server a cookie value names: the part before the last '~'
// (the whole value when there is none).
std::string_view backend_of_cookie(std::string_view cookie);

// Mailboxes whose subscriptions may share a GetStreamingEvents connection
// have the same pool: the same EWS URL, TLS settings and application
// credentials (a group's connection authenticates as its anchor).
std::string stream_pool_of(const config::mailbox_config& mb);

// Whether `mb` can join grouped streaming subscriptions: app-only OAuth with
// impersonation, in streaming mode.
bool groups_streams(const config::mailbox_config& mb);

}  // namespace ewstrigd::source
