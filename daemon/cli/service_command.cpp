// `ewstrigd service install|uninstall|run`: the Windows Service Control
// Manager (service/windows_service.cpp). Elsewhere the platform layer
// (service/platform_service_posix.cpp) explains that systemd runs the daemon
// and returns 2; nothing here is platform specific.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

#include "service/platform_service.hpp"

#include <ostream>

namespace ewstrigd::cli {

int service_command(const service_args& args, std::ostream& out, std::ostream& err) {
    namespace platform = service::platform;
    if (args.action == "install") {
        platform::install_options o;
        o.name = args.name;
        // The SCM starts the service in another working directory.
        if (!args.config_file.empty()) o.config_file = std::filesystem::absolute(args.config_file).string();
        return platform::install(o, out, err);
    }
    if (args.action == "uninstall") return platform::uninstall(args.name, out, err);
    if (args.action == "run") {
        return platform::run(
            args.name,
            [&args, &err](platform::service_context& ctx) {
                run_args run;
                run.config_file = args.config_file;
                return run_daemon(run, err, &ctx);
            },
            err);
    }
    err << "ewstrigd service: unknown action '" << args.action << "' (install, uninstall, run)\n";
    return exit_code::usage;
}

}  // namespace ewstrigd::cli
