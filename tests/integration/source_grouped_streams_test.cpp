// Grouped streaming subscriptions end to end (source/stream_hub.hpp): the
// real `ewstrigd run` with 450 app-only (impersonation) mailboxes, the real
// OAuth server for their tokens, and ews-sim with two backend servers
// (--backends 2), which answers Subscribe with an X-BackEndOverrideCookie
// and knows on each GetStreamingEvents only the subscriptions of the server
// the cookie routes to. What an admin checks: a handful of streaming
// connections instead of 450, each mail fires once, and a mailbox Exchange
// moves to another server keeps firing.
#include "oauth_peer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int mailbox_count = 450;

std::string box(int i) {
    char id[16];
    std::snprintf(id, sizeof id, "box%03d", i);
    return id;
}

class grouped_streams : public ::testing::Test {
protected:
    testing::scratch_dir dir;
    oauth_peer peer{[] {
        peer_options o;
        o.access_ttl = 3600;
        return o;
    }()};
    // Frequent keep-alives: ews-sim notices a stream the daemon closed (a regrouping) only when writing to it.
    child_process sim{{EWS_SIM_BINARY, "--listen", "127.0.0.1:0", "--insecure-any-token", "--backends", "2",
                       "--keepalive-ms", "200"}};
    std::string sim_base = [this] {
        const auto line = sim.read_line(30s).value_or("");
        const auto at = line.find("http://");
        EXPECT_NE(at, std::string::npos) << line;
        return at == std::string::npos ? std::string() : line.substr(at);
    }();

    std::filesystem::path fired_file() const { return dir.path() / "fired.txt"; }

    std::string write_config() const {
        std::ostringstream y;
        y << "state_dir: " << (dir.path() / "state").string() << "\nlog: { level: warn }\nmailboxes:\n";
        for (int i = 0; i < mailbox_count; ++i) {
            y << "  - id: " << box(i) << "\n    address: " << box(i) << "@contoso.test\n    ews_url: " << sim_base
              << "/EWS/Exchange.asmx\n    auth: { kind: oauth-app, tenant_id: " << peer.tenant()
              << ", client_id: cc-secret, client_secret: cc-secret-value, authority: '" << peer.base() << "' }\n";
        }
        y << "triggers:\n";
        for (int i = 0; i < mailbox_count; ++i) {
            y << "  - name: fire-" << box(i) << "\n    mailbox: " << box(i)
              << "\n    when: { subject: { contains: hello } }\n"
              << "    actions:\n      - run: [\"/bin/sh\", \"-c\", \"echo \\\"$EWSTRIGD_MAILBOX $EWSTRIGD_SUBJECT\\\" >> "
              << fired_file().string() << "\"]\n";
        }
        return dir.write("ewstrigd.yaml", y.str()).string();
    }

    nlohmann::json stats() {
        const auto a = blocking_http("GET", sim_base + "/admin/stats");
        return a.status == 200 ? nlohmann::json::parse(a.body, nullptr, false) : nlohmann::json{};
    }
    int stat(const std::string& name) { return stats().value(name, -1); }

    std::string backend_of(const std::string& address) {
        const auto a = blocking_http("GET", sim_base + "/admin/mailboxes/" + address + "/backend");
        return a.status == 200 ? nlohmann::json::parse(a.body).value("backend", "") : "";
    }

    void deliver(const std::string& id, const std::string& subject) {
        const nlohmann::json mail{{"from", "a@supplier.example"}, {"to", id + "@contoso.test"}, {"subject", subject}};
        const auto a = blocking_http("POST", sim_base + "/admin/mailboxes/" + id + "@contoso.test/folders/inbox/messages",
                                     mail.dump());
        ASSERT_EQ(a.status, 201) << a.body;
    }

    std::multiset<std::string> fired() const {
        std::ifstream in(fired_file());
        std::multiset<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.insert(line);
        return lines;
    }

    // Waits (bounded) until `probe` has not changed for `quiet`: the daemon has
    // stopped doing what it counts. Unlike a fixed sleep, it waits longer
    // rather than judging too early on a slow machine.
    bool quiet_for(child_process& daemon, const std::function<nlohmann::json()>& probe, steady::duration quiet) {
        auto last = probe();
        auto changed_at = steady::now();
        return eventually(daemon, [&] {
            auto now = probe();
            if (now != last) {
                last = std::move(now);
                changed_at = steady::now();
                return false;
            }
            return steady::now() - changed_at >= quiet;
        });
    }

    nlohmann::json streams_opened() { return stats().value("streams_opened", -1); }

    // What a duplicate firing needs: another sync or fetch of the item, then another run.
    nlohmann::json item_work() {
        const auto ops = stats().value("requests_by_operation", nlohmann::json::object());
        return {ops.value("SyncFolderItems", 0), ops.value("GetItem", 0), fired().size()};
    }
};

TEST_F(grouped_streams, hundreds_of_app_only_mailboxes_share_a_few_connections_and_fire_once) {
    child_process daemon({EWSTRIGD_BINARY, "run", "-c", write_config()});
    // Every mailbox subscribed and its subscription carried: 2 backends, at most 200 a connection.
    ASSERT_TRUE(eventually(daemon, [&] {
        const auto s = stats();
        return s.value("subscriptions", 0) == mailbox_count && s.value("open_streaming_connections", 0) >= 2 &&
               s.value("open_streaming_connections", 0) <= 4;
    })) << stats().dump() << daemon.err();
    // Past the hub's join batching (0.5 s): nothing reconnects any more.
    ASSERT_TRUE(quiet_for(daemon, [&] { return streams_opened(); }, 1s)) << stats().dump() << daemon.err();
    const auto settled = stats();
    EXPECT_LE(settled.value("open_streaming_connections", 99), 4) << settled.dump();
    // Start-up joins were batched: a reconnect per group every 0.5 s at most while mailboxes keep joining,
    // not one per mailbox.
    EXPECT_LT(settled.value("streams_opened", 9999), 150) << settled.dump();

    const std::vector<std::string> targets{box(0), box(7), box(123), box(321), box(449)};
    for (const auto& id : targets) deliver(id, "hello " + id);
    ASSERT_TRUE(eventually(daemon, [&] { return fired().size() >= targets.size(); })) << daemon.err();
    ASSERT_TRUE(quiet_for(daemon, [&] { return item_work(); }, 500ms)) << stats().dump();  // a duplicate would show
    std::multiset<std::string> expected;
    for (const auto& id : targets) expected.insert(id + " hello " + id);
    EXPECT_EQ(fired(), expected);

    // Exchange moves box123 to the other server: its subscription is gone; it subscribes again there and
    // joins that server's group.
    const auto moved = box(123) + "@contoso.test";
    const auto from = backend_of(moved);
    const auto to = from == "mbx0.sim.example" ? "mbx1.sim.example" : "mbx0.sim.example";
    const auto a = blocking_http("POST", sim_base + "/admin/mailboxes/" + moved + "/backend",
                                 nlohmann::json{{"backend", to}}.dump());
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_TRUE(eventually(daemon, [&] { return stat("subscriptions") == mailbox_count; })) << daemon.err();
    deliver(box(123), "hello again");
    ASSERT_TRUE(eventually(daemon, [&] { return fired().count(box(123) + " hello again") == 1; }))
        << stats().dump() << daemon.err();
    ASSERT_TRUE(quiet_for(daemon, [&] { return item_work(); }, 500ms)) << stats().dump();
    EXPECT_EQ(fired().size(), targets.size() + 1);
    EXPECT_LE(stat("open_streaming_connections"), 4);

    // One mailbox refused on the shared connection: box000 (the first address, so the anchor whose
    // credentials its group's connection uses) gets 401 on GetStreamingEvents for a while. Only its
    // own listen fails; its neighbours on the same server reconnect under another anchor and fire.
    const auto anchor = box(0) + "@contoso.test";
    for (const auto& fault : {nlohmann::json{{"kind", "unauthorized"}, {"mailbox", anchor},
                                             {"operation", "GetStreamingEvents"}, {"count", 6}},
                              nlohmann::json{{"kind", "drop-streams"}, {"mailbox", anchor}}}) {
        const auto f = blocking_http("POST", sim_base + "/admin/faults", fault.dump());
        ASSERT_EQ(f.status, 201) << f.body;
    }
    ASSERT_TRUE(eventually(daemon, [&] { return stat("unauthorized") >= 2; })) << stats().dump() << daemon.err();
    std::string neighbour;
    for (int i = 1; i < mailbox_count && neighbour.empty(); ++i) {
        if (backend_of(box(i) + "@contoso.test") == backend_of(anchor)) neighbour = box(i);
    }
    ASSERT_FALSE(neighbour.empty());
    deliver(neighbour, "hello neighbour");
    ASSERT_TRUE(eventually(daemon, [&] { return fired().count(neighbour + " hello neighbour") == 1; }))
        << stats().dump() << daemon.err();
    std::istringstream log(daemon.err());
    std::vector<std::string> others_failed;
    for (std::string line; std::getline(log, line);) {
        if (line.find("doorbell failed") != std::string::npos && line.find("mailbox=" + box(0) + " ") == std::string::npos)
            others_failed.push_back(line);
    }
    EXPECT_EQ(others_failed, std::vector<std::string>{}) << "only the refused mailbox's listen may fail";

    ::kill(daemon.pid(), SIGTERM);
    EXPECT_EQ(daemon.wait(30s), 0) << daemon.err();
}

}  // namespace
}  // namespace ewstrigd::test
