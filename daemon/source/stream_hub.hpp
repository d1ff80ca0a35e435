#pragma once
// Grouped streaming subscriptions (ews-protocol.md §0 "Grouped
// subscriptions"; docs/ews-source.md "Grouped streams"): the streaming
// subscriptions of many app-only (impersonation) mailboxes share
// GetStreamingEvents connections, at most 200 subscriptions each, instead of
// one connection per mailbox.
//
// - Each mailbox subscribes on its own (its ews_source, X-AnchorMailbox =
//   itself, X-PreferServerAffinity: true) and learns from the Subscribe
//   answer's X-BackEndOverrideCookie which backend server holds its
//   subscription; it then joins the hub with that cookie.
// - The hub groups subscriptions by (pool, backend server, idle limit): one
//   group is one GetStreamingEvents connection for up to 200 subscription
//   ids, sent through the anchor's channel (the member with the
//   alphabetically first address: its impersonation, X-AnchorMailbox,
//   X-PreferServerAffinity and its cookie route the request to that server).
// - Joins are batched: a connection is (re)opened `join_delay` after the
//   first join that it does not carry yet, so thousands of mailboxes joining
//   during start-up cause a few reconnects per group, not one per mailbox.
//   Subscriptions keep their events on the server while it reconnects.
// - Notifications are dispatched by SubscriptionId to the member's
//   listener. An error frame listing ErrorSubscriptionIds ends the join of
//   those members only, with step resubscribe: they subscribe again and
//   rejoin, possibly another group (a mailbox Exchange moved to another
//   server). Other failures of a connection are retried with backoff
//   (transient, throttling: at least the delay the server asked for) or end
//   the anchor's join only (anything else: e.g. the anchor's credentials are
//   refused, its impersonation denied); the others reconnect at once under
//   the next anchor, so one mailbox's problem never stalls its group.
// - A connection ends normally (Closed after ConnectionTimeout, or a clean
//   hang-up between frames): it is reopened at once.
//
// Loop affinity: construct, call and destroy on the thread running `ex`.
// The hub outlives its members' joins; a member's channel outlives its join
// (the hub completes the join of the member whose channel the connection
// uses only after that connection has ended).

#include "source/doorbell.hpp"
#include "source/exchange.hpp"
#include "source/mail_source.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::source {

struct stream_hub_options {
    std::size_t max_per_connection = 200;  // SubscriptionIds per GetStreamingEvents (ews-protocol.md §3.3)
    std::chrono::milliseconds join_delay{500};
    std::chrono::minutes connection_timeout{29};  // as ews_source_options
    std::chrono::milliseconds backoff_initial{1000};
    std::chrono::milliseconds backoff_cap{std::chrono::minutes{2}};
};

// What a member hears from the hub: the events for its subscription, and
// the end of its join, just before the join completes. One pointer per
// member instead of two type-erased callbacks (10,000 members: issue 8).
class stream_listener {
public:
    virtual void on_news(const doorbell_news& news) = 0;
    virtual void on_end(const outcome& o) = 0;

protected:
    stream_listener() = default;
    stream_listener(const stream_listener&) = default;
    stream_listener& operator=(const stream_listener&) = default;
    ~stream_listener() = default;
};

// One mailbox's subscription joining the hub.
struct stream_membership {
    std::string pool;             // stream_pool_of(mailbox): groups never mix pools
    std::string cookie;           // the X-BackEndOverrideCookie its Subscribe got
    // Unique within the hub. Not copied (10,000 mailboxes: issue 8): the
    // text it views must stay as it is until the join completes, as the
    // member's source keeps it.
    std::string_view subscription_id;
    // The mailbox's watch.stream_idle_timeout. Groups never mix limits: taking
    // the smallest of a group would cut a connection that is healthy for the
    // others (a limit below the server's keep-alive interval reconnects every
    // time), and one member joining or leaving would change it for all.
    std::chrono::seconds stream_idle{120};
    // The member's channel, carrying its impersonation (its SMTP address,
    // which also orders the anchors) and its cookie.
    channel* via = nullptr;
    stream_listener* listener = nullptr;  // outlives the join, as `via`
};

using join_signature = void(outcome);

class stream_hub {
public:
    explicit stream_hub(boost::asio::any_io_executor ex, stream_hub_options options = {});
    ~stream_hub();
    stream_hub(const stream_hub&) = delete;
    stream_hub& operator=(const stream_hub&) = delete;

    // Completes when the subscription fails (step resubscribe), when the
    // group's connection fails for good (the failure), or on cancellation
    // (transient, "cancelled"); never with proceed. Completions are posted.
    template <boost::asio::completion_token_for<join_signature> Token>
    auto async_join(stream_membership m, Token&& token) {
        return boost::asio::async_initiate<Token, join_signature>(
            [this](auto h, stream_membership mm) { join_impl(std::move(mm), std::move(h)); }, token, std::move(m));
    }

    struct group_info {
        std::string backend;
        std::size_t members = 0;
        bool connected = false;
        std::size_t connections = 0;  // GetStreamingEvents requests sent so far
    };
    std::vector<group_info> groups() const;
    std::size_t members() const;

    // `pool` (stream_pool_of) stored once for the hub's life: the mailboxes
    // of an application keep a reference instead of a copy each.
    const std::string& pool_key(std::string pool);

    class group;  // public for the implementation's free functions only

private:
    void join_impl(stream_membership m, boost::asio::any_completion_handler<join_signature> h);

    boost::asio::any_io_executor ex_;
    stream_hub_options options_;
    // By pool + '\n' + backend server + '\n' + idle limit; several groups when one holds 200.
    std::map<std::string, std::vector<std::shared_ptr<group>>> groups_;
    std::set<std::string> pools_;
};

}  // namespace ewstrigd::source
