// ews_source end to end: real libcurl against the EWS simulator (ews-sim's
// server in-process on its own thread and io_context, 127.0.0.1 only).
// Mail is delivered and faults injected through the simulator's admin API.

#include "auth/static_credentials.hpp"
#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"
#include "http_server.hpp"
#include "run_until.hpp"
#include "source/ews_source.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* user = "user0@example.com";

// Basic credentials that survive a 401 (as a token provider would by
// refreshing), to see the source's own retry.
class refreshing_credentials final : public auth::credential_provider {
public:
    explicit refreshing_credentials(net::io_context& ioc) : ioc_(ioc) {}
    void invalidate() override { ++invalidated; }
    unsigned invalidated = 0;

private:
    void async_credentials_impl(net::any_completion_handler<auth::credentials_signature> h) override {
        net::post(ioc_, [h = std::move(h)]() mutable {
            std::move(h)(std::nullopt, http::auth{http::basic_auth{user, "secret"}});
        });
    }
    net::io_context& ioc_;
};

class source_sim_test : public ::testing::Test {
protected:
    source_sim_test() {
        sim::options opts;
        opts.auth.users[user] = "secret";
        opts.keepalive = 200ms;
        opts.minute = 1500ms;  // ConnectionTimeout 1 "minute" below: Closed after 1.5 s
        sim_ = std::make_unique<sim::server>(sim_ioc_, opts);
        port_ = sim_->listen();
        sim_thread_ = std::thread([this] { sim_ioc_.run(); });

        mailbox.id = "user0";
        mailbox.address = user;
        mailbox.ews_url = base() + "/EWS/Exchange.asmx";
        mailbox.auth.edit().kind = config::auth_kind::basic;
        mailbox.auth.edit().username = user;
        mailbox.auth.edit().password = config::secret{"secret"};
        options.connection_timeout = 1min;
        options.stream_idle = 10s;
    }

    ~source_sim_test() override {
        source_.reset();
        net::post(sim_ioc_, [this] { sim_->stop(); });
        sim_thread_.join();
    }

    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

    ews_source& source(auth::credential_provider* credentials = nullptr) {
        if (!source_) {
            static_credentials_ = std::make_unique<auth::static_credentials>(ioc.get_executor(), *mailbox.auth);
            source_ = std::make_unique<ews_source>(ioc.get_executor(), mailbox, client,
                                                   credentials ? *credentials : *static_credentials_,
                                                   ews::request_context{}, options);
        }
        return *source_;
    }

    http::response admin(http::method m, const std::string& path, std::string body = {}) {
        http::request req;
        req.method = m;
        req.url = base() + path;
        req.body = std::move(body);
        if (!req.body.empty()) req.headers.push_back({"Content-Type", "application/json"});
        req.timeouts.total = 20s;
        std::optional<http::response> got;
        client.async_send(std::move(req), [&](boost::system::error_code ec, http::response res) {
            EXPECT_FALSE(ec) << path << ": " << ec.message();
            got = std::move(res);
        });
        EXPECT_TRUE(test::run_until(ioc, [&] { return got.has_value(); }));
        return got.value_or(http::response{});
    }

    std::string deliver(const std::string& subject, const std::string& folder = "inbox") {
        const json msg{{"from", "billing@supplier.example"},
                       {"to", json::array({user})},
                       {"subject", subject},
                       {"body", "see attached"},
                       {"attachments", json::array({{{"name", "invoice-42.pdf"},
                                                     {"content_type", "application/pdf"},
                                                     {"content_base64", "JVBERi0xLjQK"}}})}};
        const auto res = admin(http::method::post, "/admin/mailboxes/" + std::string{user} + "/folders/" + folder + "/messages",
                               msg.dump());
        EXPECT_EQ(res.status, 201u) << res.body;
        return json::parse(res.body, nullptr, false).value("item_id", "");
    }

    json listing(const std::string& folder) {
        const auto res = admin(http::method::get, "/admin/mailboxes/" + std::string{user} + "/folders/" + folder + "/messages");
        EXPECT_EQ(res.status, 200u) << res.body;
        return json::parse(res.body, nullptr, false);
    }

    void fault(const json& f) {
        const auto res = admin(http::method::post, "/admin/faults", f.dump());
        EXPECT_LT(res.status, 300u) << res.body;
    }

    json stats() { return json::parse(admin(http::method::get, "/admin/stats").body, nullptr, false); }

    void wait_for_open_stream() {
        ASSERT_TRUE(test::run_until(ioc, [&] { return stats().value("open_streaming_connections", 0) >= 1; }, 20s));
    }

    void start_listen(std::vector<std::string> folders = {"inbox"}) {
        listened.reset();
        source().async_listen(std::move(folders), [this](const std::string& f) { rings.push_back(f); },
                              net::bind_cancellation_slot(cancel.slot(), [this](outcome o) { listened = std::move(o); }));
    }

    outcome await_listen() {
        EXPECT_TRUE(test::run_until(ioc, [&] { return listened.has_value(); }, 20s));
        return listened.value_or(outcome{ews::next_step::permanent, {}, "lost", "listen never completed"});
    }

    std::pair<outcome, folder_changes> sync(const std::string& folder, std::optional<std::string> state) {
        std::optional<std::pair<outcome, folder_changes>> got;
        source().async_sync(folder, std::move(state), [&](outcome o, folder_changes c) { got.emplace(std::move(o), std::move(c)); });
        EXPECT_TRUE(test::run_until(ioc, [&] { return got.has_value(); }, 20s));
        return got.value_or(std::pair{outcome{ews::next_step::permanent, {}, "lost", "lost"}, folder_changes{}});
    }

    outcome done(const std::function<void(std::function<void(outcome)>)>& start) {
        std::optional<outcome> got;
        start([&](outcome o) { got = std::move(o); });
        EXPECT_TRUE(test::run_until(ioc, [&] { return got.has_value(); }, 20s));
        return got.value_or(outcome{ews::next_step::permanent, {}, "lost", "lost"});
    }

    config::mailbox_config mailbox;
    ews_source_options options;
    net::io_context ioc;
    http::curl_multi multi{ioc};
    http::curl_client client{multi};
    net::cancellation_signal cancel;
    std::vector<std::string> rings;
    std::optional<outcome> listened;

private:
    net::io_context sim_ioc_;
    std::unique_ptr<sim::server> sim_;
    std::uint16_t port_ = 0;
    std::thread sim_thread_;
    std::unique_ptr<auth::static_credentials> static_credentials_;
    std::unique_ptr<ews_source> source_;
};

TEST_F(source_sim_test, new_mail_rings_then_sync_fetch_mark_read_and_move) {
    start_listen();
    ASSERT_TRUE(test::run_until(ioc, [&] { return rings.size() == 1; }, 20s));  // the new subscription's ring
    wait_for_open_stream();
    const auto id = deliver("Invoice 42");
    ASSERT_TRUE(test::run_until(ioc, [&] { return rings.size() >= 2; }, 20s)) << "no ring for the new mail";
    EXPECT_EQ(rings[1], "inbox");

    const auto [synced, changes] = sync("inbox", std::nullopt);
    ASSERT_EQ(synced.step, ews::next_step::proceed) << synced.reason;
    EXPECT_FALSE(changes.sync_state.empty());
    ASSERT_EQ(changes.created, std::vector<std::string>{id});

    std::optional<outcome> fetched;
    std::vector<match::message> messages;
    message_fields fields;
    fields.attachments = true;
    source().async_fetch(changes.created, fields, "inbox", [&](outcome o, std::vector<match::message> m) {
        fetched = std::move(o);
        messages = std::move(m);
    });
    ASSERT_TRUE(test::run_until(ioc, [&] { return fetched.has_value(); }, 20s));
    ASSERT_EQ(fetched->step, ews::next_step::proceed) << fetched->reason;
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].subject, "Invoice 42");
    EXPECT_EQ(messages[0].from.email, "billing@supplier.example");
    ASSERT_EQ(messages[0].attachments.size(), 1u);
    EXPECT_EQ(messages[0].attachments[0].name, "invoice-42.pdf");
    EXPECT_FALSE(messages[0].is_read);
    EXPECT_EQ(messages[0].folder, "inbox");

    std::optional<std::string> mime;
    source().async_fetch_mime(id, [&](outcome o, std::string bytes) {
        EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
        mime = std::move(bytes);
    });
    ASSERT_TRUE(test::run_until(ioc, [&] { return mime.has_value(); }, 20s));
    EXPECT_NE(mime->find("Invoice 42"), std::string::npos);

    EXPECT_EQ(done([&](auto h) { source().async_mark_read(id, true, h); }).step, ews::next_step::proceed);
    const auto inbox = listing("inbox");
    ASSERT_EQ(inbox.size(), 1u);
    EXPECT_TRUE(inbox[0].value("is_read", false));

    const auto moved = done([&](auto h) { source().async_move(id, "Inbox/Processed", true, h); });
    ASSERT_EQ(moved.step, ews::next_step::proceed) << moved.reason;
    const auto processed = listing("Processed");
    ASSERT_EQ(processed.size(), 1u);
    EXPECT_EQ(processed[0].value("subject", ""), "Invoice 42");
    EXPECT_TRUE(listing("inbox").empty());

    // A missing move target without `create` is permanent, and so is a gone item.
    EXPECT_EQ(done([&](auto h) { source().async_move(id, "Inbox/Nowhere", false, h); }).step, ews::next_step::permanent);
    EXPECT_EQ(done([&](auto h) { source().async_move(id, "Inbox/Processed", false, h); }).step, ews::next_step::permanent);

    cancel.emit(net::cancellation_type::terminal);
    const auto o = await_listen();
    EXPECT_EQ(o.step, ews::next_step::transient);
    EXPECT_EQ(o.code, "cancelled");
}

TEST_F(source_sim_test, the_stream_ends_with_closed_and_the_subscription_is_reused) {
    start_listen();
    const auto first = await_listen();  // Closed after one (short) ConnectionTimeout minute
    EXPECT_EQ(first.step, ews::next_step::proceed) << first.reason;
    start_listen();
    const auto second = await_listen();
    EXPECT_EQ(second.step, ews::next_step::proceed) << second.reason;
    const auto s = stats();
    EXPECT_EQ(s["requests_by_operation"].value("Subscribe", 0), 1);
    EXPECT_EQ(s["requests_by_operation"].value("GetStreamingEvents", 0), 2);
    EXPECT_EQ(rings, std::vector<std::string>{"inbox"});
}

TEST_F(source_sim_test, a_dropped_stream_is_transient_and_keeps_the_subscription) {
    start_listen();
    wait_for_open_stream();
    fault({{"kind", "drop-streams"}});
    const auto o = await_listen();
    EXPECT_EQ(o.step, ews::next_step::transient) << o.code << ": " << o.reason;
    ASSERT_TRUE(source().subscription_id());
}

TEST_F(source_sim_test, expired_subscriptions_mean_resubscribe_and_a_ring_after_it) {
    start_listen();
    wait_for_open_stream();
    fault({{"kind", "expire-subscriptions"}});
    const auto o = await_listen();
    EXPECT_EQ(o.step, ews::next_step::resubscribe) << o.code << ": " << o.reason;
    EXPECT_FALSE(source().subscription_id());

    rings.clear();
    start_listen();
    ASSERT_TRUE(test::run_until(ioc, [&] { return !rings.empty(); }, 20s));
    EXPECT_EQ(rings, std::vector<std::string>{"inbox"});
    EXPECT_TRUE(source().subscription_id());
    cancel.emit(net::cancellation_type::terminal);
    await_listen();
}

TEST_F(source_sim_test, invalidated_sync_states_mean_resync) {
    deliver("one");
    const auto [first, changes] = sync("inbox", std::nullopt);
    ASSERT_EQ(first.step, ews::next_step::proceed) << first.reason;
    fault({{"kind", "invalidate-sync-states"}});
    const auto [second, none] = sync("inbox", changes.sync_state);
    EXPECT_EQ(second.step, ews::next_step::resync) << second.code;
    const auto [full, again] = sync("inbox", std::nullopt);
    EXPECT_EQ(full.step, ews::next_step::proceed);
    EXPECT_EQ(again.created.size(), 1u);
}

TEST_F(source_sim_test, server_busy_means_retry_after_the_back_off) {
    fault({{"kind", "server-busy"}, {"backoff_ms", 4321}});
    const auto [o, changes] = sync("inbox", std::nullopt);
    EXPECT_EQ(o.step, ews::next_step::retry_after);
    EXPECT_EQ(o.delay, 4321ms);
    EXPECT_EQ(o.code, "ErrorServerBusy");
}

TEST_F(source_sim_test, unauthorized_once_is_retried_with_fresh_credentials) {
    refreshing_credentials credentials{ioc};
    source(&credentials);
    fault({{"kind", "unauthorized"}, {"count", 1}});
    const auto [o, changes] = sync("inbox", std::nullopt);
    EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
    EXPECT_EQ(credentials.invalidated, 1u);
    EXPECT_EQ(stats().value("unauthorized", 0), 1);
}

TEST_F(source_sim_test, unauthorized_with_a_password_stops_the_mailbox) {
    fault({{"kind", "unauthorized"}, {"count", 5}});
    const auto [o, changes] = sync("inbox", std::nullopt);
    EXPECT_EQ(o.step, ews::next_step::permanent);
    EXPECT_NE(o.reason.find("rejected the password for user0@example.com"), std::string::npos) << o.reason;
    EXPECT_EQ(o.reason.find("secret"), std::string::npos);
}

TEST_F(source_sim_test, a_wrong_password_is_permanent) {
    mailbox.auth.edit().password = config::secret{"wrong"};
    const auto [o, changes] = sync("inbox", std::nullopt);
    EXPECT_EQ(o.step, ews::next_step::permanent);
    EXPECT_EQ(stats().value("unauthorized", 0), 1);  // once, not in a loop
}

TEST_F(source_sim_test, pull_mode_rings_for_new_mail) {
    mailbox.watch.edit().mode = config::watch_mode::pull;
    mailbox.watch.edit().poll_interval = 0s;
    start_listen();
    ASSERT_EQ(await_listen().step, ews::next_step::proceed);
    EXPECT_EQ(rings, std::vector<std::string>{"inbox"});  // the new subscription
    deliver("pulled");
    rings.clear();
    start_listen();
    ASSERT_EQ(await_listen().step, ews::next_step::proceed);
    EXPECT_EQ(rings, std::vector<std::string>{"inbox"});
    EXPECT_EQ(stats()["requests_by_operation"].value("Subscribe", 0), 1);
}

}  // namespace
}  // namespace ewstrigd::source
