#pragma once
// ews-sim's command line. Pure; parse_options throws std::invalid_argument
// with a message for the user on bad input (startup only).
#include "auth.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ewstrigd::sim {

// Throttling (throttle.hpp); all off by default.
struct throttle_options {
    unsigned max_streams = 0;     // open GetStreamingEvents connections per mailbox; 0 = unlimited
    unsigned max_subscriptions = 0;  // live subscriptions per mailbox (EWSMaxSubscriptions); 0 = unlimited
    unsigned request_budget = 0;  // EWS requests per mailbox per window; 0 = unlimited
    std::chrono::milliseconds window{60000};
};

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the OS picks one; the real one is printed
    auth_config auth;
    unsigned mailboxes = 0;  // pre-create user0@example.com .. user{N-1}@example.com
    // Keep-alive frames on open streams. The EWS Managed API expects one at
    // least every 45 s and gives up after 90 s (ews-protocol.md §2.3).
    std::chrono::milliseconds keepalive{40000};
    // Length of one ConnectionTimeout "minute", shortened by tests to see the Closed frame quickly.
    std::chrono::milliseconds minute{60000};
    // PEM files: serve HTTPS instead of HTTP (both or neither).
    std::string tls_cert;
    std::string tls_key;
    throttle_options throttle;
    // --send-as ADDRESS: every mailbox may send with this From (CreateItem t:From); repeatable.
    std::vector<std::string> send_as;
    unsigned backends = 1;  // mailbox servers the mailboxes are spread over (backends.hpp)
    bool help = false;
};

options parse_options(const std::vector<std::string>& args);
extern const char* const usage;

}  // namespace ewstrigd::sim
