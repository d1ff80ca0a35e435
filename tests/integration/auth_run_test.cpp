// `ewstrigd run` with OAuth mailboxes, end to end, as an admin runs it: the
// real daemon binary, the real OAuth server (tests/oauth-peer/server.mjs,
// 5-second JWT access tokens, rotating refresh tokens) and the real ews-sim,
// which verifies each Bearer token against the server's JWKS, issuer and
// audience, as Exchange Online does. A trigger's `run` action appends one
// line per firing to a file.
#include "auth/token_store.hpp"

#include "oauth_peer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace ewstrigd::auth {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

class oauth_run : public ::testing::Test {
protected:
    testing::scratch_dir dir;
    test::test_certificate cert = test::make_test_certificate(dir.path());  // next to the config file
    test::oauth_peer peer{[this] {
        test::peer_options o;
        o.cert = cert.cert;
        o.jwt_access_tokens = true;  // access tokens ews-sim can verify
        return o;
    }()};
    std::string jwks_uri = [this] {
        const auto discovery = test::blocking_http("GET", peer.issuer() + "/.well-known/openid-configuration");
        EXPECT_EQ(discovery.status, 200) << discovery.body;
        return nlohmann::json::parse(discovery.body, nullptr, false).value("jwks_uri", "");
    }();
    // Bearer tokens must be JWTs of the peer, for Exchange Online's audience; Basic for the on-premises user.
    test::child_process sim{{EWS_SIM_BINARY, "--listen", "127.0.0.1:0", "--jwks-url", jwks_uri, "--issuer",
                             peer.issuer(), "--audience", "https://outlook.office365.com", "--user", "hr@corp.test:pw"}};
    std::string sim_base = [this] {
        const auto line = sim.read_line(30s).value_or("");
        const auto at = line.find("http://");
        EXPECT_NE(at, std::string::npos) << line;
        return at == std::string::npos ? std::string() : line.substr(at);
    }();
    token_store store{dir.path() / "state"};

    std::filesystem::path fired_file() const { return dir.path() / "fired.txt"; }

    // One mailbox entry of the config; `auth` is the flow map of its auth section.
    std::string mailbox(const std::string& id, const std::string& address, const std::string& auth,
                        const std::string& watch = "{ folders: [inbox], mode: streaming }") const {
        return "  - id: " + id + "\n    address: " + address + "\n    ews_url: " + sim_base +
               "/EWS/Exchange.asmx\n    auth: " + auth + "\n    watch: " + watch + "\n";
    }
    std::string oauth_app_auth() const {
        return "{ kind: oauth-app, tenant_id: " + peer.tenant() +
               ", client_id: cc-secret, client_secret: cc-secret-value, authority: '" + peer.base() + "' }";
    }
    std::string oauth_app_certificate_auth() const {
        return "{ kind: oauth-app, tenant_id: " + peer.tenant() + ", client_id: cc-jwt, certificate: " +
               cert.cert.filename().string() + ", private_key: " + cert.key.filename().string() + ", authority: '" +
               peer.base() + "' }";
    }
    std::string delegated_auth() const {
        return "{ kind: oauth-delegated, tenant_id: " + peer.tenant() + ", client_id: device-public, authority: '" +
               peer.base() + "' }";
    }

    // The config file: `mailboxes` entries, and per mailbox id a trigger whose
    // action appends "<mailbox> <subject>" to fired_file().
    std::string write_config(const std::string& mailboxes, const std::vector<std::string>& triggered) {
        std::ostringstream y;
        y << "state_dir: " << (dir.path() / "state").string() << "\n"
          << "log: { level: info }\n"
          << "mailboxes:\n"
          << mailboxes << "triggers:\n";
        for (const auto& id : triggered) {
            y << "  - name: fire-" << id << "\n    mailbox: " << id << "\n    when: { subject: { contains: hello } }\n"
              << "    actions:\n      - run: [\"/bin/sh\", \"-c\", \"echo \\\"$EWSTRIGD_MAILBOX $EWSTRIGD_SUBJECT\\\" >> "
              << fired_file().string() << "\"]\n";
        }
        return dir.write("ewstrigd.yaml", y.str()).string();
    }

    test::child_process ewstrigd(std::vector<std::string> args) {
        args.insert(args.begin(), EWSTRIGD_BINARY);
        return test::child_process(std::move(args));
    }

    std::vector<std::string> fired() const {
        std::ifstream in(fired_file());
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }

    int sim_stat(const std::string& name) {
        const auto a = test::blocking_http("GET", sim_base + "/admin/stats");
        if (a.status != 200) return -1;
        return nlohmann::json::parse(a.body).value(name, -1);
    }
    int open_streams() { return sim_stat("open_streaming_connections"); }

    void deliver(const std::string& address, const std::string& subject) {
        const nlohmann::json mail{{"from", "a@supplier.example"}, {"to", address}, {"subject", subject}, {"body", "x"}};
        const auto a =
            test::blocking_http("POST", sim_base + "/admin/mailboxes/" + address + "/folders/inbox/messages", mail.dump());
        ASSERT_EQ(a.status, 201) << a.body;
    }

    int requests(const std::string& key) {
        const auto m = peer.token_requests();
        const auto it = m.find(key);
        return it == m.end() ? 0 : it->second;
    }

    // SIGTERM, as systemd stops it: the daemon exits 0.
    static void stop(test::child_process& daemon) {
        ::kill(daemon.pid(), SIGTERM);
        EXPECT_EQ(daemon.wait(30s), 0) << daemon.err();
    }

    // Two mails to mailbox `id` (address id@contoso.test) fire its trigger
    // once each; by the time the second fired, a duplicate of the first would
    // have shown. Stops the daemon.
    void expect_each_mail_fires_once(test::child_process& daemon, const std::string& id) {
        deliver(id + "@contoso.test", "hello 1");
        ASSERT_TRUE(eventually(daemon, [&] { return !fired().empty(); })) << daemon.err();
        deliver(id + "@contoso.test", "hello 2");
        ASSERT_TRUE(eventually(daemon, [&] { return fired().size() >= 2; })) << daemon.err();
        stop(daemon);
        EXPECT_EQ(fired(), (std::vector<std::string>{id + " hello 1", id + " hello 2"}));
        EXPECT_TRUE(lines_with(daemon.err(), {"mailbox=" + id, " failed ("}).empty()) << daemon.err();
        EXPECT_EQ(sim_stat("unauthorized"), 0);  // every token the daemon sent passed ews-sim's JWT check
    }

    // The lines of `log` that contain every one of `parts`.
    static std::vector<std::string> lines_with(const std::string& log, const std::vector<std::string>& parts) {
        std::vector<std::string> out;
        std::istringstream in(log);
        for (std::string line; std::getline(in, line);) {
            if (std::all_of(parts.begin(), parts.end(),
                             [&](const std::string& p) { return line.find(p) != std::string::npos; }))
                out.push_back(line);
        }
        return out;
    }
};

TEST_F(oauth_run, an_app_only_mailbox_gets_a_token_and_fires_once_per_mail) {
    const auto cfg = write_config(mailbox("support", "support@contoso.test", oauth_app_auth()), {"support"});
    auto daemon = ewstrigd({"run", "-c", cfg});
    ASSERT_TRUE(eventually(daemon, [&] { return open_streams() >= 1; })) << daemon.err();
    EXPECT_GE(requests("client_credentials cc-secret"), 1);
    expect_each_mail_fires_once(daemon, "support");
}

TEST_F(oauth_run, an_app_only_mailbox_signs_with_a_certificate_named_relative_to_the_config_file) {
    const auto cfg = write_config(mailbox("support", "support@contoso.test", oauth_app_certificate_auth()), {"support"});
    auto daemon = ewstrigd({"run", "-c", cfg});  // its working directory is not the config's
    ASSERT_TRUE(eventually(daemon, [&] { return open_streams() >= 1; })) << daemon.err();
    EXPECT_GE(requests("client_credentials cc-jwt"), 1);
    expect_each_mail_fires_once(daemon, "support");
}

TEST_F(oauth_run, app_only_mailboxes_of_one_app_share_one_token_and_another_app_gets_its_own) {
    const auto cfg = write_config(mailbox("support", "support@contoso.test", oauth_app_auth()) +
                                      mailbox("sales", "sales@contoso.test", oauth_app_auth()) +
                                      mailbox("billing", "billing@contoso.test", oauth_app_auth()) +
                                      mailbox("legal", "legal@contoso.test", oauth_app_certificate_auth()),
                                  {"support", "sales", "billing", "legal"});
    auto daemon = ewstrigd({"run", "-c", cfg});
    // Each mailbox subscribed with a token (app-only mailboxes share streams, so count subscriptions).
    ASSERT_TRUE(eventually(daemon, [&] { return sim_stat("subscriptions") >= 4 && open_streams() >= 1; }))
        << daemon.err();
    // Taken before the 5-second tokens are due for renewal (80 % of their lifetime).
    EXPECT_EQ(requests("client_credentials cc-secret"), 1);
    EXPECT_EQ(requests("client_credentials cc-jwt"), 1);
    for (const std::string id : {"support", "sales", "billing", "legal"}) deliver(id + "@contoso.test", "hello " + id);
    ASSERT_TRUE(eventually(daemon, [&] { return fired().size() >= 4; })) << daemon.err();
    stop(daemon);
    auto lines = fired();
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (std::vector<std::string>{"billing hello billing", "legal hello legal", "sales hello sales",
                                               "support hello support"}));
    EXPECT_EQ(sim_stat("unauthorized"), 0);
}

TEST_F(oauth_run, a_reload_moves_a_mailbox_whose_app_changed_to_the_token_of_its_new_app) {
    const auto both = [&](const std::string& sales_auth) {
        return write_config(mailbox("support", "support@contoso.test", oauth_app_auth()) +
                                mailbox("sales", "sales@contoso.test", sales_auth),
                            {"support", "sales"});
    };
    const auto cfg = both(oauth_app_auth());
    auto daemon = ewstrigd({"run", "-c", cfg});
    ASSERT_TRUE(eventually(daemon, [&] { return sim_stat("subscriptions") >= 2; })) << daemon.err();
    EXPECT_EQ(requests("client_credentials cc-jwt"), 0);

    both(oauth_app_certificate_auth());
    ::kill(daemon.pid(), SIGHUP);
    ASSERT_TRUE(eventually(daemon, [&] { return requests("client_credentials cc-jwt") == 1; })) << daemon.err();
    ASSERT_TRUE(eventually(daemon, [&] { return !lines_with(daemon.err(), {"reloaded"}).empty(); })) << daemon.err();
    deliver("sales@contoso.test", "hello sales");
    deliver("support@contoso.test", "hello support");
    ASSERT_TRUE(eventually(daemon, [&] { return fired().size() >= 2; })) << daemon.err();
    stop(daemon);
    auto lines = fired();
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (std::vector<std::string>{"sales hello sales", "support hello support"}));
    EXPECT_EQ(sim_stat("unauthorized"), 0);
}

TEST_F(oauth_run, a_delegated_mailbox_after_login_refreshes_and_persists_the_rotated_refresh_token) {
    // Poll every second, so the daemon asks for credentials often enough to
    // see the 5-second tokens expire several times.
    const auto cfg = write_config(mailbox("invoices", "invoices@contoso.test", delegated_auth(),
                                          "{ folders: [inbox], mode: poll, poll_interval: 1s }"),
                                  {"invoices"});
    auto login = ewstrigd({"login", "-c", cfg, "invoices"});
    std::string code;
    while (auto line = login.read_line(20s)) {
        if (!(code = test::user_code_in(*line)).empty()) break;
    }
    ASSERT_FALSE(code.empty()) << login.out() << login.err();
    peer.approve(code);
    ASSERT_EQ(login.wait(30s), 0) << login.out() << login.err();
    const auto signed_in = store.load("invoices").value().value();
    const int refreshes_before = requests("refresh_token device-public");

    auto daemon = ewstrigd({"run", "-c", cfg});
    // Two refreshes: the daemon outlived two access tokens without a new sign-in.
    ASSERT_TRUE(eventually(daemon, [&] { return requests("refresh_token device-public") >= refreshes_before + 2; }))
        << daemon.err();
    deliver("invoices@contoso.test", "hello delegated");
    ASSERT_TRUE(eventually(daemon, [&] { return !fired().empty(); })) << daemon.err();
    stop(daemon);
    EXPECT_EQ(fired(), std::vector<std::string>{"invoices hello delegated"});
    EXPECT_EQ(sim_stat("unauthorized"), 0);

    const auto now_stored = store.load("invoices").value().value();
    EXPECT_GE(now_stored.generation, signed_in.generation + 2);
    EXPECT_NE(now_stored.refresh_token, signed_in.refresh_token);
    const auto log = daemon.err();
    EXPECT_TRUE(lines_with(log, {"mailbox=invoices", " failed ("}).empty()) << log;
    EXPECT_EQ(log.find(now_stored.refresh_token.reveal()), std::string::npos);
    EXPECT_EQ(log.find(now_stored.access.value().token.reveal()), std::string::npos);
    // The store holds the live refresh token; the one login stored was retired by rotation.
    EXPECT_EQ(peer.refresh_status("device-public", now_stored.refresh_token.reveal()), 200);
    EXPECT_EQ(peer.refresh_status("device-public", signed_in.refresh_token.reveal()), 400);
}

TEST_F(oauth_run, a_delegated_mailbox_without_login_fails_alone_with_the_login_hint) {
    const auto cfg = write_config(
        mailbox("invoices", "invoices@contoso.test", delegated_auth()) +
            mailbox("hr", "hr@corp.test", "{ kind: basic, username: hr@corp.test, password: pw }"),
        {"invoices", "hr"});
    auto daemon = ewstrigd({"run", "-c", cfg});
    // A permanent failure of this mailbox, retried after 15 minutes, that tells the admin what to do.
    const std::vector<std::string> hint{"mailbox=invoices", "failed (permanent)",
                                        "needs a new sign-in: nobody has signed in for it yet",
                                        "run `ewstrigd login invoices`", "retrying in 900000 ms"};
    ASSERT_TRUE(eventually(daemon, [&] { return !lines_with(daemon.err(), hint).empty(); })) << daemon.err();

    // The basic mailbox in the same daemon runs on.
    ASSERT_TRUE(eventually(daemon, [&] { return open_streams() >= 1; })) << daemon.err();
    deliver("hr@corp.test", "hello hr");
    deliver("invoices@contoso.test", "hello invoices");
    ASSERT_TRUE(eventually(daemon, [&] { return !fired().empty(); })) << daemon.err();
    stop(daemon);
    EXPECT_EQ(fired(), std::vector<std::string>{"hr hello hr"});
    // Failed, not spinning: one report per loop of the mailbox (doorbell and
    // the inbox's sync), then the 15-minute wait; no token request was sent.
    const auto log = daemon.err();
    EXPECT_LE(lines_with(log, {"mailbox=invoices", " failed ("}).size(), 2u) << log;
    EXPECT_EQ(requests("refresh_token device-public"), 0);
    EXPECT_FALSE(std::filesystem::exists(store.file_of("invoices")));
}

}  // namespace
}  // namespace ewstrigd::auth
