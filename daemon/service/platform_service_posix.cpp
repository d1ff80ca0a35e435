// Outside Windows the service manager is systemd: the units in systemd/ run
// `ewstrigd run`, and sd_notify lives in notifier.cpp. These entry points only
// explain that.
#ifndef _WIN32

#include "service/platform_service.hpp"

#include <ostream>

namespace ewstrigd::service::platform {
namespace {
constexpr int not_supported = 2;  // a usage error on this platform
constexpr const char* hint =
    "ewstrigd service: this is the Windows service manager; here systemd runs the daemon: install "
    "systemd/ewstrigd.service (or ewstrigd@.service for shards), which runs 'ewstrigd run' "
    "(see docs/operations.md)\n";
}  // namespace

bool supported() noexcept { return false; }

int install(const install_options&, std::ostream&, std::ostream& err) {
    err << hint;
    return not_supported;
}

int uninstall(const std::string&, std::ostream&, std::ostream& err) {
    err << hint;
    return not_supported;
}

int run(const std::string&, daemon_main, std::ostream& err) {
    err << hint;
    return not_supported;
}

}  // namespace ewstrigd::service::platform

#endif
