// The token service, the sign-in flows and the `login`/`logout` commands
// against a real OAuth server: oidc-provider (tests/oauth-peer/server.mjs),
// started per test on 127.0.0.1 with 5-second access tokens, rotating
// refresh tokens and test routes to approve device codes, inject faults,
// revoke grants and count token requests.
#include "auth/endpoint_cache.hpp"
#include "auth/oauth_provider.hpp"
#include "auth/sign_in.hpp"
#include "auth/token_store.hpp"
#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"

#include "oauth_peer.hpp"
#include "run_until.hpp"
#include "test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace ewstrigd::auth {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::oauth_peer;
using test::run_until;

struct answer {
    std::optional<credential_failure> failure;
    std::string token;  // the Bearer token handed out, empty on failure
    bool done = false;
};

class oauth_oidc : public ::testing::Test {
protected:
    testing::scratch_dir dir;
    test::test_certificate cert = test::make_test_certificate(dir.path());
    oauth_peer peer{{"test-tenant", 5, 1, cert.cert}};
    net::io_context ioc;
    http::curl_multi multi{ioc};
    http::curl_client client{multi};
    endpoint_cache endpoints{ioc.get_executor(), client};
    token_store store{dir.path() / "state"};

    oauth_settings base(const std::string& id, const std::string& client_id) {
        oauth_settings s;
        s.mailbox_id = id;
        s.address = id + "@contoso.test";
        s.authority = peer.base();
        s.tenant_id = peer.tenant();
        s.client_id = client_id;
        return s;
    }
    oauth_settings delegated(const std::string& id) {
        auto s = base(id, "device-public");
        s.scope = std::string(delegated_scope);
        return s;
    }
    oauth_settings app_secret(const std::string& id, const std::string& secret_value = "cc-secret-value") {
        auto s = base(id, "cc-secret");
        s.app_only = true;
        s.scope = std::string(app_scope);
        s.client_secret = secret(secret_value);
        return s;
    }
    oauth_settings app_certificate(const std::string& id, const std::string& client_id = "cc-jwt") {
        auto s = base(id, client_id);
        s.app_only = true;
        s.scope = std::string(app_scope);
        s.certificate = cert.cert;
        s.private_key = cert.key;
        return s;
    }

    template <class T>
    T run(net::awaitable<T> work) {
        std::optional<T> out;
        net::co_spawn(ioc, std::move(work), [&](std::exception_ptr e, T v) {
            if (e) std::rethrow_exception(e);
            out.emplace(std::move(v));
        });
        EXPECT_TRUE(run_until(ioc, [&] { return out.has_value(); }));
        return std::move(*out);
    }

    oidc_endpoints discover(const oauth_settings& s) {
        auto url = discovery_url_of(s).value();
        auto e = run([&]() -> net::awaitable<result<oidc_endpoints>> {
            co_return co_await endpoints.async_get(url, net::use_awaitable);
        }());
        EXPECT_TRUE(e) << e.error().message;
        return *e;
    }

    // Device sign-in; the "user" approves once the client has polled `polls_before` times.
    result<signed_in> device_login(const oauth_settings& s, sign_in_hooks hooks = {}, int polls_before = 1) {
        const auto ep = discover(s);
        auto user_code = std::make_shared<std::string>();
        auto approver = std::make_shared<net::steady_timer>(ioc);
        auto prompt = hooks.prompt;
        hooks.prompt = [&, user_code, approver, prompt, polls_before](const std::string& text) {
            if (prompt) prompt(text);
            *user_code = test::user_code_in(text);
            // Approve from the loop once the client has seen authorization_pending.
            // The pending wait owns the check; the check itself holds only a
            // weak reference, so no cycle outlives the sign-in.
            auto check = std::make_shared<std::function<void(boost::system::error_code)>>();
            std::weak_ptr<std::function<void(boost::system::error_code)>> weak_check = check;
            auto wait_again = [approver](const std::shared_ptr<std::function<void(boost::system::error_code)>>& c) {
                approver->expires_after(100ms);
                approver->async_wait([c](boost::system::error_code ec) { (*c)(ec); });
            };
            *check = [&, user_code, weak_check, wait_again, polls_before](boost::system::error_code ec) {
                if (ec) return;
                if (peer.device_polls() >= polls_before) return peer.approve(*user_code);
                if (auto c = weak_check.lock()) wait_again(c);
            };
            wait_again(check);
        };
        return run(device_code_sign_in(client, ep, s, 60s, hooks));
    }

    // A signed-in delegated mailbox, its tokens in the store.
    stored_tokens signed_in_mailbox(const oauth_settings& s) {
        auto r = device_login(s);
        EXPECT_TRUE(r) << r.error().message;
        auto st = to_stored(s, r->tokens, r->tokens.refresh_token.value(), r->sent_at);
        EXPECT_TRUE(store.save(st));
        return store.load(s.mailbox_id).value().value();
    }

    answer credentials(credential_provider& p) {
        answer a;
        p.async_credentials([&a](std::optional<credential_failure> f, http::auth creds) {
            EXPECT_FALSE(a.done) << "completed twice";
            a.failure = std::move(f);
            if (auto* b = std::get_if<http::bearer_auth>(&creds)) a.token = b->token;
            a.done = true;
        });
        EXPECT_FALSE(a.done) << "completed inside the call";
        EXPECT_TRUE(run_until(ioc, [&] { return a.done; }));
        return a;
    }

    void sleep_on_loop(std::chrono::milliseconds d) {
        net::steady_timer t(ioc, d);
        bool fired = false;
        t.async_wait([&](boost::system::error_code) { fired = true; });
        ASSERT_TRUE(run_until(ioc, [&] { return fired; }));
    }

    int requests(const std::string& key) {
        const auto m = peer.token_requests();
        const auto it = m.find(key);
        return it == m.end() ? 0 : it->second;
    }
};

TEST_F(oauth_oidc, discovery_finds_the_endpoints_under_the_entra_shaped_issuer) {
    const auto ep = discover(delegated("mb"));
    EXPECT_EQ(ep.issuer, peer.issuer());
    EXPECT_EQ(ep.token_endpoint, peer.issuer() + "/token");
    ASSERT_TRUE(ep.device_authorization_endpoint);
    EXPECT_TRUE(ep.device_authorization_endpoint->starts_with(peer.issuer()));

    auto wrong = delegated("mb");
    wrong.tenant_id = "other-tenant";
    const auto url = discovery_url_of(wrong).value();
    auto e = run([&]() -> net::awaitable<result<oidc_endpoints>> {
        co_return co_await endpoints.async_get(url, net::use_awaitable);
    }());
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("HTTP 404"), std::string::npos) << e.error().message;
    EXPECT_NE(e.error().message.find("tenant_id"), std::string::npos) << e.error().message;
}

TEST_F(oauth_oidc, discovery_url_override_is_used) {
    auto s = delegated("mb");
    s.tenant_id = "not-used";
    s.discovery_url = peer.issuer() + "/.well-known/openid-configuration";
    EXPECT_EQ(discover(s).issuer, peer.issuer());
}

TEST_F(oauth_oidc, client_credentials_with_a_secret) {
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, app_secret("app"));
    const auto a = credentials(p);
    ASSERT_FALSE(a.failure) << a.failure->explanation;
    EXPECT_FALSE(a.token.empty());
    EXPECT_EQ(requests("client_credentials cc-secret"), 1);
    // The cached token is reused, not re-requested.
    EXPECT_EQ(credentials(p).token, a.token);
    EXPECT_EQ(requests("client_credentials cc-secret"), 1);
}

TEST_F(oauth_oidc, a_wrong_client_secret_is_a_configuration_error_that_names_the_secret) {
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, app_secret("app", "wrong"));
    const auto a = credentials(p);
    ASSERT_TRUE(a.failure);
    EXPECT_EQ(a.failure->kind, failure_kind::configuration);
    EXPECT_NE(a.failure->explanation.find("client secret"), std::string::npos) << a.failure->explanation;
    EXPECT_EQ(a.failure->explanation.find("wrong"), std::string::npos) << "the secret must not be echoed";
    // One app-only provider serves all the app's mailboxes: it names the app, not the mailbox that made it.
    EXPECT_NE(a.failure->explanation.find("app 'cc-secret' of tenant '" + peer.tenant() + "'"), std::string::npos)
        << a.failure->explanation;
    EXPECT_EQ(a.failure->explanation.find("mailbox 'app'"), std::string::npos) << a.failure->explanation;
}

TEST_F(oauth_oidc, token_requests_of_all_providers_add_up_in_the_shared_counts) {
    refresh_counts totals;
    provider_options o;
    o.totals = &totals;
    oauth_provider good(ioc.get_executor(), client, endpoints, nullptr, app_secret("good"), o);
    oauth_provider bad(ioc.get_executor(), client, endpoints, nullptr, app_secret("bad", "wrong"), o);
    EXPECT_FALSE(credentials(good).failure);
    EXPECT_FALSE(credentials(good).failure);  // cached: no request, nothing counted
    EXPECT_TRUE(credentials(bad).failure);
    EXPECT_EQ(totals.succeeded, 1u);
    EXPECT_EQ(totals.failed, 1u);
    EXPECT_EQ(good.stats().refreshed + bad.stats().refreshed, totals.succeeded);
    EXPECT_EQ(good.stats().failures + bad.stats().failures, totals.failed);
}

TEST_F(oauth_oidc, client_credentials_with_a_certificate_ps256) {
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, app_certificate("app"));
    const auto a = credentials(p);
    ASSERT_FALSE(a.failure) << a.failure->explanation;
    EXPECT_FALSE(a.token.empty());
    EXPECT_EQ(requests("client_credentials cc-jwt"), 1);
}

TEST_F(oauth_oidc, a_certificate_the_app_does_not_know_is_a_configuration_error) {
    testing::scratch_dir other;
    const auto wrong = test::make_test_certificate(other.path());
    auto s = app_certificate("app");
    s.certificate = wrong.cert;
    s.private_key = wrong.key;
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, s);
    const auto a = credentials(p);
    ASSERT_TRUE(a.failure);
    EXPECT_EQ(a.failure->kind, failure_kind::configuration) << a.failure->explanation;
}

TEST_F(oauth_oidc, device_code_sign_in_waits_for_the_user_and_honours_slow_down) {
    peer.slow_down(1);  // the first poll is told to slow down: the next comes 5 s later
    std::vector<std::string> notes;
    std::string prompt;
    sign_in_hooks hooks;
    hooks.prompt = [&](const std::string& t) { prompt = t; };
    hooks.note = [&](const std::string& t) { notes.push_back(t); };
    const auto started = std::chrono::steady_clock::now();
    const auto r = device_login(delegated("mb"), hooks, 2);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->tokens.refresh_token);
    EXPECT_NE(prompt.find(peer.issuer() + "/device"), std::string::npos) << prompt;
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("every 6 s"), std::string::npos) << notes[0];
    // Polls: slow_down (t=1 s), authorization_pending (t=7 s, user approves), success (t=13 s).
    EXPECT_EQ(peer.device_polls(), 3);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 12s);
}

TEST_F(oauth_oidc, device_code_sign_in_stops_when_the_user_declines) {
    const auto ep = discover(delegated("mb"));
    sign_in_hooks hooks;
    hooks.prompt = [&](const std::string& t) { peer.approve(test::user_code_in(t), true); };
    const auto r = run(device_code_sign_in(client, ep, delegated("mb"), 60s, hooks));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("declined"), std::string::npos) << r.error().message;
    EXPECT_EQ(peer.device_polls(), 1);
}

TEST_F(oauth_oidc, device_code_sign_in_gives_up_after_the_timeout) {
    const auto ep = discover(delegated("mb"));
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(device_code_sign_in(client, ep, delegated("mb"), 2s, {}));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not completed within 2 seconds"), std::string::npos) << r.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(oauth_oidc, browser_sign_in_with_pkce_on_a_loopback_redirect) {
    auto s = base("mb", "native-pkce");
    s.scope = std::string(delegated_scope);
    s.redirect_uri = "http://127.0.0.1/callback";  // no port: the listener takes any free one
    const auto ep = discover(s);
    std::thread browser;
    sign_in_hooks hooks;
    hooks.prompt = [&](const std::string& url) {
        // The "browser": follows every redirect (consent is auto-approved) to our listener.
        browser = std::thread([url] { test::browse(url); });
    };
    const auto r = run(browser_sign_in(client, ep, s, 30s, hooks));
    if (browser.joinable()) browser.join();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->tokens.refresh_token);
    EXPECT_EQ(requests("authorization_code native-pkce"), 1);
}

TEST_F(oauth_oidc, an_unregistered_redirect_uri_times_out_with_an_explanation) {
    auto s = base("mb", "native-pkce");
    s.scope = std::string(delegated_scope);
    s.redirect_uri = "http://127.0.0.1/not-registered";
    const auto ep = discover(s);
    std::thread browser;
    sign_in_hooks hooks;
    hooks.prompt = [&](const std::string& url) {
        // The server shows an error page instead of redirecting, as Entra does (AADSTS50011).
        browser = std::thread([url] { EXPECT_EQ(test::browse(url), 400); });
    };
    const auto r = run(browser_sign_in(client, ep, s, 3s, hooks));
    if (browser.joinable()) browser.join();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not completed within 3 seconds"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("AADSTS50011"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("http://127.0.0.1/not-registered"), std::string::npos) << r.error().message;
}

TEST_F(oauth_oidc, refresh_ahead_of_expiry_rotates_and_persists_the_refresh_token) {
    const auto s = delegated("mb");
    const auto first = signed_in_mailbox(s);
    oauth_provider p(ioc.get_executor(), client, endpoints, &store, s);

    // Ask for a token every 250 ms for 14 s: 5-second tokens, so 3+ refreshes.
    std::vector<std::string> seen;
    auto last_change = std::chrono::steady_clock::now();
    const auto until = last_change + 14s;
    while (std::chrono::steady_clock::now() < until) {
        const auto a = credentials(p);
        ASSERT_FALSE(a.failure) << a.failure->explanation;
        if (seen.empty() || seen.back() != a.token) {
            // A new token arrives before the old one (5 s) expired: refreshed ahead of expiry.
            EXPECT_LT(std::chrono::steady_clock::now() - last_change, 5s);
            last_change = std::chrono::steady_clock::now();
            seen.push_back(a.token);
        }
        sleep_on_loop(250ms);
    }
    EXPECT_GE(p.stats().refreshed, 3u);
    EXPECT_GE(seen.size(), 3u);

    const auto now_stored = store.load("mb").value().value();
    EXPECT_GT(now_stored.generation, first.generation + 2);
    EXPECT_NE(now_stored.refresh_token, first.refresh_token);
    // The store holds the live refresh token, and the first one was retired by rotation.
    EXPECT_EQ(peer.refresh_status("device-public", now_stored.refresh_token.reveal()), 200);
    EXPECT_EQ(peer.refresh_status("device-public", first.refresh_token.reveal()), 400);
}

TEST_F(oauth_oidc, a_restarted_daemon_uses_the_stored_access_token_without_a_request) {
    const auto s = delegated("mb");
    signed_in_mailbox(s);
    const int before = requests("refresh_token device-public");
    oauth_provider p(ioc.get_executor(), client, endpoints, &store, s);
    const auto a = credentials(p);
    ASSERT_FALSE(a.failure) << a.failure->explanation;
    EXPECT_EQ(a.token, store.load("mb").value()->access->token.reveal());
    EXPECT_EQ(requests("refresh_token device-public"), before);
}

TEST_F(oauth_oidc, concurrent_callers_share_one_token_request) {
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, app_secret("app"));
    std::vector<answer> answers(10);
    for (auto& a : answers) {
        p.async_credentials([&a](std::optional<credential_failure> f, http::auth creds) {
            a.failure = std::move(f);
            if (auto* b = std::get_if<http::bearer_auth>(&creds)) a.token = b->token;
            a.done = true;
        });
    }
    ASSERT_TRUE(run_until(ioc, [&] { return std::all_of(answers.begin(), answers.end(), [](auto& a) { return a.done; }); }));
    for (const auto& a : answers) {
        ASSERT_FALSE(a.failure);
        EXPECT_EQ(a.token, answers.front().token);
    }
    EXPECT_EQ(requests("client_credentials cc-secret"), 1);
    EXPECT_EQ(p.stats().token_requests, 1u);
}

TEST_F(oauth_oidc, a_revoked_grant_needs_login_for_that_mailbox_only) {
    const auto a_settings = delegated("alpha");
    const auto b_settings = delegated("beta");
    signed_in_mailbox(a_settings);
    signed_in_mailbox(b_settings);
    oauth_provider a(ioc.get_executor(), client, endpoints, &store, a_settings);
    oauth_provider b(ioc.get_executor(), client, endpoints, &store, b_settings);
    ASSERT_FALSE(credentials(a).failure);
    ASSERT_FALSE(credentials(b).failure);

    peer.revoke(store.load("alpha").value()->refresh_token.reveal());  // the user withdrew consent
    a.invalidate();  // as after an EWS 401: forces a refresh
    b.invalidate();
    const auto ra = credentials(a);
    ASSERT_TRUE(ra.failure);
    EXPECT_EQ(ra.failure->kind, failure_kind::interaction_required);
    EXPECT_NE(ra.failure->explanation.find("run `ewstrigd login alpha`"), std::string::npos) << ra.failure->explanation;
    EXPECT_TRUE(a.stats().needs_login);
    const auto rb = credentials(b);
    EXPECT_FALSE(rb.failure);

    // No further token requests for the mailbox that needs a login.
    const int before = requests("refresh_token device-public");
    EXPECT_TRUE(credentials(a).failure);
    EXPECT_EQ(requests("refresh_token device-public"), before);

    // A new sign-in (what `ewstrigd login alpha` writes) is picked up without a restart.
    signed_in_mailbox(a_settings);
    EXPECT_FALSE(credentials(a).failure);
}

TEST_F(oauth_oidc, throttling_and_server_errors_are_retried_after_the_delay) {
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, app_secret("app"));
    peer.fault(429, 2);
    const auto first = credentials(p);
    ASSERT_TRUE(first.failure);
    EXPECT_EQ(first.failure->kind, failure_kind::transient);
    ASSERT_TRUE(first.failure->retry_after);
    EXPECT_GE(*first.failure->retry_after, 2s);
    // Within the delay nobody asks the server again.
    const auto again = credentials(p);
    ASSERT_TRUE(again.failure);
    EXPECT_EQ(requests("client_credentials cc-secret"), 1);
    sleep_on_loop(std::chrono::duration_cast<std::chrono::milliseconds>(*again.failure->retry_after) + 50ms);

    peer.fault(503);
    const auto second = credentials(p);
    ASSERT_TRUE(second.failure);
    EXPECT_EQ(second.failure->kind, failure_kind::transient);
    sleep_on_loop(std::chrono::duration_cast<std::chrono::milliseconds>(second.failure->retry_after.value()) + 50ms);
    const auto ok = credentials(p);
    EXPECT_FALSE(ok.failure) << ok.failure->explanation;
    EXPECT_EQ(requests("client_credentials cc-secret"), 3);
}

TEST_F(oauth_oidc, a_hanging_token_endpoint_is_cut_off_by_the_timeout) {
    auto s = app_secret("app");
    s.request_timeout = 1s;
    oauth_provider p(ioc.get_executor(), client, endpoints, nullptr, s);
    peer.fault(200, {}, 1, 5000);
    const auto started = std::chrono::steady_clock::now();
    const auto a = credentials(p);
    ASSERT_TRUE(a.failure);
    EXPECT_EQ(a.failure->kind, failure_kind::transient);
    EXPECT_NE(a.failure->explanation.find("did not answer within 1 s"), std::string::npos) << a.failure->explanation;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

TEST_F(oauth_oidc, a_mailbox_that_never_signed_in_needs_login_without_a_request) {
    oauth_provider p(ioc.get_executor(), client, endpoints, &store, delegated("fresh"));
    const auto a = credentials(p);
    ASSERT_TRUE(a.failure);
    EXPECT_EQ(a.failure->kind, failure_kind::interaction_required);
    EXPECT_NE(a.failure->explanation.find("ewstrigd login fresh"), std::string::npos);
    EXPECT_TRUE(peer.token_requests().empty());
}

// `ewstrigd login` and `logout` as processes, as an admin runs them.
class oauth_cli : public oauth_oidc {
protected:
    std::filesystem::path config_file() {
        const auto path = dir.path() / "ewstrigd.yaml";
        std::ofstream(path) << "state_dir: " << (dir.path() / "state").string() << "\n"
                            << "mailboxes:\n"
                            << "  - id: invoices\n"
                            << "    address: invoices@contoso.test\n"
                            << "    auth: { kind: oauth-delegated, tenant_id: " << peer.tenant()
                            << ", client_id: device-public, authority: '" << peer.base() << "' }\n"
                            << "triggers: []\n";
        return path;
    }
    test::child_process ewstrigd(std::vector<std::string> args) {
        args.insert(args.begin(), EWSTRIGD_BINARY);
        return test::child_process(std::move(args));
    }
};

TEST_F(oauth_cli, login_with_a_device_code_stores_tokens_and_logout_deletes_them) {
    const auto cfg = config_file().string();
    auto login = ewstrigd({"login", "-c", cfg, "invoices"});
    std::string code;
    while (auto line = login.read_line(20s)) {
        if (!(code = test::user_code_in(*line)).empty()) break;
    }
    ASSERT_FALSE(code.empty()) << login.out() << login.err();
    peer.approve(code);
    ASSERT_EQ(login.wait(30s), 0) << login.out() << login.err();
    EXPECT_NE(login.out().find("Signed in: mailbox invoices"), std::string::npos) << login.out();
    const auto file = store.file_of("invoices");
    ASSERT_TRUE(std::filesystem::exists(file));
    EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(std::filesystem::status(file.parent_path()).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_all);
    const auto stored = store.load("invoices").value().value();
    // The daemon's provider can use what login stored.
    oauth_provider p(ioc.get_executor(), client, endpoints, &store, delegated("invoices"));
    // (settings differ only in the address; authority, tenant and client match)
    EXPECT_FALSE(credentials(p).failure);
    // Nothing printed contains a token.
    EXPECT_EQ(login.out().find(stored.refresh_token.reveal()), std::string::npos);
    EXPECT_EQ(login.err().find(stored.refresh_token.reveal()), std::string::npos);

    auto logout = ewstrigd({"logout", "-c", cfg, "invoices"});
    ASSERT_EQ(logout.wait(), 0) << logout.err();
    EXPECT_NE(logout.out().find("deleted the stored tokens of mailbox invoices"), std::string::npos) << logout.out();
    EXPECT_FALSE(std::filesystem::exists(file));
    auto again = ewstrigd({"logout", "-c", cfg, "invoices"});
    ASSERT_EQ(again.wait(), 0);
    EXPECT_NE(again.out().find("had no stored tokens"), std::string::npos) << again.out();
}

TEST_F(oauth_cli, login_times_out_with_a_clear_message) {
    const auto cfg = config_file().string();
    auto login = ewstrigd({"login", "-c", cfg, "invoices", "--timeout", "2"});
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(login.wait(30s), 5) << login.out() << login.err();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
    EXPECT_NE(login.err().find("not completed within 2 seconds"), std::string::npos) << login.err();
    EXPECT_FALSE(std::filesystem::exists(store.file_of("invoices")));
}

TEST_F(oauth_cli, login_refuses_an_unknown_mailbox) {
    auto login = ewstrigd({"login", "-c", config_file().string(), "nobody"});
    EXPECT_EQ(login.wait(), 2);
    EXPECT_NE(login.err().find("known ids: invoices"), std::string::npos) << login.err();
}

// `ewstrigd connect` against the EWS simulator (any Bearer token accepted)
// with tokens from the real OAuth server.
class oauth_connect : public oauth_cli {
protected:
    test::child_process sim{{EWS_SIM_BINARY, "--listen", "127.0.0.1:0", "--insecure-any-token"}};
    std::string sim_base = [this] {
        const auto line = sim.read_line(30s).value_or("");
        const auto at = line.find("http://");
        EXPECT_NE(at, std::string::npos) << line;
        return at == std::string::npos ? std::string() : line.substr(at);
    }();

    std::filesystem::path connect_config() {
        const auto path = dir.path() / "connect.yaml";
        std::ofstream(path) << "state_dir: " << (dir.path() / "state").string() << "\n"
                            << "mailboxes:\n"
                            << "  - id: support\n"
                            << "    address: support@contoso.test\n"
                            << "    ews_url: " << sim_base << "/EWS/Exchange.asmx\n"
                            << "    auth: { kind: oauth-app, tenant_id: " << peer.tenant()
                            << ", client_id: cc-secret, client_secret: cc-secret-value, authority: '" << peer.base()
                            << "' }\n"
                            << "  - id: invoices\n"
                            << "    address: invoices@contoso.test\n"
                            << "    ews_url: " << sim_base << "/EWS/Exchange.asmx\n"
                            << "    auth: { kind: oauth-delegated, tenant_id: " << peer.tenant()
                            << ", client_id: device-public, authority: '" << peer.base() << "' }\n"
                            << "triggers: []\n";
        return path;
    }
    void sim_admin(const std::string& path, const std::string& json) {
        const auto a = test::blocking_http("POST", sim_base + path, json);
        ASSERT_LT(a.status, 300) << a.body;
    }
};

TEST_F(oauth_connect, app_only_token_and_one_ews_call) {
    sim_admin("/admin/mailboxes/support@contoso.test/folders/inbox/messages",
              R"({"from":"a@supplier.example","to":"support@contoso.test","subject":"hello","body":"x"})");
    auto connect = ewstrigd({"connect", "-c", connect_config().string(), "support"});
    ASSERT_EQ(connect.wait(), 0) << connect.out() << connect.err();
    EXPECT_NE(connect.out().find("token acquired for support@contoso.test, expires in"), std::string::npos)
        << connect.out();
    EXPECT_NE(connect.out().find("EWS GetFolder inbox OK, 1 unread of 1 messages"), std::string::npos) << connect.out();
}

TEST_F(oauth_connect, a_401_from_ews_gets_one_new_token) {
    sim_admin("/admin/faults", R"({"kind":"unauthorized","count":1})");
    auto connect = ewstrigd({"connect", "-c", connect_config().string(), "support"});
    ASSERT_EQ(connect.wait(), 0) << connect.out() << connect.err();
    EXPECT_NE(connect.out().find("EWS rejected the token (HTTP 401)"), std::string::npos) << connect.out();
    EXPECT_NE(connect.out().find("EWS GetFolder inbox OK"), std::string::npos) << connect.out();
    EXPECT_EQ(requests("client_credentials cc-secret"), 2);
}

TEST_F(oauth_connect, a_403_is_explained_as_ews_being_disabled) {
    sim_admin("/admin/faults", R"({"kind":"http-status","status":403,"count":1})");
    auto connect = ewstrigd({"connect", "-c", connect_config().string(), "support"});
    EXPECT_EQ(connect.wait(), 5) << connect.out() << connect.err();
    EXPECT_NE(connect.err().find("EWS GetFolder inbox FAILED (HTTP 403)"), std::string::npos) << connect.err();
    EXPECT_NE(connect.err().find("allow"), std::string::npos) << connect.err();
}

TEST_F(oauth_connect, a_mailbox_without_sign_in_is_told_to_run_login) {
    auto connect = ewstrigd({"connect", "-c", connect_config().string(), "invoices"});
    EXPECT_EQ(connect.wait(), 5) << connect.out() << connect.err();
    EXPECT_NE(connect.err().find("run `ewstrigd login invoices`"), std::string::npos) << connect.err();
}

}  // namespace
}  // namespace ewstrigd::auth
