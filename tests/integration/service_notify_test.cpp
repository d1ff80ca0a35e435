// sd_notify protocol and watchdog cadence, against a datagram socket the test
// creates itself (what systemd does), with the environment injected.
#include "service/notifier.hpp"

#include "run_until.hpp"

#include <boost/asio/local/datagram_protocol.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <map>

namespace net = boost::asio;
using dgram = net::local::datagram_protocol;
using ewstrigd::service::notifier;
using namespace std::chrono_literals;

namespace {

ewstrigd::service::env_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        const auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// Collects every datagram arriving on a socket bound at `where`.
struct listener {
    listener(net::io_context& ioc, const std::string& where) : socket(ioc, dgram::endpoint(where)) { receive(); }
    void receive() {
        socket.async_receive(net::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
            if (ec) return;
            messages.emplace_back(buf.data(), n);
            receive();
        });
    }
    dgram::socket socket;
    std::array<char, 4096> buf{};
    std::vector<std::string> messages;
};

class service_notify : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ewstrigd-notify-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path() const { return (dir_ / "notify").string(); }

    net::io_context ioc_;
    std::filesystem::path dir_;
};

}  // namespace

TEST_F(service_notify, lifecycle_messages_arrive_in_order) {
    listener l(ioc_, path());
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", path()}}));
    ASSERT_TRUE(n.enabled());
    EXPECT_FALSE(n.watchdog_interval());
    EXPECT_FALSE(n.ready());
    EXPECT_FALSE(n.status("2/3 mailboxes connected\nREADY=1"));
    EXPECT_FALSE(n.reloading());
    EXPECT_FALSE(n.ready());
    EXPECT_FALSE(n.stopping());
    ASSERT_TRUE(ewstrigd::test::run_until(ioc_, [&] { return l.messages.size() >= 5; }, 20s));
    EXPECT_EQ(l.messages[0], "READY=1");
    // A newline in the text must not smuggle in another assignment.
    EXPECT_EQ(l.messages[1], "STATUS=2/3 mailboxes connected READY=1");
    EXPECT_TRUE(l.messages[2].starts_with("RELOADING=1\nMONOTONIC_USEC=")) << l.messages[2];
    const auto usec = l.messages[2].substr(l.messages[2].find('=', 12) + 1);
    EXPECT_FALSE(usec.empty());
    EXPECT_EQ(usec.find_first_not_of("0123456789"), std::string::npos) << usec;
    EXPECT_EQ(l.messages[3], "READY=1");
    EXPECT_EQ(l.messages[4], "STOPPING=1");
}

TEST_F(service_notify, abstract_namespace_socket) {
    const std::string name = "ewstrigd-test-" + std::to_string(::getpid());
    listener l(ioc_, std::string(1, '\0') + name);
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", "@" + name}}));
    ASSERT_TRUE(n.enabled());
    EXPECT_FALSE(n.ready());
    ASSERT_TRUE(ewstrigd::test::run_until(ioc_, [&] { return !l.messages.empty(); }, 20s));
    EXPECT_EQ(l.messages[0], "READY=1");
}

TEST_F(service_notify, watchdog_keep_alives_come_at_half_the_interval) {
    listener l(ioc_, path());
    // WATCHDOG_USEC 200 ms -> a keep-alive every 100 ms.
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", path()}, {"WATCHDOG_USEC", "200000"},
                             {"WATCHDOG_PID", std::to_string(::getpid())}}));
    ASSERT_EQ(n.watchdog_interval(), std::chrono::microseconds(100000));
    n.start_watchdog();
    n.start_watchdog();  // idempotent: still one timer
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(ewstrigd::test::run_until(ioc_, [&] { return l.messages.size() >= 3; }, 30s));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    for (const auto& m : l.messages) EXPECT_EQ(m, "WATCHDOG=1");
    // Lower bound only (a loaded machine may be slower, never faster): three
    // keep-alives cannot arrive before ~3 intervals; one timer, not two.
    EXPECT_GE(elapsed, 290ms);
    n.stop_watchdog();
    const auto count = l.messages.size();
    // After stop the loop runs out of work: no timer is left behind.
    ioc_.restart();
    ioc_.run_for(300ms);
    EXPECT_EQ(l.messages.size(), count);
}

TEST_F(service_notify, keep_alive_cadence_in_a_window) {
    listener l(ioc_, path());
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", path()}, {"WATCHDOG_USEC", "100000"}}));  // every 50 ms
    n.start_watchdog();
    // Let 6 intervals pass; a healthy loop sends about 6, a loaded one fewer.
    net::steady_timer window(ioc_, 300ms);
    bool over = false;
    window.async_wait([&](boost::system::error_code) { over = true; });
    ASSERT_TRUE(ewstrigd::test::run_until(ioc_, [&] { return over; }, 30s));
    EXPECT_GE(l.messages.size(), 2u);
    EXPECT_LE(l.messages.size(), 7u);
    n.stop_watchdog();
}

TEST_F(service_notify, watchdog_for_another_pid_is_ignored) {
    listener l(ioc_, path());
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", path()}, {"WATCHDOG_USEC", "100000"}, {"WATCHDOG_PID", "1"}}));
    EXPECT_FALSE(n.watchdog_interval());
    n.start_watchdog();
    EXPECT_FALSE(n.ready());
    ASSERT_TRUE(ewstrigd::test::run_until(ioc_, [&] { return !l.messages.empty(); }, 20s));
    ioc_.restart();
    ioc_.run_for(200ms);
    ASSERT_EQ(l.messages.size(), 1u);
    EXPECT_EQ(l.messages[0], "READY=1");
}

TEST_F(service_notify, without_notify_socket_everything_is_a_no_op) {
    notifier n(ioc_, env_of({{"WATCHDOG_USEC", "100000"}}));
    EXPECT_FALSE(n.enabled());
    EXPECT_FALSE(n.ready());
    EXPECT_FALSE(n.stopping());
    n.start_watchdog();
    EXPECT_EQ(ioc_.poll(), 0u);  // no timer was armed
}

TEST_F(service_notify, unusable_values_disable_notification_or_watchdog) {
    EXPECT_FALSE(notifier(ioc_, env_of({{"NOTIFY_SOCKET", "vsock:2:1234"}})).enabled());
    EXPECT_FALSE(notifier(ioc_, env_of({{"NOTIFY_SOCKET", ""}})).enabled());
    EXPECT_FALSE(notifier(ioc_, env_of({{"NOTIFY_SOCKET", "/" + std::string(200, 'x')}})).enabled());
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", path()}, {"WATCHDOG_USEC", "12abc"}}));
    EXPECT_TRUE(n.enabled());
    EXPECT_FALSE(n.watchdog_interval());
}

TEST_F(service_notify, a_vanished_socket_is_an_error_not_a_crash) {
    notifier n(ioc_, env_of({{"NOTIFY_SOCKET", path()}}));  // nobody listens there
    EXPECT_TRUE(n.ready());
    EXPECT_TRUE(n.ready());
}
