#include "cli/commands.hpp"
#include "cli/config_errors.hpp"
#include "cli/dry_run.hpp"
#include "cli/exit_codes.hpp"

#include "config/diagnostics.hpp"
#include "config/loader.hpp"
#include "mail/message_file.hpp"

#include <ostream>

namespace ewstrigd::cli {

namespace {

void print_text(const match::message& msg, const dry_run_options& options, const dry_run_report& report,
                std::ostream& out) {
    out << "message: \"" << msg.subject << "\" from " << (msg.from.email.empty() ? msg.from.name : msg.from.email)
        << " (folder " << options.folder;
    if (options.mailbox) out << ", mailbox " << *options.mailbox;
    out << ")\n";
    out << "matched " << report.matched.size() << " of " << report.evaluated << " triggers\n";
    for (const auto& hit : report.matched) {
        out << "\n  " << hit.trigger << " (mailbox " << hit.mailbox << ")\n";
        if (!hit.captures.empty()) {
            out << "    captures:";
            for (const auto& [name, value] : hit.captures) out << ' ' << name << '=' << value;
            out << '\n';
        }
        for (const auto& action : hit.actions) out << "    " << describe_action(action) << '\n';
    }
    out << "\nnothing was executed (dry run)\n";
}

void print_json(const match::message& msg, const dry_run_report& report, std::ostream& out) {
    nlohmann::json matched = nlohmann::json::array();
    for (const auto& hit : report.matched) {
        matched.push_back({{"trigger", hit.trigger}, {"mailbox", hit.mailbox}, {"captures", hit.captures},
                           {"actions", hit.actions}});
    }
    nlohmann::json doc{{"message", describe_message(msg)}, {"evaluated", report.evaluated}, {"matched", matched}};
    // Mail content need not be valid UTF-8; replace rather than throw.
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

int test_command(const test_args& args, std::ostream& out, std::ostream& err) {
    const auto loaded = config::load_config(args.config_file);
    if (!loaded.cfg) return report_config_errors(loaded.errors, err);
    const auto& cfg = *loaded.cfg;
    if (args.mailbox) {
        const bool known = std::any_of(cfg.mailboxes.begin(), cfg.mailboxes.end(),
                                       [&](const config::mailbox_config& m) { return m.id == *args.mailbox; });
        if (!known) {
            err << "ewstrigd: --mailbox: no mailbox has id '" << *args.mailbox << "'\n";
            return exit_code::usage;
        }
    }
    auto read = mail::read_message_file(args.message_file);
    if (auto* failure = std::get_if<mail::read_error>(&read)) {
        err << failure->message << '\n';  // already names the file
        return exit_code::bad_message;
    }
    const auto& msg = std::get<match::message>(read);
    dry_run_options options;
    options.mailbox = args.mailbox;
    options.folder = args.folder.value_or(msg.folder.empty() ? "inbox" : msg.folder);
    options.message_file = std::filesystem::absolute(args.message_file).string();
    const auto report = dry_run(cfg, msg, options);
    if (args.json) print_json(msg, report, out);
    else print_text(msg, options, report, out);
    return report.matched.empty() ? exit_code::no_match : exit_code::ok;
}

}  // namespace ewstrigd::cli
