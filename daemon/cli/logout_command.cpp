#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/mailbox_lookup.hpp"

#include "auth/token_store.hpp"

#include <ostream>

namespace ewstrigd::cli {

int logout_command(const logout_args& args, std::ostream& out, std::ostream& err) {
    int exit = exit_code::ok;
    auto selected = select_mailbox(args.config_file, args.mailbox, "logout", err, exit);
    if (!selected) return exit;
    const auto& mb = selected->mailbox();
    const auth::token_store store(selected->cfg.state_dir);
    const auto removed = store.remove(mb.id);
    if (!removed) {
        err << "ewstrigd logout: " << removed.error().message << '\n';
        return exit_code::auth_failed;
    }
    if (*removed)
        out << "Signed out: deleted the stored tokens of mailbox " << mb.id << " (" << store.file_of(mb.id).string()
            << "); a running daemon stops using them at the next refresh. Run `ewstrigd login " << mb.id
            << "` to sign in again.\n";
    else
        out << "Mailbox " << mb.id << " had no stored tokens; nothing to do.\n";
    return exit_code::ok;
}

}  // namespace ewstrigd::cli
