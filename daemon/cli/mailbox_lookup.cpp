#include "cli/mailbox_lookup.hpp"

#include "cli/config_errors.hpp"
#include "cli/exit_codes.hpp"
#include "config/loader.hpp"

#include <ostream>

namespace ewstrigd::cli {

std::optional<selected_mailbox> select_mailbox(const std::filesystem::path& config_file, std::string_view mailbox,
                                               std::string_view command, std::ostream& err, int& exit) {
    auto loaded = config::load_config(config_file);
    if (!loaded.cfg) {
        exit = report_config_errors(loaded.errors, err);
        return std::nullopt;
    }
    selected_mailbox out{std::move(*loaded.cfg), 0, {}};
    const auto& list = out.cfg.mailboxes;
    auto it = std::find_if(list.begin(), list.end(), [&](const config::mailbox_config& m) { return m.id == mailbox; });
    if (it == list.end()) {
        it = std::find_if(list.begin(), list.end(), [&](const config::mailbox_config& m) { return m.address == mailbox; });
    }
    if (it == list.end()) {
        err << "ewstrigd " << command << ": no mailbox has id or address '" << mailbox << "'; known ids:";
        for (const auto& m : list) err << ' ' << m.id;
        err << '\n';
        exit = exit_code::usage;
        return std::nullopt;
    }
    out.index = static_cast<std::size_t>(it - list.begin());
    out.base_dir = std::filesystem::absolute(out.cfg.main_file).parent_path();
    return out;
}

}  // namespace ewstrigd::cli
