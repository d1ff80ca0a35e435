// `ewstrigd run` as systemd and a monitoring system see it, end to end: the
// real daemon binary against the real ews-sim binary, with metrics.listen on
// a free loopback port and NOTIFY_SOCKET pointing at a datagram socket this
// test owns. Checks READY/STATUS/RELOADING/STOPPING, /healthz, /metrics and
// `ewstrigd status`, as an operator would. Every wait polls with a deadline.
#include "oauth_peer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr const char* user = "user0@example.com";

// The receiving end of sd_notify: an AF_UNIX datagram socket at `path`.
class notify_socket {
public:
    explicit notify_socket(const std::filesystem::path& path) : path_(path.string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        EXPECT_LT(path_.size(), sizeof addr.sun_path);
        path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    }
    ~notify_socket() { ::close(fd_); }
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;

    const std::string& path() const { return path_; }

    // Datagrams until one contains `needle`; that one, or nullopt at the deadline.
    std::optional<std::string> wait_for(const std::string& needle, steady::duration limit = 30s) {
        const auto deadline = steady::now() + limit;
        while (steady::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) continue;
            std::string msg(buf, static_cast<std::size_t>(n));
            received_.push_back(msg);
            if (msg.find(needle) != std::string::npos) return msg;
        }
        return std::nullopt;
    }
    const std::vector<std::string>& received() const { return received_; }

private:
    std::string path_;
    int fd_ = -1;
    std::vector<std::string> received_;
};

unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// The value of one sample line "NAME{LABELS} VALUE" in Prometheus text; nullopt when absent.
std::optional<double> sample(const std::string& metrics, const std::string& series) {
    std::istringstream in(metrics);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(series + ' ', 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
}

class service_run : public ::testing::Test {
protected:
    testing::scratch_dir dir;
    std::optional<child_process> sim;
    std::string sim_base;
    unsigned short port = free_port();
    std::string base = "http://127.0.0.1:" + std::to_string(port);
    notify_socket notify{dir.path() / "notify.sock"};

    void SetUp() override {
        // --minute-ms 100: a 30-"minute" streaming connection ends after 3 s, so
        // the daemon comes back to the server often (and meets injected faults).
        sim.emplace(std::vector<std::string>{EWS_SIM_BINARY, "--listen", "127.0.0.1:0", "--user",
                                             std::string(user) + ":secret", "--minute-ms", "100"});
        const auto line = sim->read_line(30s).value_or("");
        const auto at = line.find("http://");
        ASSERT_NE(at, std::string::npos) << line;
        sim_base = line.substr(at);
    }

    std::string write_config() {
        std::ostringstream y;
        y << "state_dir: " << (dir.path() / "state").string() << "\n"
          << "log: { level: info }\n"
          << "metrics: { listen: \"127.0.0.1:" << port << "\" }\n"
          << "mailboxes:\n"
          << "  - id: invoices\n    address: " << user << "\n    ews_url: " << sim_base << "/EWS/Exchange.asmx\n"
          << "    auth: { kind: basic, username: " << user << ", password: secret }\n"
          << "    watch: { folders: [inbox], mode: streaming }\n"
          << "triggers:\n"
          << "  - name: note-invoice\n    mailbox: invoices\n    when: { subject: { contains: invoice } }\n"
          << "    actions:\n      - log: \"invoice mail: {{subject}}\"\n";
        return dir.write("ewstrigd.yaml", y.str()).string();
    }

    // The daemon with NOTIFY_SOCKET (and a 400 ms watchdog) set for it alone:
    // env(1) execs it, so the pid is the daemon's.
    child_process start_daemon(const std::string& cfg) {
        return child_process({"env", "NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=400000", EWSTRIGD_BINARY,
                              "run", "-c", cfg});
    }

    // Polls `done` every 50 ms, draining the daemon's stderr so its pipe never fills.
    http_answer get(const std::string& path) const { return blocking_http("GET", base + path); }

    void deliver(const std::string& subject) {
        const nlohmann::json mail{{"from", "a@supplier.example"}, {"to", user}, {"subject", subject}, {"body", "x"}};
        const auto a = blocking_http("POST", sim_base + "/admin/mailboxes/" + user + "/folders/inbox/messages",
                                     mail.dump());
        ASSERT_EQ(a.status, 201) << a.body;
    }
};

TEST_F(service_run, tells_systemd_serves_health_and_metrics_and_stops_cleanly) {
    const auto cfg = write_config();
    auto daemon = start_daemon(cfg);

    // READY=1 once config and state are loaded (before Exchange answers), then the first STATUS=.
    ASSERT_TRUE(notify.wait_for("READY=1")) << daemon.err();
    const auto status = notify.wait_for("STATUS=");
    ASSERT_TRUE(status) << daemon.err();
    EXPECT_TRUE(std::regex_search(*status, std::regex("STATUS=[01]/1 mailboxes connected"))) << *status;

    // Watchdog keep-alives every WATCHDOG_USEC/2 from the loop.
    ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 5s)) << daemon.err();
    ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 5s)) << daemon.err();

    ASSERT_TRUE(eventually(daemon, [&] { return get("/healthz").status == 200; })) << daemon.err();
    EXPECT_EQ(nlohmann::json::parse(get("/healthz").body), (nlohmann::json{{"status", "ok"}, {"mailboxes", 1}}));
    ASSERT_TRUE(notify.wait_for("STATUS=1/1 mailboxes connected", 10s)) << daemon.err();

    // Delivered mail fires the log action for the two that match; /metrics counts it all.
    deliver("invoice 42");
    deliver("lunch on Friday?");
    deliver("invoice 43");
    std::string metrics;
    ASSERT_TRUE(eventually(daemon, [&] {
        metrics = get("/metrics").body;
        return sample(metrics, R"(ewstrigd_actions_total{type="log",outcome="success"})") == 2.0 &&
               sample(metrics, "ewstrigd_items_seen_total") == 3.0;
    })) << metrics << daemon.err();
    EXPECT_EQ(sample(metrics, R"(ewstrigd_mailboxes{state="connected"})"), 1.0) << metrics;
    EXPECT_EQ(sample(metrics, R"(ewstrigd_mailboxes{state="failed"})"), 0.0) << metrics;
    EXPECT_GE(sample(metrics, "ewstrigd_notifications_total").value_or(0), 1.0) << metrics;
    EXPECT_GE(sample(metrics, R"(ewstrigd_syncs_total{outcome="proceed"})").value_or(0), 2.0) << metrics;
    EXPECT_EQ(sample(metrics, R"(ewstrigd_items_matched_total{trigger="note-invoice"})"), 2.0) << metrics;
    EXPECT_EQ(sample(metrics, "ewstrigd_actions_enqueued_total"), 2.0) << metrics;
    // Each sync page was recorded by some transaction: at least the one with the matching mail.
    EXPECT_GE(sample(metrics, "ewstrigd_sync_commits_total").value_or(0), 1.0) << metrics;
    // One latency per action run, each well within the last finite bucket.
    EXPECT_EQ(sample(metrics, "ewstrigd_event_to_action_seconds_count"), 2.0) << metrics;
    EXPECT_EQ(sample(metrics, R"(ewstrigd_event_to_action_seconds_bucket{le="60"})"), 2.0) << metrics;
    EXPECT_LT(sample(metrics, "ewstrigd_event_to_action_seconds_sum").value_or(-1), 10.0) << metrics;
    // Basic auth: no token service ran, both outcomes are shown at 0.
    EXPECT_EQ(sample(metrics, R"(ewstrigd_token_refreshes_total{outcome="success"})"), 0.0) << metrics;
    EXPECT_EQ(sample(metrics, R"(ewstrigd_token_refreshes_total{outcome="failure"})"), 0.0) << metrics;
    EXPECT_GE(sample(metrics, "ewstrigd_backoff_seconds_total").value_or(-1), 0.0) << metrics;
    EXPECT_EQ(sample(metrics, "ewstrigd_outbox_depth"), 0.0) << metrics;
    EXPECT_EQ(sample(metrics, "ewstrigd_outbox_dead_letters"), 0.0) << metrics;
    EXPECT_NE(daemon.err().find("invoice mail: invoice 42"), std::string::npos) << daemon.err();

    // `ewstrigd status` finds the daemon through the same config.
    {
        child_process cli({EWSTRIGD_BINARY, "status", "-c", cfg});
        ASSERT_EQ(cli.wait(30s), 0) << cli.out() << cli.err();
        EXPECT_TRUE(std::regex_search(cli.out(), std::regex(R"(\ninvoices +connected +0 +\d{4}-\d\d-\d\dT)")))
            << cli.out();
        EXPECT_NE(cli.out().find("1 mailbox, all healthy"), std::string::npos) << cli.out();
    }

    // SIGHUP: RELOADING=1, then READY=1 again, counted as applied.
    ::kill(daemon.pid(), SIGHUP);
    ASSERT_TRUE(notify.wait_for("RELOADING=1", 10s)) << daemon.err();
    ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << daemon.err();
    EXPECT_EQ(sample(get("/metrics").body, R"(ewstrigd_reloads_total{outcome="applied"})"), 1.0);

    // Exchange starts rejecting the credentials: /healthz says 503 and names the mailbox.
    const auto fault = blocking_http("POST", sim_base + "/admin/faults",
                                     nlohmann::json{{"kind", "unauthorized"}, {"count", 100000}}.dump());
    ASSERT_LT(fault.status, 300) << fault.body;
    deliver("ring the doorbell");  // a sync now meets the fault too
    http_answer health;
    ASSERT_TRUE(eventually(daemon, [&] { return (health = get("/healthz")).status == 503; })) << daemon.err();
    const auto failing = nlohmann::json::parse(health.body);
    EXPECT_EQ(failing.at("status"), "failing");
    EXPECT_EQ(failing.at("failing").at(0).at("mailbox"), "invoices") << health.body;
    // The failures are counted by code, and the mailbox was told to wait. A
    // 401 makes the source ask its credentials again; a basic password that
    // Exchange keeps refusing is a configuration problem, counted as such.
    metrics = get("/metrics").body;
    EXPECT_GE(sample(metrics, R"(ewstrigd_ews_errors_total{code="credentials:configuration"})").value_or(0), 1.0)
        << metrics;
    EXPECT_GT(sample(metrics, "ewstrigd_backoff_seconds_total").value_or(0), 0.0) << metrics;

    // SIGTERM: STOPPING=1, then no keep-alive any more, and exit 0.
    ::kill(daemon.pid(), SIGTERM);
    ASSERT_TRUE(notify.wait_for("STOPPING=1", 10s)) << daemon.err();
    EXPECT_EQ(daemon.wait(40s), 0) << daemon.err();
    const auto& all = notify.received();
    const auto stopping = std::find_if(all.begin(), all.end(), [](const std::string& m) {
        return m.find("STOPPING=1") != std::string::npos;
    });
    EXPECT_TRUE(std::none_of(stopping, all.end(), [](const std::string& m) {
        return m.find("WATCHDOG=1") != std::string::npos;
    }));
}

TEST_F(service_run, healthz_names_the_mailbox_when_exchange_goes_away) {
    auto daemon = start_daemon(write_config());
    ASSERT_TRUE(eventually(daemon, [&] { return get("/healthz").status == 200; })) << daemon.err();
    sim->terminate();
    http_answer health;
    ASSERT_TRUE(eventually(daemon, [&] { return (health = get("/healthz")).status == 503; })) << daemon.err();
    EXPECT_EQ(nlohmann::json::parse(health.body).at("failing").at(0).at("mailbox"), "invoices") << health.body;
    ::kill(daemon.pid(), SIGTERM);
    EXPECT_EQ(daemon.wait(40s), 0) << daemon.err();
}

TEST_F(service_run, a_metrics_listen_address_in_use_fails_the_start_with_a_message) {
    // Something else holds the port: the daemon must say so, not run unobservable.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    auto daemon = start_daemon(write_config());
    EXPECT_EQ(daemon.wait(30s), 1) << daemon.err();
    EXPECT_NE(daemon.err().find("metrics.listen 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << daemon.err();
    EXPECT_FALSE(notify.wait_for("READY=1", 1s));
    ::close(fd);
}

}  // namespace
}  // namespace ewstrigd::test
