#include "service/daemon_metrics.hpp"
#include "service/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace m = ewstrigd::service::metrics;

TEST(service_metrics, counter_and_gauge_exposition_is_exact) {
    m::registry r;
    auto& req = r.add_counter("app_requests_total", "Requests by code.", {"code", "method"});
    auto& temp = r.add_gauge("app_temperature", "Temperature.");
    req.with({"200", "get"}).inc();
    req.with({"200", "get"}).inc(2);
    req.with({"500", "post"}).inc();
    temp.get().set(-1.5);
    EXPECT_EQ(r.expose(),
              "# HELP app_requests_total Requests by code.\n"
              "# TYPE app_requests_total counter\n"
              "app_requests_total{code=\"200\",method=\"get\"} 3\n"
              "app_requests_total{code=\"500\",method=\"post\"} 1\n"
              "# HELP app_temperature Temperature.\n"
              "# TYPE app_temperature gauge\n"
              "app_temperature -1.5\n");
}

TEST(service_metrics, unlabelled_family_shows_zero_and_labelled_family_only_used_sets) {
    m::registry r;
    r.add_counter("a_total", "A.");
    r.add_counter("b_total", "B.", {"kind"});
    EXPECT_EQ(r.expose(),
              "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"
              "# HELP b_total B.\n# TYPE b_total counter\n");
}

TEST(service_metrics, label_values_and_help_are_escaped) {
    m::registry r;
    auto& c = r.add_counter("x_total", "Line one\nback\\slash.", {"v"});
    c.with({"a\"b\\c\nd"}).inc();
    EXPECT_EQ(r.expose(),
              "# HELP x_total Line one\\nback\\\\slash.\n"
              "# TYPE x_total counter\n"
              "x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(service_metrics, histogram_has_cumulative_buckets_inf_sum_and_count) {
    m::registry r;
    auto& h = r.add_histogram("lat_seconds", "Latency.", {0.1, 1, 10}, {"type"});
    auto& run = h.with({"run"});
    run.observe(0.05);
    run.observe(0.1);  // le is inclusive
    run.observe(2);
    run.observe(100);
    EXPECT_EQ(r.expose(),
              "# HELP lat_seconds Latency.\n"
              "# TYPE lat_seconds histogram\n"
              "lat_seconds_bucket{type=\"run\",le=\"0.1\"} 2\n"
              "lat_seconds_bucket{type=\"run\",le=\"1\"} 2\n"
              "lat_seconds_bucket{type=\"run\",le=\"10\"} 3\n"
              "lat_seconds_bucket{type=\"run\",le=\"+Inf\"} 4\n"
              "lat_seconds_sum{type=\"run\"} 102.15\n"
              "lat_seconds_count{type=\"run\"} 4\n");
}

TEST(service_metrics, unlabelled_histogram_starts_at_zero) {
    m::registry r;
    r.add_histogram("h", "H.", {1});
    EXPECT_EQ(r.expose(),
              "# HELP h H.\n# TYPE h histogram\n"
              "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(service_metrics, counters_never_decrease_and_gauges_move_both_ways) {
    m::registry r;
    auto& c = r.add_counter("c_total", "C.").get();
    c.inc(2);
    c.inc(-5);
    EXPECT_EQ(c.value(), 2);
    auto& g = r.add_gauge("g", "G.").get();
    g.inc(3);
    g.dec();
    EXPECT_EQ(g.value(), 2);
}

TEST(service_metrics, special_values_use_prometheus_spelling) {
    EXPECT_EQ(m::format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(m::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(m::format_value(std::nan("")), "NaN");
    EXPECT_EQ(m::format_value(0.25), "0.25");
    EXPECT_EQ(m::format_value(1e21), "1e+21");
}

TEST(service_metrics, collect_hooks_run_before_exposition) {
    m::registry r;
    auto& g = r.add_gauge("depth", "D.");
    int calls = 0;
    r.on_collect([&] { g.get().set(++calls); });
    EXPECT_NE(r.expose().find("depth 1\n"), std::string::npos);
    EXPECT_NE(r.expose().find("depth 2\n"), std::string::npos);
}

TEST(service_metrics, registration_mistakes_are_rejected) {
    m::registry r;
    r.add_counter("ok_total", "Ok.", {"a"});
    EXPECT_THROW(r.add_counter("ok_total", "Again."), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("9bad", "Bad."), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("bad-name", "Bad."), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("g", "G.", {"__reserved"}), std::invalid_argument);
    EXPECT_THROW(r.add_histogram("h", "H.", {1}, {"le"}), std::invalid_argument);
    EXPECT_THROW(r.add_histogram("h2", "H.", {2, 1}), std::invalid_argument);
    EXPECT_THROW(r.add_counter("wrong_total", "W.", {"a", "b"}).with({"x"}), std::invalid_argument);
}

TEST(service_metrics, daemon_metrics_define_every_documented_family_once) {
    m::registry r;
    ewstrigd::service::daemon_metrics dm(r);
    dm.actions.with({"run", "success"}).inc();
    const std::string text = r.expose();
    for (const char* name :
         {"ewstrigd_mailboxes", "ewstrigd_notifications_total", "ewstrigd_syncs_total", "ewstrigd_items_seen_total",
          "ewstrigd_items_matched_total", "ewstrigd_actions_enqueued_total", "ewstrigd_actions_total",
          "ewstrigd_event_to_action_seconds", "ewstrigd_outbox_depth", "ewstrigd_outbox_dead_letters",
          "ewstrigd_token_refreshes_total", "ewstrigd_ews_errors_total", "ewstrigd_backoff_seconds_total",
          "ewstrigd_sync_commits_total", "ewstrigd_reloads_total"}) {
        EXPECT_NE(text.find(std::string("# TYPE ") + name + ' '), std::string::npos) << name;
    }
    EXPECT_NE(text.find("ewstrigd_actions_total{type=\"run\",outcome=\"success\"} 1\n"), std::string::npos);
    // Token refresh failures are alerted on: both outcomes exist before the first refresh.
    EXPECT_NE(text.find("ewstrigd_token_refreshes_total{outcome=\"success\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("ewstrigd_token_refreshes_total{outcome=\"failure\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("ewstrigd_event_to_action_seconds_count 0\n"), std::string::npos) << text;
}

TEST(service_metrics, event_to_action_buckets_resolve_1_ms_to_60_s) {
    const auto& b = ewstrigd::service::event_to_action_buckets();
    ASSERT_FALSE(b.empty());
    EXPECT_EQ(b.front(), 0.001);
    EXPECT_EQ(b.back(), 60.0);
    for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LE(b[i] / b[i - 1], 3.0) << b[i];  // no decade in one bucket
}

TEST(service_metrics, advance_to_follows_a_running_total_and_never_goes_back) {
    m::counter c;
    ewstrigd::service::advance_to(c, 3);
    ewstrigd::service::advance_to(c, 5);
    EXPECT_EQ(c.value(), 5);
    ewstrigd::service::advance_to(c, 2);
    EXPECT_EQ(c.value(), 5);
}
