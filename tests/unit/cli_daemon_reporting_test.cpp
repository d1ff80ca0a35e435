// What `run` reports per mailbox and where each shard listens (cli/daemon_reporting.hpp).
#include "cli/daemon_reporting.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::cli {
namespace {

TEST(cli_daemon_reporting, shard_k_listens_on_the_configured_port_plus_k) {
    EXPECT_FALSE(health_endpoint_for("", {}));
    EXPECT_EQ(health_endpoint_for("127.0.0.1:9464", {0, 4})->port(), 9464);
    EXPECT_EQ(health_endpoint_for("127.0.0.1:9464", {3, 4})->port(), 9467);
    EXPECT_EQ(health_endpoint_for("[::1]:9464", {1, 2})->address().to_string(), "::1");
    EXPECT_EQ(health_endpoint_for("127.0.0.1:0", {2, 4})->port(), 0);  // the kernel picks, per shard
    EXPECT_THROW(health_endpoint_for("127.0.0.1:65535", {1, 2}), std::invalid_argument);
    EXPECT_THROW(health_endpoint_for("not an address", {}), std::invalid_argument);
}

TEST(cli_daemon_reporting, health_rows_use_the_metric_state_names_and_keep_the_error) {
    watch::mailbox_status s;
    s.mailbox = "invoices";
    s.state = watch::connection_state::backing_off;
    s.last_error = "ErrorServerBusy: try later";
    const auto row = health_row(s, 3);
    EXPECT_EQ(row.id, "invoices");
    EXPECT_EQ(row.state, "backing_off");
    EXPECT_EQ(row.last_error, "ErrorServerBusy: try later");
    EXPECT_EQ(row.outbox_pending, 3u);
    EXPECT_FALSE(service::is_healthy_state(row.state));
    s.state = watch::connection_state::connected;
    EXPECT_TRUE(service::is_healthy_state(health_row(s, 0).state));
}

}  // namespace
}  // namespace ewstrigd::cli
