// A mailbox's own GetStreamingEvents exchange (own_stream.hpp) against a
// scripted http::client: what it rings, how it answers a 401, and that it
// completes exactly once however it is cancelled.

#include "source/own_stream.hpp"
#include "source_fakes.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using testing::drain;
using testing::ews_response;
using testing::response_message;
using testing::scripted_reply;

const std::string subscription = "subscription-1";

std::string frame(const std::string& inner, const std::string& code = "NoError") {
    return ews_response("GetStreamingEvents", response_message("GetStreamingEvents", inner, code));
}

std::string new_mail_frame(const std::string& folder_id) {
    return frame("<m:Notifications><m:Notification><t:SubscriptionId>" + subscription +
                 "</t:SubscriptionId><t:NewMailEvent><t:TimeStamp>2026-11-29T06:00:00Z</t:TimeStamp>"
                 "<t:ItemId Id=\"item-1\"/><t:ParentFolderId Id=\"" + folder_id +
                 "\"/></t:NewMailEvent></m:Notification></m:Notifications>");
}

std::string closed_frame() { return frame("<m:ConnectionStatus>Closed</m:ConnectionStatus>"); }

scripted_reply stream_reply(std::vector<std::string> chunks) {
    scripted_reply r;
    r.chunks = std::move(chunks);
    return r;
}

scripted_reply unauthorized() {
    scripted_reply r;
    r.status = 401;
    return r;
}

scripted_reply hanging() {
    scripted_reply r;
    r.hang = true;
    return r;
}

// Records what the operation tells the mailbox.
class recording_listener final : public stream_listener {
public:
    void on_news(const doorbell_news& news) override {
        for (const auto& id : news.folder_ids) rung.push_back(id);
    }
    void on_end(const outcome& o) override { ended.push_back(o); }

    std::vector<std::string> rung;  // FolderIds, in order
    std::vector<outcome> ended;
};

channel_settings settings() {
    return channel_settings{"invoices",
                            std::make_shared<const endpoint>(endpoint{"https://ews.example/EWS/Exchange.asmx", {}}),
                            {},
                            std::chrono::minutes{2}};
}

class own_stream_test : public ::testing::Test {
protected:
    void start() {
        async_own_stream(via, listener, subscription, {}, net::bind_cancellation_slot(cancel.slot(), [this](outcome o) {
                             completions.push_back(std::move(o));
                         }));
    }

    net::io_context ioc;
    testing::fake_client client{ioc};
    testing::fake_credentials credentials{ioc};
    channel via{client, credentials, settings()};
    recording_listener listener;
    net::cancellation_signal cancel;
    std::vector<outcome> completions;
};

TEST_F(own_stream_test, every_frame_rings_not_only_the_first) {
    const auto second = new_mail_frame("folder-b");
    // Two frames in one chunk, one split across chunks, keep-alives between.
    client.script.push_back(stream_reply({new_mail_frame("folder-a") + testing::keep_alive_frame(),
                                          second.substr(0, 200), second.substr(200) + new_mail_frame("folder-c"),
                                          testing::keep_alive_frame() + closed_frame()}));
    start();
    drain(ioc);
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].step, ews::next_step::proceed) << completions[0].reason;
    EXPECT_EQ(listener.rung, (std::vector<std::string>{"folder-a", "folder-b", "folder-c"}));
    ASSERT_EQ(client.requests.size(), 1u);
    EXPECT_EQ(client.operation(0), "GetStreamingEvents");
    EXPECT_NE(client.requests[0].body.find(subscription), std::string::npos);
    EXPECT_NE(client.requests[0].body.find("<m:ConnectionTimeout>29</m:ConnectionTimeout>"), std::string::npos);
    EXPECT_EQ(client.requests[0].timeouts.idle, std::chrono::seconds{120});
    EXPECT_EQ(client.requests[0].url, "https://ews.example/EWS/Exchange.asmx");
}

TEST_F(own_stream_test, an_error_frame_ends_the_stream_with_resubscribe_after_ringing_what_came_before) {
    client.script.push_back(stream_reply(
        {new_mail_frame("folder-a"),
         frame("<m:ErrorSubscriptionIds><m:SubscriptionId>" + subscription + "</m:SubscriptionId></m:ErrorSubscriptionIds>",
               "ErrorSubscriptionNotFound"),
         new_mail_frame("folder-b")}));
    start();
    drain(ioc);
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].step, ews::next_step::resubscribe);
    EXPECT_EQ(listener.rung, std::vector<std::string>{"folder-a"});
    ASSERT_EQ(listener.ended.size(), 1u);
    EXPECT_EQ(listener.ended[0].step, ews::next_step::resubscribe);
}

TEST_F(own_stream_test, a_401_is_retried_once_with_fresh_credentials) {
    client.script.push_back(unauthorized());
    client.script.push_back(stream_reply({new_mail_frame("folder-a"), closed_frame()}));
    start();
    drain(ioc);
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].step, ews::next_step::proceed) << completions[0].reason;
    EXPECT_EQ(credentials.invalidated, 1u);
    ASSERT_EQ(client.requests.size(), 2u);
    EXPECT_EQ(client.operation(1), "GetStreamingEvents");
    EXPECT_EQ(std::get<http::bearer_auth>(client.requests[0].auth).token, "token-0");
    EXPECT_EQ(std::get<http::bearer_auth>(client.requests[1].auth).token, "token-1");  // fetched after invalidate()
    EXPECT_EQ(client.requests[1].body, client.requests[0].body);
    EXPECT_EQ(listener.rung, std::vector<std::string>{"folder-a"});
}

TEST_F(own_stream_test, a_second_401_asks_for_reauthentication) {
    client.script.push_back(unauthorized());
    client.script.push_back(unauthorized());
    start();
    drain(ioc);
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].step, ews::next_step::reauthenticate);
    EXPECT_EQ(completions[0].code, "HTTP 401");
    EXPECT_EQ(credentials.invalidated, 2u);
    EXPECT_EQ(client.requests.size(), 2u);
    ASSERT_EQ(listener.ended.size(), 1u);
    EXPECT_EQ(listener.ended[0].code, "HTTP 401");
}

TEST_F(own_stream_test, no_credentials_end_the_stream_before_any_request) {
    credentials.fail = auth::credential_failure{auth::failure_kind::interaction_required, std::nullopt, "sign in"};
    start();
    drain(ioc);
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].step, ews::next_step::permanent);
    EXPECT_EQ(completions[0].reason, "sign in");
    EXPECT_TRUE(client.requests.empty());
}

// Stop may come at any moment: while credentials are fetched (first or
// after a 401), while the stream is open. The operation completes once,
// cancelled, and a later emission is harmless.
TEST(own_stream_cancel, a_cancellation_at_any_step_completes_once_and_cancelled) {
    bool reached_stream = false;
    for (int steps = 0; steps < 20 && !reached_stream; ++steps) {
        net::io_context ioc;
        testing::fake_client client{ioc};
        testing::fake_credentials credentials{ioc};
        channel via{client, credentials, settings()};
        recording_listener listener;
        client.script.push_back(unauthorized());
        client.script.push_back(hanging());
        net::cancellation_signal cancel;
        unsigned completions = 0;
        std::optional<outcome> result;
        async_own_stream(via, listener, subscription, {}, net::bind_cancellation_slot(cancel.slot(), [&](outcome o) {
                             ++completions;
                             result = std::move(o);
                         }));
        for (int i = 0; i < steps; ++i) {
            ioc.restart();
            ioc.poll_one();
        }
        reached_stream = client.requests.size() == 2;
        net::post(ioc, [&cancel] { cancel.emit(net::cancellation_type::terminal); });
        drain(ioc);
        ASSERT_EQ(completions, 1u) << "cancelled after " << steps << " steps";
        EXPECT_EQ(result->code, "cancelled") << "after " << steps << " steps";
        EXPECT_EQ(listener.ended.size(), 1u);
        EXPECT_EQ(client.aborted, client.requests.size() == 2 ? 1u : 0u) << "an open stream must be aborted";
        cancel.emit(net::cancellation_type::terminal);
        drain(ioc);
        EXPECT_EQ(completions, 1u) << "a late emission completed it again";
    }
    EXPECT_TRUE(reached_stream) << "the stream was never opened";
}

TEST_F(own_stream_test, a_cancelled_stream_is_aborted_and_completes_cancelled) {
    client.script.push_back(hanging());
    start();
    drain(ioc);
    ASSERT_TRUE(completions.empty());  // the stream is open
    cancel.emit(net::cancellation_type::total);  // any type cancels
    drain(ioc);
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].code, "cancelled");
    EXPECT_EQ(client.aborted, 1u);
}

}  // namespace
}  // namespace ewstrigd::source
