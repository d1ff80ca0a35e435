#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <ostream>

namespace ewstrigd::cli {
namespace {

constexpr const char* default_config = "/etc/ewstrigd/ewstrigd.yaml";

std::string config_default() {
    const char* env = std::getenv("EWSTRIGD_CONFIG");
    return env != nullptr && *env != '\0' ? env : default_config;
}

void add_config_option(CLI::App& cmd, std::filesystem::path& target) {
    target = config_default();
    cmd.add_option("-c,--config", target, "Main configuration file (default $EWSTRIGD_CONFIG or " +
                                              std::string(default_config) + ")");
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app{"ewstrigd: watches Exchange mailboxes over EWS and runs the actions of matching triggers",
                 "ewstrigd"};
    app.set_version_flag("-V,--version", std::string("ewstrigd ") + EWSTRIGD_VERSION);
    app.require_subcommand(1);

    check_args check;
    auto* check_cmd = app.add_subcommand("check", "Validate the configuration and trigger files; print every error");
    add_config_option(*check_cmd, check.config_file);

    test_args test;
    auto* test_cmd = app.add_subcommand(
        "test", "Dry-run the triggers against a saved message (.eml or EWS GetItem response); executes nothing");
    add_config_option(*test_cmd, test.config_file);
    test_cmd->add_option("-m,--message", test.message_file, "The message file")->required();
    test_cmd->add_option("--mailbox", test.mailbox, "Only the triggers of this mailbox id");
    test_cmd->add_option("--folder", test.folder, "The folder the message is taken to be in (default inbox)");
    test_cmd->add_flag("--json", test.json, "Print one JSON object instead of text");

    run_args run;
    auto* run_cmd = app.add_subcommand("run", "Watch the mailboxes and run the actions of matching triggers");
    add_config_option(*run_cmd, run.config_file);
    run_cmd->add_flag("--once", run.once, "Sync every folder once, run the outbox until empty, exit");
    run_cmd->add_option("--shard", run.shard, "K/N: only the mailboxes of shard K of N");

    ews_decode_args decode;
    auto* decode_cmd = app.add_subcommand(
        "ews-decode", "Explain a saved EWS response or captured streaming body (several envelopes); exit 4 if undecodable");
    decode_cmd->add_option("FILE", decode.file, "The saved response")->required();
    decode_cmd->add_flag("--json", decode.json, "Print one JSON document instead of a summary");

    login_args login;
    auto* login_cmd = app.add_subcommand(
        "login", "Sign in once for an oauth-delegated mailbox (device code, or browser with redirect_uri); stores its tokens");
    add_config_option(*login_cmd, login.config_file);
    login_cmd->add_option("MAILBOX", login.mailbox, "Mailbox id or address")->required();
    auto* device_flag = login_cmd->add_flag("--device-code", login.device_code, "Use the device code flow");
    login_cmd->add_flag("--browser", login.browser, "Use the browser and the loopback redirect_uri")->excludes(device_flag);
    login_cmd->add_option("--timeout", login.timeout_seconds, "Give up after this many seconds (default 120)");

    logout_args logout;
    auto* logout_cmd = app.add_subcommand("logout", "Delete the stored tokens of a mailbox");
    add_config_option(*logout_cmd, logout.config_file);
    logout_cmd->add_option("MAILBOX", logout.mailbox, "Mailbox id or address")->required();

    connect_args connect;
    auto* connect_cmd = app.add_subcommand(
        "connect", "Get credentials for a mailbox and make one EWS call (GetFolder inbox); print what works");
    add_config_option(*connect_cmd, connect.config_file);
    connect_cmd->add_option("MAILBOX", connect.mailbox, "Mailbox id or address")->required();

    status_args status;
    auto* status_cmd = app.add_subcommand(
        "status", "Ask the running daemon (at metrics.listen) for every mailbox's state, last event, error and outbox");
    add_config_option(*status_cmd, status.config_file);
    status_cmd->add_option("--listen", status.listen, "HOST:PORT instead of the config's metrics.listen (e.g. another shard)");
    status_cmd->add_flag("--json", status.json, "Print the daemon's JSON status document");

    service_args service;
    auto* service_cmd = app.add_subcommand(
        "service", "Windows: install, uninstall or run as a Windows service (elsewhere systemd units are used)");
    service_cmd->add_option("ACTION", service.action, "install | uninstall | run")
        ->required()
        ->check(CLI::IsMember({"install", "uninstall", "run"}));
    add_config_option(*service_cmd, service.config_file);
    service_cmd->add_option("--name", service.name, "Service name (default ewstrigd)");

    outbox_args outbox;
    auto* outbox_cmd = app.add_subcommand("outbox", "Show the action outbox, or retry its dead letters");
    outbox_cmd->require_subcommand(1);
    auto* outbox_list = outbox_cmd->add_subcommand("list", "List pending and dead actions (never their payload)");
    add_config_option(*outbox_list, outbox.config_file);
    outbox_list->add_flag("--dead", outbox.dead, "Only the dead letters");
    outbox_list->add_flag("--json", outbox.json, "Print one JSON document");
    auto* outbox_retry = outbox_cmd->add_subcommand(
        "retry", "Put dead letters back to pending with fresh attempts (the daemon may be running or not)");
    add_config_option(*outbox_retry, outbox.config_file);
    auto* retry_ids = outbox_retry->add_option("ID", outbox.ids, "Ids from `ewstrigd outbox list --dead`");
    outbox_retry->add_flag("--all-dead", outbox.all_dead, "Every dead letter")->excludes(retry_ids);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return exit_code::ok;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return exit_code::ok;
    } catch (const CLI::CallForVersion&) {
        out << app.version() << '\n';
        return exit_code::ok;
    } catch (const CLI::ParseError& e) {
        // Subcommand help is raised from inside the subcommand; print its own text.
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            for (auto* sub : app.get_subcommands()) out << sub->help();
            if (app.get_subcommands().empty()) out << app.help();
            return exit_code::ok;
        }
        err << "ewstrigd: " << e.what() << "\n(run 'ewstrigd --help' for usage)\n";
        return exit_code::usage;
    }
    if (check_cmd->parsed()) return check_command(check, out, err);
    if (run_cmd->parsed()) return run_command(run, out, err);
    if (decode_cmd->parsed()) return ews_decode_command(decode, out, err);
    if (login_cmd->parsed()) return login_command(login, out, err);
    if (logout_cmd->parsed()) return logout_command(logout, out, err);
    if (connect_cmd->parsed()) return connect_command(connect, out, err);
    if (status_cmd->parsed()) return status_command(status, out, err);
    if (service_cmd->parsed()) return service_command(service, out, err);
    if (outbox_cmd->parsed()) {
        outbox.action = outbox_list->parsed() ? "list" : "retry";
        return outbox_command(outbox, out, err);
    }
    return test_command(test, out, err);
}

}  // namespace ewstrigd::cli
