// `ewstrigd status` against the real health server, running on its own
// thread (the command runs its own blocking loop on the test thread).
#include "cli/commands.hpp"
#include "service/health_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

namespace net = boost::asio;
namespace svc = ewstrigd::service;
using tcp = net::ip::tcp;

namespace {

class service_status_command : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ewstrigd-status-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        if (thread_.joinable()) {
            net::post(ioc_, [this] { server_->stop(); });
            guard_.reset();
            thread_.join();
        }
        std::filesystem::remove_all(dir_);
    }
    unsigned short start_server() {
        svc::health_options o;
        o.endpoint = tcp::endpoint(net::ip::make_address("127.0.0.1"), 0);
        o.version = "0.1.0";
        server_ = std::make_unique<svc::health_server>(ioc_, registry_, [this] { return rows_; }, o);
        server_->start();
        thread_ = std::thread([this] { ioc_.run(); });
        return server_->local_endpoint().port();
    }
    std::filesystem::path config(const std::string& text) {
        const auto p = dir_ / "ewstrigd.yaml";
        std::ofstream(p) << text;
        return p;
    }
    int status(ewstrigd::cli::status_args a) { return ewstrigd::cli::status_command(a, out_, err_); }

    std::vector<svc::mailbox_health> rows_{
        {"invoices", "connected", std::chrono::system_clock::from_time_t(1795881845), "", 3},
        {"support", "failed", std::nullopt, "ErrorAccessDenied: EWS is disabled for this mailbox", 0}};
    net::io_context ioc_;
    net::executor_work_guard<net::io_context::executor_type> guard_{ioc_.get_executor()};
    svc::metrics::registry registry_;
    std::unique_ptr<svc::health_server> server_;
    std::thread thread_;
    std::filesystem::path dir_;
    std::ostringstream out_, err_;
};

}  // namespace

TEST_F(service_status_command, prints_a_table_of_every_mailbox) {
    const auto port = start_server();
    const auto cfg = config("metrics: { listen: \"127.0.0.1:" + std::to_string(port) + "\" }\n");
    ASSERT_EQ(status({cfg, std::nullopt, false}), 0) << err_.str();
    EXPECT_EQ(out_.str(),
              "MAILBOX   STATE      OUTBOX  LAST EVENT            LAST ERROR\n"
              "invoices  connected  3       2026-11-28T16:04:05Z  -\n"
              "support   failed     0       -                     ErrorAccessDenied: EWS is disabled for this mailbox\n"
              "2 mailboxes, NOT all healthy\n");
}

TEST_F(service_status_command, json_is_the_daemons_document) {
    const auto port = start_server();
    ASSERT_EQ(status({dir_ / "unused.yaml", "127.0.0.1:" + std::to_string(port), true}), 0) << err_.str();
    const auto j = nlohmann::json::parse(out_.str());
    EXPECT_EQ(j["mailboxes"].size(), 2u);
    EXPECT_EQ(j["mailboxes"][1]["last_error"], "ErrorAccessDenied: EWS is disabled for this mailbox");
}

TEST_F(service_status_command, a_daemon_that_is_not_running_is_a_clear_error) {
    // A port that was just free: nothing listens there now.
    unsigned short port = 0;
    {
        net::io_context tmp;
        tcp::acceptor a(tmp, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        port = a.local_endpoint().port();
    }
    const auto cfg = config("metrics:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n");
    EXPECT_EQ(status({cfg, std::nullopt, false}), 7);
    EXPECT_NE(err_.str().find("cannot reach the daemon at http://127.0.0.1:" + std::to_string(port) + "/status.json"),
              std::string::npos)
        << err_.str();
    EXPECT_TRUE(out_.str().empty());
}

TEST_F(service_status_command, metrics_disabled_in_the_config) {
    EXPECT_EQ(status({config("state_dir: /tmp\n"), std::nullopt, false}), 8);
    EXPECT_NE(err_.str().find("metrics.listen is not set"), std::string::npos) << err_.str();
}

TEST_F(service_status_command, unreadable_or_broken_config_names_the_file) {
    EXPECT_EQ(status({dir_ / "missing.yaml", std::nullopt, false}), 1);
    EXPECT_NE(err_.str().find("missing.yaml"), std::string::npos) << err_.str();
    err_.str("");
    EXPECT_EQ(status({config("metrics: [\n"), std::nullopt, false}), 1);
    EXPECT_NE(err_.str().find("ewstrigd.yaml:"), std::string::npos) << err_.str();
    err_.str("");
    EXPECT_EQ(status({config("metrics: { listen: nowhere }\n"), std::nullopt, false}), 1);
    EXPECT_NE(err_.str().find("'nowhere' is not HOST:PORT"), std::string::npos) << err_.str();
}

TEST_F(service_status_command, the_subcommand_is_wired_into_the_cli) {
    const auto port = start_server();
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const char* argv[] = {"ewstrigd", "status", "--listen", listen.c_str(), "--json"};
    EXPECT_EQ(ewstrigd::cli::run_cli(5, argv, out_, err_), 0) << err_.str();
    EXPECT_EQ(nlohmann::json::parse(out_.str())["mailboxes"].size(), 2u);
}
