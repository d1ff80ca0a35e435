#include "service/notifier.hpp"

#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <ctime>

namespace ewstrigd::service {
namespace {

namespace net = boost::asio;
using local_dgram = net::local::datagram_protocol;

std::optional<std::uint64_t> parse_unsigned(const std::optional<std::string>& text) {
    if (!text || text->empty()) return std::nullopt;
    std::uint64_t v = 0;
    const auto* end = text->data() + text->size();
    const auto [p, ec] = std::from_chars(text->data(), end, v);
    if (ec != std::errc{} || p != end) return std::nullopt;
    return v;
}

std::uint64_t monotonic_usec() {
    // CLOCK_MONOTONIC explicitly: systemd compares MONOTONIC_USEC with its
    // own CLOCK_MONOTONIC reading; steady_clock's epoch is unspecified.
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

env_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

notifier::notifier(net::io_context& ioc, env_lookup env) : socket_(ioc), timer_(ioc) {
    auto path = env("NOTIFY_SOCKET");
    if (!path || path->size() < 2 || ((*path)[0] != '/' && (*path)[0] != '@')) {
        // Unset, or a form we do not speak (e.g. vsock:): stay silent rather
        // than guess; systemd then times out waiting for READY=1, visibly.
        if (path && !path->empty()) spdlog::warn("service: NOTIFY_SOCKET '{}' is not a unix socket path; not notifying", *path);
        return;
    }
    if ((*path)[0] == '@') (*path)[0] = '\0';
    boost::system::error_code ec;
    if (path->size() >= sizeof(sockaddr_un{}.sun_path)) {
        spdlog::warn("service: NOTIFY_SOCKET path is too long; not notifying");
        return;
    }
    target_ = local_dgram::endpoint(*path);
    socket_.open(local_dgram(), ec);
    if (ec) {
        spdlog::warn("service: cannot open a notification socket: {}", ec.message());
        return;
    }
    enabled_ = true;

    const auto usec = parse_unsigned(env("WATCHDOG_USEC"));
    const auto pid = parse_unsigned(env("WATCHDOG_PID"));
    if (usec && *usec > 0 && (!pid || *pid == static_cast<std::uint64_t>(::getpid()))) {
        interval_ = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec / 2));
    }
}

boost::system::error_code notifier::send(std::string_view message) {
    if (!enabled_) return {};
    const ssize_t n = ::sendto(socket_.native_handle(), message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               target_.data(), static_cast<socklen_t>(target_.size()));
    boost::system::error_code ec;
    if (n < 0) ec.assign(errno, boost::system::system_category());
    if (ec && !send_failing_) spdlog::warn("service: sd_notify send failed: {}", ec.message());
    send_failing_ = static_cast<bool>(ec);
    return ec;
}

boost::system::error_code notifier::ready() { return send("READY=1"); }

boost::system::error_code notifier::status(std::string_view text) {
    std::string msg = "STATUS=";
    for (char c : text) msg += (c == '\n' || c == '\r') ? ' ' : c;
    return send(msg);
}

boost::system::error_code notifier::reloading() {
    return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

boost::system::error_code notifier::stopping() { return send("STOPPING=1"); }

void notifier::start_watchdog() {
    if (!enabled_ || !interval_ || watchdog_running_) return;
    watchdog_running_ = true;
    arm_watchdog();
}

void notifier::stop_watchdog() {
    watchdog_running_ = false;
    timer_.cancel();
}

void notifier::arm_watchdog() {
    timer_.expires_after(*interval_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !watchdog_running_) return;
        send("WATCHDOG=1");
        arm_watchdog();
    });
}

}  // namespace ewstrigd::service
