// stream_hub against a fake server that keeps GetStreamingEvents requests
// open: how subscriptions are grouped (backend server, 200 per connection),
// which headers route a group's connection, how joins are batched, and what
// per-subscription errors, moves and cancellations do.

#include "source/affinity.hpp"
#include "source/stream_hub.hpp"
#include "source_fakes.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::ews_response;
using testing::response_message;

// One GetStreamingEvents request the fake server holds open.
struct open_stream {
    http::request request;
    http::chunk_handler on_chunk;
    std::optional<net::any_completion_handler<http::send_signature>> handler;
    bool aborted = false;

    std::string header(const std::string& name) const {
        for (const auto& h : request.headers) {
            if (h.name == name) return h.value;
        }
        return {};
    }
    // The SubscriptionIds the request names, in order.
    std::vector<std::string> ids() const {
        std::vector<std::string> out;
        const std::string open = "<t:SubscriptionId>", close = "</t:SubscriptionId>";
        for (auto at = request.body.find(open); at != std::string::npos; at = request.body.find(open, at)) {
            at += open.size();
            out.push_back(request.body.substr(at, request.body.find(close, at) - at));
        }
        return out;
    }
    bool live() const { return handler.has_value(); }
};

class stream_server final : public http::client {
public:
    explicit stream_server(net::io_context& ioc) : ioc_(ioc) {}

    std::vector<std::shared_ptr<open_stream>> streams;  // every request, in order
    std::optional<unsigned> answer_status;              // answer new requests with this status at once

    std::vector<std::shared_ptr<open_stream>> live() const {
        std::vector<std::shared_ptr<open_stream>> out;
        for (const auto& s : streams) {
            if (s->live()) out.push_back(s);
        }
        return out;
    }
    std::shared_ptr<open_stream> live_with(const std::string& id) const {
        for (const auto& s : live()) {
            const auto ids = s->ids();
            if (std::find(ids.begin(), ids.end(), id) != ids.end()) return s;
        }
        return nullptr;
    }
    // As curl_client: a chunk handler returning false stops the transfer.
    void push(open_stream& s, const std::string& frame) {
        ASSERT_TRUE(s.live());
        if (!s.on_chunk(frame) && s.live()) end(s, make_error_code(http::errc::receiver_stopped));
    }
    void end(open_stream& s, boost::system::error_code ec = {}) {
        auto h = std::move(*s.handler);
        s.handler.reset();
        http::response res;
        res.status = 200;
        net::post(ioc_, net::append(std::move(h), ec, std::move(res)));
    }

private:
    void async_send_impl(http::request req, http::chunk_handler on_chunk,
                         net::any_completion_handler<http::send_signature> handler) override {
        auto s = std::make_shared<open_stream>();
        s->request = std::move(req);
        s->on_chunk = std::move(on_chunk);
        streams.push_back(s);
        if (answer_status) {
            http::response res;
            res.status = *answer_status;
            net::post(ioc_, net::append(std::move(handler), boost::system::error_code{}, std::move(res)));
            return;
        }
        auto slot = net::get_associated_cancellation_slot(handler);
        s->handler.emplace(std::move(handler));
        if (slot.is_connected()) {
            slot.assign([this, weak = std::weak_ptr<open_stream>(s)](net::cancellation_type) {
                auto st = weak.lock();
                if (!st || !st->handler) return;
                st->aborted = true;
                auto h = std::move(*st->handler);
                st->handler.reset();
                net::post(ioc_, net::append(std::move(h), net::error::operation_aborted, http::response{}));
            });
        }
    }
    net::io_context& ioc_;
};

std::string frame(const std::string& messages) { return ews_response("GetStreamingEvents", messages); }

std::string new_mail_frame(const std::string& subscription_id, const std::string& folder_id) {
    return frame(response_message(
        "GetStreamingEvents", "<m:Notifications><m:Notification><t:SubscriptionId>" + subscription_id +
                                  "</t:SubscriptionId><t:NewMailEvent><t:TimeStamp>2026-11-29T06:00:00Z</t:TimeStamp>"
                                  "<t:ItemId Id=\"item-1\"/><t:ParentFolderId Id=\"" + folder_id +
                                  "\"/></t:NewMailEvent></m:Notification></m:Notifications>"));
}

std::string not_found_frame(const std::vector<std::string>& ids) {
    std::string list;
    for (const auto& id : ids) list += "<m:SubscriptionId>" + id + "</m:SubscriptionId>";
    return frame(response_message("GetStreamingEvents",
                                  "<m:ErrorSubscriptionIds>" + list +
                                      "</m:ErrorSubscriptionIds><m:ConnectionStatus>Closed</m:ConnectionStatus>",
                                  "ErrorSubscriptionNotFound"));
}

// One app-only mailbox: its channel (impersonating it, with its cookie) and what its join saw.
struct mailbox final : stream_listener {
    void on_news(const doorbell_news& n) override { rung.insert(rung.end(), n.folder_ids.begin(), n.folder_ids.end()); }
    void on_end(const outcome& o) override { heard_end = o; }

    std::string address;
    std::string subscription_id;
    std::unique_ptr<channel> via;
    std::vector<std::string> rung;  // folder ids of the news it got
    std::optional<outcome> ended;
    std::optional<outcome> heard_end;  // on_end, just before `ended`
    net::cancellation_signal cancel;
};

class stream_hub_test : public ::testing::Test {
protected:
    stream_hub_test() : hub(ioc.get_executor(), hub_options()) {}

    static stream_hub_options hub_options() {
        stream_hub_options o;
        o.join_delay = 20ms;
        o.backoff_initial = 20ms;
        o.backoff_cap = 40ms;
        return o;
    }

    // Joins mailbox `address` whose Subscribe got subscription `id` on `backend`.
    mailbox& join(const std::string& address, const std::string& id, const std::string& backend,
                  std::chrono::seconds stream_idle = 120s) {
        auto& mb = *mailboxes.emplace_back(std::make_unique<mailbox>());
        mb.address = address;
        mb.subscription_id = id;
        channel_settings settings;
        settings.mailbox_id = address;
        settings.server = std::make_shared<const endpoint>(endpoint{"https://outlook.office365.com/EWS/Exchange.asmx", {}});
        settings.context.impersonate = address;
        settings.context.server_affinity = true;
        settings.context.backend_override_cookie = backend + "~" + std::to_string(mailboxes.size());
        mb.via = std::make_unique<channel>(server, credentials, settings);
        stream_membership m;
        m.pool = "pool";
        m.cookie = *settings.context.backend_override_cookie;
        m.subscription_id = mb.subscription_id;  // viewed, not copied: it outlives the join
        m.stream_idle = stream_idle;
        m.via = mb.via.get();
        m.listener = &mb;
        hub.async_join(std::move(m), net::bind_cancellation_slot(mb.cancel.slot(), [&mb](outcome o) {
                           EXPECT_TRUE(mb.heard_end) << "on_end comes before the completion";
                           mb.ended = o;
                       }));
        return mb;
    }

    void run_for(std::chrono::milliseconds d) {
        ioc.restart();
        ioc.run_for(d);
        testing::drain(ioc);
    }

    std::size_t ended() const {
        return static_cast<std::size_t>(
            std::count_if(mailboxes.begin(), mailboxes.end(), [](const auto& m) { return m->ended.has_value(); }));
    }

    net::io_context ioc;
    stream_server server{ioc};
    testing::fake_credentials credentials{ioc};
    stream_hub hub;
    std::vector<std::unique_ptr<mailbox>> mailboxes;
};

std::string address_of(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "user%04d@contoso.com", i);
    return buf;
}

TEST_F(stream_hub_test, groups_subscriptions_by_backend_server_at_most_200_per_connection) {
    for (int i = 0; i < 450; ++i) join(address_of(i), "sub-" + std::to_string(i), i % 9 < 5 ? "mbxA.prod" : "mbxB.prod");
    run_for(100ms);
    // 250 on A (200 + 50), 200 on B: three connections, each opened once (the joins were batched).
    ASSERT_EQ(server.streams.size(), 3u);
    std::size_t carried = 0;
    for (const auto& s : server.live()) {
        const auto ids = s->ids();
        carried += ids.size();
        EXPECT_LE(ids.size(), 200u);
        EXPECT_EQ(s->header("X-PreferServerAffinity"), "true");
        // Every id of a connection lives on the server its cookie names; the anchor is the first address.
        const auto cookie = s->header("Cookie");
        ASSERT_TRUE(cookie.starts_with("X-BackEndOverrideCookie=mbx")) << cookie;
        const std::string backend = cookie.substr(cookie.find('=') + 1, 9);
        std::string first_address = "~";
        for (const auto& id : ids) {
            const int i = std::stoi(id.substr(4));
            EXPECT_EQ(i % 9 < 5 ? "mbxA.prod" : "mbxB.prod", backend) << id;
            first_address = std::min(first_address, address_of(i));
        }
        EXPECT_EQ(s->header("X-AnchorMailbox"), first_address);
        EXPECT_NE(s->request.body.find("<t:PrimarySmtpAddress>" + first_address), std::string::npos);
    }
    EXPECT_EQ(carried, 450u);
    EXPECT_EQ(hub.members(), 450u);
    EXPECT_EQ(hub.groups().size(), 3u);
    EXPECT_EQ(ended(), 0u);
}

TEST_F(stream_hub_test, mailboxes_with_different_idle_limits_get_connections_of_their_own) {
    join("a@contoso.com", "sub-a", "mbx1", 30s);
    join("b@contoso.com", "sub-b", "mbx1", 30s);
    join("c@contoso.com", "sub-c", "mbx1");
    run_for(60ms);
    ASSERT_EQ(server.live().size(), 2u);
    const auto short_limit = server.live_with("sub-a");
    ASSERT_TRUE(short_limit);
    EXPECT_EQ(short_limit->ids(), (std::vector<std::string>{"sub-a", "sub-b"}));
    EXPECT_EQ(short_limit->request.timeouts.idle, 30s);
    const auto default_limit = server.live_with("sub-c");
    ASSERT_TRUE(default_limit);
    EXPECT_EQ(default_limit->ids(), std::vector<std::string>{"sub-c"});
    EXPECT_EQ(default_limit->request.timeouts.idle, 120s);
    EXPECT_EQ(ended(), 0u);
}

TEST_F(stream_hub_test, notifications_reach_only_the_subscription_they_name) {
    auto& a = join("a@contoso.com", "sub-a", "mbx1");
    auto& b = join("b@contoso.com", "sub-b", "mbx1");
    run_for(60ms);
    ASSERT_EQ(server.live().size(), 1u);
    server.push(*server.live().front(), new_mail_frame("sub-b", "inbox-of-b"));
    run_for(5ms);
    EXPECT_TRUE(a.rung.empty());
    EXPECT_EQ(b.rung, std::vector<std::string>{"inbox-of-b"});
    EXPECT_EQ(ended(), 0u);
}

TEST_F(stream_hub_test, a_join_again_with_the_same_subscription_replaces_the_old_one_for_good) {
    // The hub views the ids its members' sources keep: a long id (not inside
    // the string) whose first copy is freed once the second join replaced it.
    const std::string id = "AABBCCDDEEFF-subscription-held-by-the-source";
    auto& first = join("a@contoso.com", id, "mbx1");
    run_for(60ms);
    auto& second = join("a@contoso.com", id, "mbx1");
    run_for(60ms);
    ASSERT_TRUE(first.ended.has_value());
    EXPECT_EQ(first.ended->code, "cancelled");
    std::string{}.swap(first.subscription_id);
    EXPECT_EQ(hub.members(), 1u);
    ASSERT_EQ(server.live().size(), 1u);
    EXPECT_EQ(server.live().front()->ids(), std::vector<std::string>{id});
    server.push(*server.live().front(), new_mail_frame(id, "inbox-of-a"));
    run_for(5ms);
    EXPECT_EQ(second.rung, std::vector<std::string>{"inbox-of-a"});
    EXPECT_FALSE(second.ended.has_value());
}

TEST_F(stream_hub_test, a_subscription_error_ends_only_that_mailbox_and_the_rest_reconnect) {
    auto& a = join("a@contoso.com", "sub-a", "mbx1");
    auto& b = join("b@contoso.com", "sub-b", "mbx1");
    auto& c = join("c@contoso.com", "sub-c", "mbx1");
    run_for(60ms);
    ASSERT_EQ(server.streams.size(), 1u);
    server.push(*server.live().front(), not_found_frame({"sub-b"}));
    run_for(60ms);
    ASSERT_TRUE(b.ended.has_value());
    EXPECT_EQ(b.ended->step, ews::next_step::resubscribe);
    EXPECT_FALSE(a.ended.has_value());
    EXPECT_FALSE(c.ended.has_value());
    ASSERT_EQ(server.live().size(), 1u);
    EXPECT_EQ(server.live().front()->ids(), (std::vector<std::string>{"sub-a", "sub-c"}));
}

TEST_F(stream_hub_test, a_moved_mailbox_rejoins_the_group_of_its_new_server) {
    join("a@contoso.com", "sub-a", "mbx1");
    auto& moved = join("m@contoso.com", "sub-m", "mbx1");
    join("z@contoso.com", "sub-z", "mbx2");
    run_for(60ms);
    ASSERT_EQ(server.live().size(), 2u);
    // Exchange moved m to mbx2: its subscription is gone from mbx1.
    server.push(*server.live_with("sub-m"), not_found_frame({"sub-m"}));
    run_for(60ms);
    ASSERT_TRUE(moved.ended.has_value());
    EXPECT_EQ(moved.ended->step, ews::next_step::resubscribe);
    // It subscribes again (mbx2 now) and rejoins: mbx2's connection is reopened once with it.
    const auto before = server.streams.size();
    join("m@contoso.com", "sub-m2", "mbx2");
    run_for(60ms);
    EXPECT_EQ(server.streams.size(), before + 1);
    const auto s = server.live_with("sub-m2");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->ids(), (std::vector<std::string>{"sub-m2", "sub-z"}));
    EXPECT_TRUE(s->header("Cookie").starts_with("X-BackEndOverrideCookie=mbx2~"));
    EXPECT_EQ(server.live().size(), 2u);
}

TEST_F(stream_hub_test, joins_while_connected_share_one_reconnect) {
    join("a@contoso.com", "sub-a", "mbx1");
    run_for(60ms);
    ASSERT_EQ(server.streams.size(), 1u);
    for (int i = 0; i < 10; ++i) join(address_of(i), "sub-" + std::to_string(i), "mbx1");
    run_for(80ms);
    EXPECT_EQ(server.streams.size(), 2u);
    EXPECT_TRUE(server.streams[0]->aborted);
    ASSERT_EQ(server.live().size(), 1u);
    EXPECT_EQ(server.live().front()->ids().size(), 11u);
}

TEST_F(stream_hub_test, cancelling_the_anchor_completes_after_its_connection_ended) {
    auto& a = join("a@contoso.com", "sub-a", "mbx1");  // the anchor: first address
    auto& b = join("b@contoso.com", "sub-b", "mbx1");
    run_for(60ms);
    ASSERT_EQ(server.live().size(), 1u);
    const auto first = server.live().front();
    EXPECT_EQ(first->header("X-AnchorMailbox"), "a@contoso.com");
    a.cancel.emit(net::cancellation_type::terminal);
    run_for(60ms);
    ASSERT_TRUE(a.ended.has_value());
    EXPECT_EQ(a.ended->code, "cancelled");
    EXPECT_TRUE(first->aborted);  // a's channel is no longer in use
    ASSERT_EQ(server.live().size(), 1u);
    EXPECT_EQ(server.live().front()->header("X-AnchorMailbox"), "b@contoso.com");
    EXPECT_FALSE(b.ended.has_value());
    b.cancel.emit(net::cancellation_type::terminal);
    run_for(20ms);
    EXPECT_TRUE(b.ended.has_value());
    EXPECT_TRUE(server.live().empty());
    EXPECT_TRUE(hub.groups().empty());
}

TEST_F(stream_hub_test, a_normal_end_reconnects_at_once_and_a_failing_server_is_retried) {
    auto& a = join("a@contoso.com", "sub-a", "mbx1");
    run_for(60ms);
    ASSERT_EQ(server.streams.size(), 1u);
    // ConnectionTimeout reached: Closed, then the server hangs up.
    server.push(*server.live().front(), frame(response_message("GetStreamingEvents",
                                                               "<m:ConnectionStatus>Closed</m:ConnectionStatus>")));
    run_for(5ms);
    EXPECT_EQ(server.streams.size(), 2u);
    // A 500: retried after a back-off, the member keeps waiting.
    server.answer_status = 500;
    server.push(*server.live().front(), testing::keep_alive_frame());
    server.end(*server.live().front());  // hung up between frames: reconnect at once, meets the 503s
    run_for(200ms);
    EXPECT_GE(server.streams.size(), 4u);
    EXPECT_LE(server.streams.size(), 14u);  // backed off, not a busy loop
    EXPECT_FALSE(a.ended.has_value());
    server.answer_status.reset();
    run_for(100ms);
    EXPECT_EQ(server.live().size(), 1u);
}

TEST_F(stream_hub_test, refused_credentials_end_every_members_listen) {
    auto& a = join("a@contoso.com", "sub-a", "mbx1");
    auto& b = join("b@contoso.com", "sub-b", "mbx1");
    server.answer_status = 401;
    run_for(60ms);
    ASSERT_TRUE(a.ended.has_value());
    ASSERT_TRUE(b.ended.has_value());
    EXPECT_EQ(a.ended->step, ews::next_step::reauthenticate);
    EXPECT_TRUE(hub.groups().empty());
}

TEST(affinity_cookie, the_backend_server_comes_from_set_cookie) {
    http::response r;
    r.headers = {{"Set-Cookie", "exchangecookie=abc; path=/"},
                 {"set-cookie", "X-BackEndOverrideCookie=CO1PR06MB222.namprd06.prod.outlook.com~1941996295; path=/; "
                                "secure; HttpOnly"}};
    const auto cookie = backend_override_cookie(r);
    ASSERT_TRUE(cookie);
    EXPECT_EQ(*cookie, "CO1PR06MB222.namprd06.prod.outlook.com~1941996295");
    EXPECT_EQ(backend_of_cookie(*cookie), "CO1PR06MB222.namprd06.prod.outlook.com");
    EXPECT_EQ(backend_of_cookie("plain"), "plain");
    r.headers = {{"Set-Cookie", "X-BackEndOverrideCookie=; path=/"}};
    EXPECT_FALSE(backend_override_cookie(r));
}

}  // namespace
}  // namespace ewstrigd::source
