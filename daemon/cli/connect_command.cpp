#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/mailbox_credentials.hpp"
#include "cli/mailbox_lookup.hpp"

#include "auth/oauth_provider.hpp"
#include "ews/error_policy.hpp"
#include "ews/requests.hpp"
#include "ews/response.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <ostream>

namespace ewstrigd::cli {

namespace net = boost::asio;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct ews_result {
    bool ok = false;
    bool unauthorized = false;
    std::string text;  // what to print
};

// One GetFolder(inbox) with `creds`; says what the answer means.
net::awaitable<ews_result> get_inbox(http::client& client, const config::mailbox_config& mb, http::auth creds) {
    ews::request_context ctx;
    if (mb.auth->kind == config::auth_kind::oauth_app && mb.auth->impersonation) ctx.impersonate = mb.address;
    ctx.anchor_mailbox = mb.address;
    http::request req;
    req.method = http::method::post;
    req.url = mb.ews_url;
    for (auto& [name, value] : ews::http_headers(ctx, ews::operation::get_folder)) req.headers.push_back({name, value});
    req.body = ews::soap_request(
        ctx, ews::get_folder{{ews::distinguished_folder{"inbox", std::nullopt}},
                             {"folder:DisplayName", "folder:TotalCount", "folder:UnreadCount"}});
    req.auth = std::move(creds);
    req.tls = {mb.tls->verify, mb.tls->ca_file};
    req.timeouts.connect = std::chrono::seconds{15};
    req.timeouts.total = std::chrono::seconds{60};
    auto [ec, resp] = co_await client.async_send(std::move(req), use_tuple);
    if (ec) co_return ews_result{false, false, "EWS GetFolder inbox FAILED: no answer from " + mb.ews_url + " (" + ec.message() + ")"};

    auto parsed = ews::response::parse(resp.body);
    const ews::response* body = std::get_if<ews::response>(&parsed);
    const auto retry_after = resp.header("Retry-After");
    const auto d = ews::classify({static_cast<int>(resp.status),
                                  retry_after ? std::optional<std::string>(*retry_after) : std::nullopt, body});
    if (d.step != ews::next_step::proceed) {
        co_return ews_result{false, d.step == ews::next_step::reauthenticate,
                             "EWS GetFolder inbox FAILED (" + d.code + "): " + d.reason};
    }
    std::string text = "EWS GetFolder inbox OK";
    if (body && !body->messages().empty()) {
        const auto folder = body->messages().front().node.descendant(ews::ns::types, "Folder");
        const auto unread = folder.child(ews::ns::types, "UnreadCount").text();
        const auto total = folder.child(ews::ns::types, "TotalCount").text();
        if (!unread.empty()) text += ", " + unread + " unread";
        if (!total.empty()) text += " of " + total + " messages";
    }
    co_return ews_result{true, false, text};
}

std::string describe_expiry(const auth::oauth_provider& p) {
    const auto st = p.stats();
    if (!st.expires_at) return "";
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(*st.expires_at - auth::wall_clock::now());
    const std::string when = left >= std::chrono::minutes{2}
                                 ? std::to_string(std::chrono::duration_cast<std::chrono::minutes>(left).count()) + " min"
                                 : std::to_string(left.count()) + " s";
    return std::string(st.token_requests == 0 ? " (stored)" : "") + ", expires in " + when;
}

net::awaitable<int> run_connect(http_session& session, const selected_mailbox& selected, std::ostream& out,
                                std::ostream& err) {
    const auto& mb = selected.mailbox();
    const auth::token_store store(selected.cfg.state_dir);
    // The same provider `run` would use for this mailbox.
    const auto provider = make_mailbox_credentials(session.ioc().get_executor(), selected.cfg, mb, session.client(),
                                                   session.endpoints(), store);
    const auto* oauth = dynamic_cast<const auth::oauth_provider*>(provider.get());
    for (int attempt = 0;; ++attempt) {
        auto [failure, creds] = co_await provider->async_credentials(net::use_awaitable);
        if (failure) {
            err << "credentials for " << mb.address << " FAILED (" << auth::to_string(failure->kind)
                << "): " << failure->explanation << '\n';
            co_return exit_code::auth_failed;
        }
        if (attempt == 0) {
            if (oauth) out << "token acquired for " << mb.address << describe_expiry(*oauth) << '\n';
            else out << "using " << (mb.auth->kind == config::auth_kind::ntlm ? "NTLM" : "basic")
                     << " credentials of " << mb.auth->username << " for " << mb.address << '\n';
        }
        const auto r = co_await get_inbox(session.client(), mb, std::move(creds));
        if (r.unauthorized && attempt == 0 && oauth) {
            out << "EWS rejected the token (HTTP 401); getting a new one and trying once more\n";
            provider->invalidate();
            continue;
        }
        (r.ok ? out : err) << r.text << '\n';
        co_return r.ok ? exit_code::ok : exit_code::auth_failed;
    }
}

}  // namespace

int connect_command(const connect_args& args, std::ostream& out, std::ostream& err) {
    int exit = exit_code::ok;
    auto selected = select_mailbox(args.config_file, args.mailbox, "connect", err, exit);
    if (!selected) return exit;
    http_session session;
    return session.run(run_connect(session, *selected, out, err));
}

}  // namespace ewstrigd::cli
