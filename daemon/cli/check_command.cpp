#include "cli/commands.hpp"
#include "cli/config_errors.hpp"
#include "cli/exit_codes.hpp"

#include "config/loader.hpp"

#include <ostream>

namespace ewstrigd::cli {

int check_command(const check_args& args, std::ostream& out, std::ostream& err) {
    const auto loaded = config::load_config(args.config_file);
    if (!loaded.cfg) return report_config_errors(loaded.errors, err);
    const auto& cfg = *loaded.cfg;
    out << args.config_file.string() << ": OK, " << cfg.mailboxes.size()
        << (cfg.mailboxes.size() == 1 ? " mailbox, " : " mailboxes, ") << cfg.triggers.size()
        << (cfg.triggers.size() == 1 ? " trigger" : " triggers") << " (" << cfg.trigger_files.size() << " file"
        << (cfg.trigger_files.size() == 1 ? "" : "s") << " in " << cfg.triggers_dir << ")\n";
    return exit_code::ok;
}

}  // namespace ewstrigd::cli
