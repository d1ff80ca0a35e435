#include "cli/daemon_reporting.hpp"

#include "service/listen_address.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ewstrigd::cli {
namespace {

namespace net = boost::asio;
namespace metrics = service::metrics;

std::string_view outcome_label(actions::outcome::kind k) {
    switch (k) {
        case actions::outcome::kind::done: return "success";
        case actions::outcome::kind::retry: return "retry";
        case actions::outcome::kind::dead: return "failed";
    }
    return "unknown";
}

void advance(metrics::counter& c, std::uint64_t total) { service::advance_to(c, static_cast<double>(total)); }

}  // namespace

std::optional<net::ip::tcp::endpoint> health_endpoint_for(const std::string& listen, util::shard shard) {
    if (listen.empty()) return std::nullopt;
    auto ep = service::parse_listen_address(listen);
    if (!ep) throw std::invalid_argument("metrics.listen '" + listen + "' is not HOST:PORT");
    // Port 0 (the kernel picks) stays 0 for every shard.
    if (ep->port() != 0 && shard.k > 0) {
        const unsigned port = ep->port() + shard.k;
        if (port > 65535) throw std::invalid_argument("metrics.listen '" + listen + "' + shard " +
                                                      std::to_string(shard.k) + " is beyond port 65535");
        ep->port(static_cast<unsigned short>(port));
    }
    return *ep;
}

void feed_metrics(const watch::watch_totals& t, service::daemon_metrics& m) {
    advance(m.notifications.get(), t.notifications);
    for (const auto& [step, n] : t.syncs) advance(m.syncs.with({ews::to_string(step)}), n);
    advance(m.items_seen.get(), t.items_seen);
    for (const auto& [trigger, n] : t.items_matched) advance(m.items_matched.with({trigger}), n);
    advance(m.actions_enqueued.get(), t.actions_enqueued);
    for (const auto& [code, n] : t.ews_errors) advance(m.ews_errors.with({code}), n);
    service::advance_to(m.backoff_seconds.get(), std::chrono::duration<double>(t.backoff).count());
}

void feed_metrics(const auth::refresh_counts& t, service::daemon_metrics& m) {
    advance(m.token_refreshes.with({"success"}), t.succeeded);
    advance(m.token_refreshes.with({"failure"}), t.failed);
}

service::mailbox_health health_row(const watch::mailbox_status& s, std::uint64_t outbox_pending) {
    std::string state(watch::to_string(s.state));
    std::replace(state.begin(), state.end(), ' ', '_');  // "backing off" -> "backing_off"
    return {s.mailbox, std::move(state), s.last_event, s.last_error, outbox_pending};
}

daemon_reporting::daemon_reporting(net::io_context& ioc, reporting_inputs inputs, reporting_options options)
    : ioc_(ioc), inputs_(std::move(inputs)), options_(std::move(options)), notifier_(ioc), status_timer_(ioc) {
    registry_.on_collect([this] { collect_metrics(); });
}

daemon_reporting::~daemon_reporting() {
    if (health_) health_->stop();
}

void daemon_reporting::start() {
    if (options_.listen) {
        service::health_options ho;
        ho.endpoint = *options_.listen;
        ho.version = options_.version;
        health_ = std::make_unique<service::health_server>(ioc_, registry_, [this] { return rows(true); }, ho);
        health_->start();  // throws: a daemon that cannot serve what it was told to must not look healthy
        const auto ep = health_->local_endpoint();
        spdlog::info("serving /metrics, /healthz, /status.json on {}:{}", ep.address().to_string(), ep.port());
    }
    notifier_.ready();
    notifier_.start_watchdog();
    refresh_status();
}

void daemon_reporting::reloading() { notifier_.reloading(); }

void daemon_reporting::reloaded(bool applied) {
    metrics_.reloads.with({applied ? "applied" : "rejected"}).inc();
    notifier_.ready();
}

void daemon_reporting::stopping() {
    if (std::exchange(stopped_, true)) return;
    notifier_.stopping();
    notifier_.stop_watchdog();
    status_timer_.cancel();
    if (health_) health_->stop();
}

void daemon_reporting::action_started(state::clock::duration since_enqueued) {
    metrics_.event_to_action.get().observe(std::chrono::duration<double>(since_enqueued).count());
}

std::optional<net::ip::tcp::endpoint> daemon_reporting::health_endpoint() const {
    if (!health_) return std::nullopt;
    return health_->local_endpoint();
}

std::vector<service::mailbox_health> daemon_reporting::rows(bool with_outbox) const {
    std::map<std::string, std::uint64_t> pending;
    if (with_outbox) {
        // The store counts the outbox as a whole; per mailbox, pick_pending
        // walks the pending rows' keys without copying a payload (a backlog
        // of large messages must not make /status.json expensive).
        const auto counts = inputs_.store->counts();
        if (counts.pending > 0) {
            inputs_.store->pick_pending(counts.pending, [&pending](const state::pending_key& key) {
                ++pending[std::string{key.mailbox}];
                return state::pick::skip;
            });
        }
    }
    std::vector<service::mailbox_health> out;
    for (const auto& s : inputs_.mailboxes()) {
        const auto it = pending.find(s.mailbox);
        out.push_back(health_row(s, it == pending.end() ? 0 : it->second));
    }
    return out;
}

void daemon_reporting::collect_metrics() {
    std::vector<service::mailbox_health> states;
    for (const auto& s : inputs_.mailboxes()) states.push_back(health_row(s, 0));
    service::count_states(metrics_.mailboxes, states);
    if (inputs_.watch != nullptr) feed_metrics(*inputs_.watch, metrics_);
    if (inputs_.tokens != nullptr) feed_metrics(*inputs_.tokens, metrics_);
    if (inputs_.commits != nullptr) advance(metrics_.sync_commits.get(), inputs_.commits->transactions());

    const auto& counters = inputs_.runner->counters();
    for (std::size_t k = 0; k < actions::action_kind_count; ++k) {
        const auto kind = static_cast<actions::action_kind>(k);
        for (const auto o : {actions::outcome::kind::done, actions::outcome::kind::retry, actions::outcome::kind::dead}) {
            const auto n = counters.count(kind, o);
            if (n == 0) continue;  // only the label sets that happened
            advance(metrics_.actions.with({actions::to_string(kind), outcome_label(o)}), n);
        }
    }
    const auto counts = inputs_.store->counts();
    metrics_.outbox_depth.get().set(static_cast<double>(counts.pending));
    metrics_.outbox_dead_letters.get().set(static_cast<double>(counts.dead));
}

void daemon_reporting::refresh_status() {
    if (stopped_) return;
    auto text = service::connected_summary(rows(false));
    if (text != last_status_) {
        notifier_.status(text);
        last_status_ = std::move(text);
    }
    status_timer_.expires_after(options_.status_period);
    status_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) refresh_status();
    });
}

}  // namespace ewstrigd::cli
