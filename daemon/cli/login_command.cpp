#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/mailbox_lookup.hpp"

#include "auth/oauth_settings.hpp"
#include "auth/sign_in.hpp"
#include "auth/token_store.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <ostream>

namespace ewstrigd::cli {

namespace net = boost::asio;

namespace {

// GCC 12 reports -Wmismatched-new-delete for coroutine frames (asio's
// aligned operator new/delete) when it inlines this coroutine's ramp; a known
// false positive (GCC bug 109224) that depends on inlining decisions only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
net::awaitable<auth::result<auth::signed_in>> sign_in(http_session& session, auth::oauth_settings settings,
                                                      bool browser, std::chrono::seconds timeout,
                                                      auth::sign_in_hooks hooks) {
    auto url = auth::discovery_url_of(settings);
    if (!url) co_return url.error();
    auto endpoints = co_await session.endpoints().async_get(*url, net::use_awaitable);
    if (!endpoints) co_return endpoints.error();
    if (browser) co_return co_await auth::browser_sign_in(session.client(), *endpoints, settings, timeout, hooks);
    co_return co_await auth::device_code_sign_in(session.client(), *endpoints, settings, timeout, hooks);
}
#pragma GCC diagnostic pop

}  // namespace

int login_command(const login_args& args, std::ostream& out, std::ostream& err) {
    int exit = exit_code::ok;
    auto selected = select_mailbox(args.config_file, args.mailbox, "login", err, exit);
    if (!selected) return exit;
    const auto& mb = selected->mailbox();
    if (mb.auth->kind != config::auth_kind::oauth_delegated) {
        err << "ewstrigd login: mailbox '" << mb.id
            << "' does not use auth kind oauth-delegated, so there is nothing to sign in to; `ewstrigd connect "
            << mb.id << "` checks its credentials\n";
        return exit_code::usage;
    }
    auto settings = auth::settings_from_config(mb, selected->base_dir);
    if (!settings) {
        err << "ewstrigd login: " << settings.error().message << '\n';
        return exit_code::usage;
    }
    const bool browser = args.browser || (!args.device_code && !settings->redirect_uri.empty());
    if (browser && settings->redirect_uri.empty()) {
        err << "ewstrigd login: --browser needs auth.redirect_uri (a loopback URI such as http://localhost:8400/) "
               "for mailbox '" << mb.id << "'; without it, use the device code sign-in (the default)\n";
        return exit_code::usage;
    }
    if (args.timeout_seconds < 1) {
        err << "ewstrigd login: --timeout must be at least 1 second\n";
        return exit_code::usage;
    }

    out << "Signing in for mailbox " << mb.id << " (" << mb.address << ") with "
        << (browser ? "the browser (authorization code + PKCE)" : "a device code") << "; this times out after "
        << args.timeout_seconds << " seconds.\n";
    if (browser) out << "Open this URL in a browser on this computer and sign in as " << mb.address << ":\n";
    out.flush();
    auth::sign_in_hooks hooks;
    hooks.prompt = [&out](const std::string& text) { out << text << '\n' << std::flush; };
    hooks.note = [&out](const std::string& text) { out << text << '\n' << std::flush; };

    http_session session;
    auto result = session.run(sign_in(session, *settings, browser, std::chrono::seconds{args.timeout_seconds}, hooks));
    if (!result) {
        err << "ewstrigd login: " << mb.id << ": " << result.error().message << '\n';
        return exit_code::auth_failed;
    }
    if (!result->tokens.refresh_token) {
        err << "ewstrigd login: " << mb.id
            << ": the server returned no refresh token, so the daemon could not renew access; the scopes must "
               "include offline_access\n";
        return exit_code::auth_failed;
    }
    const auth::token_store store(selected->cfg.state_dir);
    const auto saved = store.save(auth::to_stored(*settings, result->tokens, *result->tokens.refresh_token, result->sent_at));
    if (!saved) {
        err << "ewstrigd login: " << mb.id << ": signed in, but " << saved.error().message << '\n';
        return exit_code::auth_failed;
    }
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(result->tokens.expires_in).count();
    out << "Signed in: mailbox " << mb.id << " can now be watched; tokens stored in "
        << store.file_of(mb.id).string() << " (access token valid for "
        << (minutes > 0 ? std::to_string(minutes) + " min" : std::to_string(result->tokens.expires_in.count()) + " s")
        << ", renewed automatically).\n";
    return exit_code::ok;
}

}  // namespace ewstrigd::cli
