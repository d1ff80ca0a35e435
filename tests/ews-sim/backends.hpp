#pragma once
// Mailbox servers and server affinity (ews-protocol.md §0 "HTTP headers and
// cookies for routing/affinity"). Each mailbox lives on one backend server,
// chosen by a stable hash of its address until an admin moves it. A
// subscription lives on its mailbox's backend; a GetStreamingEvents request
// reaches the backend its X-BackEndOverrideCookie names (with
// X-PreferServerAffinity: true), else its mailbox's, and knows only the
// subscriptions living there. Pure.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::sim {

class backend_map {
public:
    // `count` backends named mbx0.sim.example .. mbx{count-1}.sim.example (at least one).
    void set_count(unsigned count) { count_ = count == 0 ? 1 : count; }
    unsigned count() const { return count_; }

    std::string backend_of(std::string_view address) const;
    // From now on `address` lives on `backend` (any name).
    void move(std::string_view address, std::string backend);

private:
    unsigned count_ = 1;
    std::map<std::string, std::string, std::less<>> moved_;  // lower-case address -> backend
};

// What a request's headers say about affinity.
struct affinity_headers {
    bool prefer_affinity = false;  // X-PreferServerAffinity: true
    std::string cookie_backend;    // the backend its X-BackEndOverrideCookie names; empty = none
};

// The Set-Cookie header value answering a Subscribe sent with
// X-PreferServerAffinity: true, as Exchange Online words it:
// "X-BackEndOverrideCookie=<backend>~<number>; path=/; secure; HttpOnly",
// the number differing between mailboxes.
std::string affinity_set_cookie(std::string_view backend, std::string_view address);

// The backend the X-BackEndOverrideCookie of a Cookie header names (the part
// before '~'); nullopt without one.
std::optional<std::string> cookie_backend(std::string_view cookie_header);

}  // namespace ewstrigd::sim
