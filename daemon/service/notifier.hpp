#pragma once
// The systemd notification protocol (sd_notify(3)) spoken directly over an
// AF_UNIX datagram socket, plus the watchdog keep-alive timer.
//
// Why not libsystemd's sd_notify(): it reads the process environment itself
// (tests could not inject NOTIFY_SOCKET without mutating the global env), the
// protocol is one sendto() of "KEY=VALUE\n..." and we want the watchdog timer
// on our io_context anyway. Without NOTIFY_SOCKET every call is a no-op, so
// the same code runs in a terminal, under systemd and in tests.
//
// - Loop affinity: construct, call and destroy on the thread running `ioc`.
// - Sends never block the loop (MSG_DONTWAIT); a failed send is logged once
//   (logger "service") until a send succeeds again, and returned.
// - NOTIFY_SOCKET "/path" is a filesystem socket, "@name" an abstract one.
// - The watchdog runs only when WATCHDOG_USEC is set and WATCHDOG_PID is unset
//   or equals our pid; keep-alives go out every WATCHDOG_USEC/2 from the loop,
//   so a stuck loop stops them and systemd restarts the service.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/datagram_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::service {

/// Looks up an environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
/// The process environment (std::getenv).
env_lookup process_environment();

class notifier {
public:
    explicit notifier(boost::asio::io_context& ioc, env_lookup env = process_environment());
    notifier(const notifier&) = delete;
    notifier& operator=(const notifier&) = delete;

    /// NOTIFY_SOCKET was set and usable.
    bool enabled() const noexcept { return enabled_; }
    /// Keep-alive period (WATCHDOG_USEC / 2); nullopt when the watchdog is off.
    std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return interval_; }

    /// READY=1: config loaded, state open, loop about to run (not "Exchange answered").
    boost::system::error_code ready();
    /// STATUS=<text>, e.g. "3/5 mailboxes connected"; newlines become spaces.
    boost::system::error_code status(std::string_view text);
    /// RELOADING=1 with MONOTONIC_USEC (systemd 253+ pairs it with the
    /// reload request; older versions ignore the field). Send ready() after.
    boost::system::error_code reloading();
    /// STOPPING=1: shutdown has begun.
    boost::system::error_code stopping();
    /// One "KEY=VALUE\n..." datagram, as is.
    boost::system::error_code send(std::string_view message);

    /// Starts the keep-alive timer (no-op when the watchdog is off); idempotent.
    void start_watchdog();
    /// Cancels the timer, e.g. on stop so run() can return.
    void stop_watchdog();

private:
    void arm_watchdog();

    boost::asio::local::datagram_protocol::socket socket_;
    boost::asio::local::datagram_protocol::endpoint target_;
    boost::asio::steady_timer timer_;
    std::optional<std::chrono::microseconds> interval_;
    bool enabled_ = false;
    bool watchdog_running_ = false;
    bool send_failing_ = false;
};

}  // namespace ewstrigd::service
