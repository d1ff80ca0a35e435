#pragma once
// The operating system's service manager, behind one narrow interface:
// `ewstrigd service install|uninstall|run`. Implemented for the Windows
// Service Control Manager in windows_service.cpp (compiled only on Windows;
// CI syntax-checks it with MinGW-w64) and as a stub elsewhere
// (platform_service_posix.cpp), where systemd units are the service story.
//
// Standard library only (no Boost, no curl) so the Windows file compiles with
// nothing but the MinGW headers.

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace ewstrigd::service::platform {

/// What the daemon hands the service layer once its loop runs. Both are
/// called from the service manager's thread, so they must only post into the
/// io_context (e.g. net::post(ioc, [&]{ app.stop(); })) and return at once.
struct daemon_controls {
    std::function<void()> stop;    // SERVICE_CONTROL_STOP / SHUTDOWN / PRESHUTDOWN
    std::function<void()> reload;  // SERVICE_CONTROL_PARAMCHANGE (`sc control ewstrigd paramchange`)
};

/// What the service layer hands the daemon body.
struct service_context {
    /// Call once, from the daemon, when the config is loaded and the loop is
    /// about to run (the SCM's "running", systemd's READY=1).
    std::function<void(daemon_controls)> started;
    /// Call when shutdown has begun (the SCM's "stop pending").
    std::function<void()> stopping;
};

/// The daemon: runs until stopped, returns the process exit code.
using daemon_main = std::function<int(service_context&)>;

struct install_options {
    std::string name = "ewstrigd";
    std::string display_name = "ewstrigd (Exchange mail triggers)";
    std::string config_file;         // passed as `service run -c FILE`
    std::vector<std::string> extra;  // further arguments for `service run`
};

/// True where install/uninstall/run are implemented (Windows).
bool supported() noexcept;

/// Registers the service (auto start, restart on failure) and an event log
/// source. Returns an exit code; errors on `err`.
int install(const install_options& options, std::ostream& out, std::ostream& err);
/// Stops (if running) and removes the service.
int uninstall(const std::string& name, std::ostream& out, std::ostream& err);
/// Connects to the service manager and runs `body` as the service; only
/// works when started by the SCM. Returns the exit code.
int run(const std::string& name, daemon_main body, std::ostream& err);

}  // namespace ewstrigd::service::platform
