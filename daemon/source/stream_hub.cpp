#include "source/stream_hub.hpp"

#include "ews/requests.hpp"
#include "source/affinity.hpp"
#include "source/stream_reading.hpp"
#include "util/backoff.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>
#include <utility>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using net::use_awaitable;

// What the hub keeps of an idle mailbox (10,000 of them: issue 8): no
// coroutine, only this record under its subscription id. Pool, cookie and
// idle limit are the group's; the address is the channel's.
struct member {
    // Constructed from the handler: this Boost's any_completion_handler
    // move assignment recurses without end.
    member(stream_membership&& m, net::any_completion_handler<join_signature> h)
        : via(m.via), listener(m.listener), handler(std::move(h)),
          slot(net::get_associated_cancellation_slot(handler)) {}

    // The mailbox's SMTP address, which its channel impersonates: anchor order.
    const std::string& address() const {
        static const std::string none;
        const auto& impersonated = via->settings().context.impersonate;
        return impersonated ? *impersonated : none;
    }

    channel* via;
    stream_listener* listener;
    net::any_completion_handler<join_signature> handler;
    net::cancellation_slot slot;  // the handler's, cleared when it completes
};

// A member whose completion waits until the connection using its channel ended.
struct deferred_completion {
    std::unique_ptr<member> mb;
    outcome result;
};

}  // namespace

// One GetStreamingEvents connection and the subscriptions it carries.
class stream_hub::group : public std::enable_shared_from_this<group> {
    // By subscription id, viewing the member's source's copy (stream_membership).
    using member_map = std::map<std::string_view, std::unique_ptr<member>, std::less<>>;

public:
    group(net::any_io_executor ex, stream_hub_options options, std::string backend, std::chrono::seconds idle)
        : ex_(std::move(ex)), options_(options), backend_(std::move(backend)), idle_(idle), restart_timer_(ex_) {}

    std::size_t size() const { return members_.size(); }
    bool idle() const { return members_.empty() && !running_; }
    group_info info() const { return {backend_, members_.size(), connected_, connections_}; }

    void add(std::string_view id, std::unique_ptr<member> mb) {
        if (mb->slot.is_connected()) {
            // The member's address, not a copy of its id: a smaller handler, no string per mailbox (issue 8).
            mb->slot.assign([weak = weak_from_this(), m = mb.get()](net::cancellation_type) {
                if (auto g = weak.lock()) g->leave(m, cancelled_decision());
            });
        }
        if (auto old = members_.find(id); old != members_.end()) {
            // The old key may view text that is gone: the entry goes, not only its member.
            auto replaced = std::move(old->second);
            members_.erase(old);
            complete(std::move(replaced), cancelled_decision());
        }
        members_.emplace(id, std::move(mb));
        if (!running_) {
            running_ = true;
            net::co_spawn(ex_, run(shared_from_this()),
                          net::bind_cancellation_slot(signal_.slot(), [self = shared_from_this()](std::exception_ptr e) {
                              if (!e) return;
                              self->running_ = false;
                              self->end_all({ews::next_step::transient, {}, "internal", "the stream group failed"});
                          }));
            return;
        }
        // Not connected (waiting for joins, backing off): the next connection carries it anyway.
        if (connected_) schedule_restart();
    }

private:
    // A join while connected: reconnect with the new ids after join_delay, so
    // that the joins of that interval share one reconnect.
    void schedule_restart() {
        if (restart_scheduled_) return;
        restart_scheduled_ = true;
        restart_timer_.expires_after(options_.join_delay);
        restart_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            auto g = weak.lock();
            if (!g || ec || !g->restart_scheduled_) return;  // cancelled, or a connection carries them already
            g->restart_scheduled_ = false;
            g->interrupt();
        });
    }

    // Ends the connection (or wait) in progress; run() decides what next.
    void interrupt() {
        interrupted_ = true;
        signal_.emit(net::cancellation_type::terminal);
    }

    void leave(std::string_view id, outcome o) {
        if (auto it = members_.find(id); it != members_.end()) leave(it, std::move(o));
    }

    // A cancelled member: looked up by address (at most 200 members; only
    // compared, never dereferenced, as it may have completed already).
    void leave(const member* m, outcome o) {
        const auto it =
            std::find_if(members_.begin(), members_.end(), [m](const auto& entry) { return entry.second.get() == m; });
        if (it != members_.end()) leave(it, std::move(o));
    }

    void leave(member_map::iterator it, outcome o) {
        const bool anchor = it->first == anchor_id_;
        auto mb = std::move(it->second);
        members_.erase(it);
        if (anchor) {
            // The connection in flight uses this member's channel: end it first.
            deferred_.push_back({std::move(mb), std::move(o)});
            interrupt();
            return;
        }
        complete(std::move(mb), std::move(o));
        if (members_.empty() && running_) interrupt();
    }

    void complete(std::unique_ptr<member> mb, outcome o) {
        net::post(ex_, [mb = std::move(mb), o = std::move(o)]() mutable {
            if (mb->slot.is_connected()) mb->slot.clear();
            if (mb->listener) mb->listener->on_end(o);
            std::move(mb->handler)(std::move(o));
        });
    }

    void end_anchor(const outcome& o) {
        auto it = members_.find(tried_anchor_);
        if (it == members_.end()) return;  // it left meanwhile: the loop reconnects without it
        auto mb = std::move(it->second);
        members_.erase(it);
        complete(std::move(mb), o);
    }

    void end_all(const outcome& o) {
        auto all = std::move(members_);
        members_.clear();
        for (auto& [id, mb] : all) complete(std::move(mb), o);
    }

    net::awaitable<void> run(std::shared_ptr<group> self) {
        co_await net::this_coro::throw_if_cancelled(false);
        util::backoff delay{options_.backoff_initial, options_.backoff_cap, util::seed_of(backend_)};
        bool wait_for_joins = true;
        int quick_closes = 0;  // normal ends within a second of connecting, in a row
        while (!members_.empty()) {
            if (wait_for_joins) co_await pause(options_.join_delay);
            wait_for_joins = false;
            interrupted_ = false;
            if (members_.empty()) break;
            const auto started = std::chrono::steady_clock::now();
            auto o = co_await connect();
            interrupted_ = interrupted_ || co_await is_cancelled();
            co_await net::this_coro::reset_cancellation_state();
            co_await net::this_coro::throw_if_cancelled(false);
            if (interrupted_) continue;  // reconnect at once with the current members
            if (o.step == ews::next_step::proceed) {
                quick_closes = std::chrono::steady_clock::now() - started < std::chrono::seconds{1} ? quick_closes + 1 : 0;
                if (quick_closes < 3) {
                    delay.reset();
                    continue;
                }
                // A server closing every connection at once: no busy loop.
                quick_closes = 0;
                o = {ews::next_step::transient, {}, "quick-close", "the server ended the connection at once several times"};
            }
            if (o.step == ews::next_step::transient || o.step == ews::next_step::retry_after) {
                const auto wait = delay.next(o.delay > std::chrono::milliseconds{0} ? std::optional{o.delay} : std::nullopt);
                logger()->warn("stream group backend={} members={} code={}: {}; reconnecting in {} ms", backend_,
                               members_.size(), o.code, o.reason, wait.count());
                co_await pause(wait);
                continue;
            }
            // The anchor's credentials refused, its rights denied, another
            // permanent error...: only the anchor's were tried, so only its
            // listen ends with it (its watcher decides) and the others carry
            // on under the next anchor. A cause they share ends them one by
            // one, never one mailbox's problem all of them.
            end_anchor(o);
        }
        running_ = false;
        (void)self;
    }

    // Waits `d` unless interrupted (a join or leave needing a reconnect).
    net::awaitable<void> pause(std::chrono::milliseconds d) {
        net::steady_timer timer(ex_, d);
        co_await timer.async_wait(net::as_tuple(use_awaitable));
        co_await net::this_coro::reset_cancellation_state();
        co_await net::this_coro::throw_if_cancelled(false);
    }

    // One GetStreamingEvents request for the current members, through the
    // anchor's channel (the alphabetically first address, as Microsoft's
    // guidance picks it).
    net::awaitable<outcome> connect() {
        const member* anchor = nullptr;
        std::vector<std::string> ids;
        ids.reserve(members_.size());
        for (const auto& [id, mb] : members_) {
            ids.emplace_back(id);
            if (!anchor || mb->address() < anchor->address()) {
                anchor = mb.get();
                anchor_id_ = id;
            }
        }
        channel& via = *anchor->via;
        const frame_reader on_frame = [this](const ews::response& frame, stream_reading& s) {
            auto news = read_grouped_doorbell(frame);
            for (const auto& [id, n] : news.by_subscription) {
                if (auto it = members_.find(id); it != members_.end() && it->second->listener)
                    it->second->listener->on_news(n);
            }
            for (const auto& id : news.failed_ids) leave(id, *news.id_failure);
            if (news.failure) {
                s.failure = news.failure;
                return false;
            }
            s.closed = news.closed;
            return !s.closed;
        };
        ++connections_;
        connected_ = true;
        // This connection carries every member so far: no reconnect is owed to them.
        restart_timer_.cancel();
        restart_scheduled_ = false;
        logger()->debug("stream group backend={} connection {}: {} subscriptions, anchor {}", backend_, connections_,
                        ids.size(), anchor->address());
        const auto o = co_await stream_events(via, std::move(ids), options_.connection_timeout, idle_, on_frame);
        connected_ = false;
        // A reconnect for joins is owed no more: the next connection carries
        // them. Left armed, it would cut a throttling back-off short.
        restart_timer_.cancel();
        restart_scheduled_ = false;
        tried_anchor_ = std::exchange(anchor_id_, {});
        for (auto& d : std::exchange(deferred_, {})) complete(std::move(d.mb), std::move(d.result));
        co_return o;
    }

    net::any_io_executor ex_;
    stream_hub_options options_;
    std::string backend_;
    std::chrono::seconds idle_;  // every member's stream_idle
    member_map members_;
    std::vector<deferred_completion> deferred_;
    std::string anchor_id_;  // whose channel the connection in flight uses
    std::string tried_anchor_;  // whose channel the last connection used
    net::cancellation_signal signal_;
    net::steady_timer restart_timer_;
    bool running_ = false;
    bool connected_ = false;
    bool interrupted_ = false;
    bool restart_scheduled_ = false;
    std::size_t connections_ = 0;
};

stream_hub::stream_hub(net::any_io_executor ex, stream_hub_options options)
    : ex_(std::move(ex)), options_(options) {}

stream_hub::~stream_hub() = default;

void stream_hub::join_impl(stream_membership m, net::any_completion_handler<join_signature> h) {
    if (!m.via || m.subscription_id.empty()) {
        net::post(ex_, [h = std::move(h), listener = m.listener]() mutable {
            const outcome o{ews::next_step::permanent, {}, "internal", "a stream membership without a subscription"};
            if (listener) listener->on_end(o);
            std::move(h)(o);
        });
        return;
    }
    const std::string backend{backend_of_cookie(m.cookie)};
    const auto idle = m.stream_idle;
    const auto key = m.pool + '\n' + backend + '\n' + std::to_string(idle.count());
    const auto id = m.subscription_id;
    auto mb = std::make_unique<member>(std::move(m), std::move(h));
    auto& list = groups_[key];
    std::erase_if(list, [](const auto& g) { return g->idle(); });
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const auto& g) { return g->size() < options_.max_per_connection; });
    if (it == list.end()) {
        list.push_back(std::make_shared<group>(ex_, options_, backend, idle));
        it = std::prev(list.end());
    }
    (*it)->add(id, std::move(mb));
}

const std::string& stream_hub::pool_key(std::string pool) { return *pools_.insert(std::move(pool)).first; }

std::vector<stream_hub::group_info> stream_hub::groups() const {
    std::vector<group_info> out;
    for (const auto& [key, list] : groups_) {
        for (const auto& g : list) {
            if (!g->idle()) out.push_back(g->info());
        }
    }
    return out;
}

std::size_t stream_hub::members() const {
    std::size_t n = 0;
    for (const auto& [key, list] : groups_) {
        for (const auto& g : list) n += g->size();
    }
    return n;
}

}  // namespace ewstrigd::source
