// What `run` reports per mailbox and where each shard listens (cli/daemon_reporting.hpp).
#include "cli/daemon_reporting.hpp"

#include <gtest/gtest.h>

#include <string>

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

// The Prometheus line "SERIES VALUE" is in `text`.
::testing::AssertionResult has_sample(const std::string& text, const std::string& series, const std::string& value) {
    if (text.find('\n' + series + ' ' + value + '\n') != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no line '" << series << ' ' << value << "' in\n" << text;
}

TEST(cli_daemon_reporting, watch_and_token_totals_become_counters_that_never_go_back) {
    service::metrics::registry r;
    service::daemon_metrics m(r);
    watch::watch_totals w;
    w.notifications = 4;
    w.syncs[ews::next_step::proceed] = 3;
    w.syncs[ews::next_step::retry_after] = 1;
    w.items_seen = 5;
    w.items_matched["invoice"] = 2;
    w.actions_enqueued = 4;
    w.count_error("ErrorServerBusy");
    w.backoff = std::chrono::milliseconds(7500);
    auth::refresh_counts tokens{3, 1};
    feed_metrics(w, m);
    feed_metrics(tokens, m);
    auto text = r.expose();
    EXPECT_TRUE(has_sample(text, "ewstrigd_notifications_total", "4"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_syncs_total{outcome="proceed"})", "3"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_syncs_total{outcome="retry_after"})", "1"));
    EXPECT_TRUE(has_sample(text, "ewstrigd_items_seen_total", "5"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_items_matched_total{trigger="invoice"})", "2"));
    EXPECT_TRUE(has_sample(text, "ewstrigd_actions_enqueued_total", "4"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_ews_errors_total{code="ErrorServerBusy"})", "1"));
    EXPECT_TRUE(has_sample(text, "ewstrigd_backoff_seconds_total", "7.5"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_token_refreshes_total{outcome="success"})", "3"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_token_refreshes_total{outcome="failure"})", "1"));

    w.notifications = 6;
    feed_metrics(w, m);
    feed_metrics(auth::refresh_counts{}, m);  // e.g. totals read from a fresh object: the counters stay
    text = r.expose();
    EXPECT_TRUE(has_sample(text, "ewstrigd_notifications_total", "6"));
    EXPECT_TRUE(has_sample(text, R"(ewstrigd_token_refreshes_total{outcome="success"})", "3"));
}

}  // namespace
}  // namespace ewstrigd::cli
