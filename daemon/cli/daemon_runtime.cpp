#include "cli/daemon_runtime.hpp"

#include "cli/daemon_reporting.hpp"
#include "cli/exit_codes.hpp"
#include "cli/log_setup.hpp"

#include "actions/child_registry.hpp"
#include "actions/executor.hpp"
#include "actions/outbox_runner.hpp"
#include "cli/mailbox_credentials.hpp"
#include "config/loader.hpp"
#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"
#include "http/pooled_client.hpp"
#include "http/stream_client.hpp"
#include "source/ews_source.hpp"
#include "source/stream_hub.hpp"
#include "watch/clock.hpp"
#include "watch/mailbox_watcher.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <chrono>
#include <map>
#include <set>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ewstrigd::cli {

namespace net = boost::asio;

namespace {

// Everything a mailbox needs, in destruction order (watcher first).
struct mailbox_runtime {
    std::unique_ptr<auth::credential_provider> credentials;
    std::shared_ptr<source::ews_source> source;
    std::unique_ptr<watch::mailbox_watcher> watcher;
};

// Start-up leaves the heap full of freed holes (requests, answers, parsed
// documents) between the long-lived objects of each mailbox, and glibc gives
// back only the top of the heap by itself: hand the free pages back once
// (at 2,000 mailboxes ~3.7 KB of RSS per mailbox; issue 8).
void release_free_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace

struct daemon_runtime::impl {
    impl(net::io_context& ioc, std::shared_ptr<const config::config> cfg, state::store& store, runtime_options options)
        : ioc_(ioc), cfg_(std::move(cfg)), store_(store), options_(options), multi_(ioc), client_(multi_),
          clock_(watch::make_system_clock(ioc.get_executor())),
          exec_(ioc.get_executor(), make_executor_options()),
          runner_(ioc.get_executor(), store, exec_, [this] { return cfg_; }, make_runner_options()),
          reporting_(ioc, reporting_inputs{[this] { return statuses(); }, &store_, &runner_, &watch_totals_,
                                           &token_totals_, &commits_},
                     reporting_options{health_endpoint_for(cfg_->metrics.listen, options.shard), options.version}) {}

    int run(bool once) {
        for (const auto& mb : cfg_->mailboxes) {
            if (util::in_shard(mb.id, options_.shard)) add_mailbox(mb);
        }
        stop_leftover_children();
        runner_.start();
        if (once) {
            start_once();
        } else {
            for (const auto& [id, rt] : mailboxes_) unstarted_.insert(id);
            start_paced();
            listen_signals();
            try {
                reporting_.start();
            } catch (const std::runtime_error& e) {
                spdlog::critical("{}", e.what());
                exit_code_ = exit_code::invalid_config;
                shutdown();
            }
            if (!stopping_) tell_service_manager_started();
        }
        ioc_.run();
        return exit_code_;
    }

    // Start-up is paced: thousands of mailboxes subscribing and catching up in
    // the same instant would open thousands of sockets at once and meet
    // Exchange's throttling all together. 100 every 50 ms = 2,000 per
    // second, and at most startup_concurrency of them still connecting (no
    // answer yet) at a time, so a slow server slows the start-up down instead
    // of piling up requests and memory. The bound on concurrency is what
    // protects the server; the rate only spreads the first requests (at 500
    // per second it alone made 10,000 mailboxes take 20 s). A mailbox
    // backing off (throttled, unreachable) makes room: it retries on its own
    // back-off, and a server that is down must not hold up the others.
    static constexpr std::size_t startup_batch = 100;
    static constexpr std::size_t startup_concurrency = 200;
    static constexpr std::chrono::milliseconds startup_interval{50};

    void start_paced() {
        std::erase_if(starting_, [this](const std::string& id) {
            const auto it = mailboxes_.find(id);
            if (it == mailboxes_.end()) return true;  // retired meanwhile
            return it->second.watcher->status().state != watch::connection_state::connecting;
        });
        for (std::size_t n = 0; n < startup_batch && starting_.size() < startup_concurrency && !unstarted_.empty();) {
            const auto id = unstarted_.extract(unstarted_.begin()).value();
            if (auto it = mailboxes_.find(id); it != mailboxes_.end()) {
                it->second.watcher->start();
                starting_.push_back(id);
                ++n;
            }
        }
        if (unstarted_.empty() && starting_.empty()) {
            if (mailboxes_.size() > startup_batch) spdlog::info("all {} mailboxes started", mailboxes_.size());
            release_free_heap();
            return;
        }
        pacing_timer_.expires_after(startup_interval);
        pacing_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec && !stopping_) start_paced();
        });
    }

    // Before the outbox runner retries their actions: the store's lock is held
    // (run_command opened it exclusively), so these are this state's children.
    void stop_leftover_children() {
        const auto swept = children_.kill_leftovers();
        if (swept.killed > 0) {
            spdlog::warn("stopped {} run action process group(s) left running by the previous instance; "
                         "their actions run again",
                         swept.killed);
        }
    }

    actions::executor_options make_executor_options() {
        actions::executor_options o;
        o.http = &client_;
        o.children = &children_;
        o.source_for = [this](const std::string& mailbox) -> source::mail_source* {
            auto it = mailboxes_.find(mailbox);
            return it == mailboxes_.end() ? nullptr : it->second.source.get();
        };
        o.address_of = [this](const std::string& mailbox) {
            for (const auto& mb : cfg_->mailboxes) {
                if (mb.id == mailbox) return mb.address;
            }
            return std::string();
        };
        return o;
    }

    // The latency observer only runs from the loop, which has stopped before
    // reporting_ (declared after runner_) is destroyed.
    actions::runner_options make_runner_options() {
        actions::runner_options o;
        o.on_first_attempt = [this](state::clock::duration d) { reporting_.action_started(d); };
        return o;
    }

    std::vector<watch::mailbox_status> statuses() const {
        std::vector<watch::mailbox_status> out;
        out.reserve(mailboxes_.size());
        for (const auto& [id, rt] : mailboxes_) out.push_back(rt.watcher->status());
        return out;
    }

    void add_mailbox(const config::mailbox_config& mb) {
        auto ex = ioc_.get_executor();
        mailbox_runtime rt;
        auth::provider_options provider_options;
        provider_options.totals = &token_totals_;
        rt.credentials = make_shared_mailbox_credentials(ex, *cfg_, mb, client_, oauth_, provider_options);
        source::ews_source_options source_options;
        source_options.hub = &stream_hub_;  // used by app-only streaming mailboxes only
        source_options.stream_http = &stream_client_;
        source_options.stream_idle = mb.watch->stream_idle_timeout;
        rt.source = std::make_shared<source::ews_source>(ex, mb, ews_client_, *rt.credentials, ews::request_context{},
                                                         source_options);
        if (!watcher_context_) {
            watch::watcher_hooks hooks{[this] { runner_.wake(); },
                                       [this](std::exception_ptr) { fail("the state store failed"); }, &watch_totals_};
            watcher_context_ = std::make_shared<const watch::watcher_context>(
                watch::watcher_context{ex, store_, *clock_, commits_, std::move(hooks), {}});
        }
        // mb is an element of *cfg_: the watcher refers to it there, and keeps cfg_ alive across reloads.
        rt.watcher = std::make_unique<watch::mailbox_watcher>(watcher_context_, cfg_, mb, rt.source);
        mailboxes_.emplace(mb.id, std::move(rt));
    }

    // The SCM's controls arrive on its own thread: they only post into the loop.
    void tell_service_manager_started() {
        if (options_.service == nullptr || !options_.service->started) return;
        service::platform::daemon_controls controls;
        controls.stop = [this] { net::post(ioc_, [this] { shutdown(); }); };
        controls.reload = [this] { net::post(ioc_, [this] { reload(); }); };
        options_.service->started(std::move(controls));
    }

    void listen_signals() {
        signals_.async_wait([this](boost::system::error_code ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                reload();
                listen_signals();
                return;
            }
            spdlog::info("signal {}: stopping", sig);
            shutdown();
        });
    }

    // Applies a valid new config: every mailbox gets its new triggers. An
    // invalid one changes nothing.
    void reload() {
        if (stopping_) return;
        reporting_.reloading();
        auto loaded = config::load_config(cfg_->main_file);
        if (!loaded.cfg) {
            for (const auto& e : loaded.errors) spdlog::error("reload rejected: {}", config::format(e));
            reporting_.reloaded(false);
            return;
        }
        cfg_ = std::make_shared<const config::config>(std::move(*loaded.cfg));
        apply_log_level(cfg_->log.level);  // log.format stays: the sink is set up once, at start
        apply_mailboxes();
        spdlog::info("reloaded {}: {} mailboxes, {} triggers", cfg_->main_file, cfg_->mailboxes.size(),
                     cfg_->triggers.size());
        reporting_.reloaded(true);
    }

    // After a valid reload: a removed mailbox stops; one whose connection
    // settings changed, or that has failed (a corrected password file, a
    // `login` done meanwhile), restarts with the new settings; a new one
    // starts. The others keep their connections and get the new triggers.
    void apply_mailboxes() {
        std::map<std::string, const config::mailbox_config*> wanted;
        for (const auto& mb : cfg_->mailboxes) {
            if (util::in_shard(mb.id, options_.shard)) wanted.emplace(mb.id, &mb);
        }
        std::vector<std::string> to_retire;
        for (auto& [id, rt] : mailboxes_) {
            const auto it = wanted.find(id);
            const bool keep = it != wanted.end() && config::same_connection(rt.watcher->mailbox(), *it->second) &&
                              rt.watcher->status().state != watch::connection_state::failed;
            if (keep) {
                rt.watcher->set_config(cfg_);
            } else {
                to_retire.push_back(id);
            }
        }
        for (const auto& id : to_retire) retire(id);
        for (const auto& [id, mb] : wanted) {
            if (!mailboxes_.contains(id) && !retiring_.contains(id)) start_mailbox(*mb);
        }
    }

    // Stops a mailbox's watcher; once it has ended, the mailbox starts again
    // from the configuration of that moment, if it is still in it. The old
    // and new watcher never run side by side (they share state rows).
    void retire(const std::string& id) {
        unstarted_.erase(id);  // not started yet: the restart below starts it
        auto node = mailboxes_.extract(id);
        spdlog::info("mailbox={} stopping for the new configuration", id);
        auto& watcher = *node.mapped().watcher;
        retiring_.insert(std::move(node));
        watcher.stop([this, id] { net::post(ioc_, [this, id] { retired(id); }); });
    }

    void retired(const std::string& id) {
        auto node = retiring_.extract(id);
        // An action still running may use the old source: keep the stopped
        // runtime until the runner is idle.
        if (!node.empty()) graveyard_.push_back(std::move(node.mapped()));
        if (runner_.running() == 0) graveyard_.clear();
        if (stopping_ || mailboxes_.contains(id)) return;
        for (const auto& mb : cfg_->mailboxes) {
            if (mb.id == id) return start_mailbox(mb);
        }
        spdlog::info("mailbox={} removed from the configuration", id);
    }

    void start_mailbox(const config::mailbox_config& mb) {
        add_mailbox(mb);
        mailboxes_.at(mb.id).watcher->start();
        spdlog::info("mailbox={} started", mb.id);
    }

    void start_once() {
        pending_ = mailboxes_.size();
        if (pending_ == 0) return drain();
        for (auto& [id, rt] : mailboxes_) {
            rt.watcher->sync_once([this](bool ok) {
                if (!ok) exit_code_ = 1;
                if (--pending_ == 0) drain();
            });
        }
    }

    // --once: wait until no outbox row is due soon, then stop.
    void drain() {
        const auto counts = store_.counts();
        const auto due = store_.next_due();
        const bool idle = runner_.running() == 0 &&
                          (counts.pending == 0 || !due || *due > state::clock::now() + std::chrono::seconds(1));
        if (idle) return shutdown();
        drain_timer_.expires_after(std::chrono::milliseconds(100));
        drain_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) drain();
        });
    }

    void fail(const std::string& why) {
        spdlog::critical("{}; stopping", why);
        exit_code_ = 1;
        shutdown();
    }

    void shutdown() {
        if (std::exchange(stopping_, true)) return;
        reporting_.stopping();
        if (options_.service != nullptr && options_.service->stopping) options_.service->stopping();
        signals_.cancel();
        drain_timer_.cancel();
        pacing_timer_.cancel();
        unstarted_.clear();
        auto left = std::make_shared<std::size_t>(mailboxes_.size() + 1);
        auto one_done = [this, left] {
            if (--*left == 0) spdlog::info("stopped");
        };
        for (auto& [id, rt] : mailboxes_) rt.watcher->stop(one_done);
        runner_.async_stop(std::chrono::seconds(30), one_done);
    }

    net::io_context& ioc_;
    std::shared_ptr<const config::config> cfg_;
    state::store& store_;
    runtime_options options_;
    http::curl_multi multi_;
    // GetStreamingEvents only (ews_source_options::stream_http says why), on
    // Asio sockets (stream_client.hpp); NTLM streams go on to libcurl.
    http::curl_multi stream_multi_{ioc_};
    http::curl_client ntlm_stream_client_{stream_multi_};
    http::stream_client stream_client_{ioc_.get_executor(), ntlm_stream_client_};
    http::curl_client client_;  // OAuth, webhooks, and what ews_client_ hands on (NTLM, proxies)
    // EWS requests of the mailboxes (SyncFolderItems, GetItem, ...) on kept-alive
    // Asio connections (pooled_client.hpp); outlives mailboxes_.
    http::pooled_client ews_client_{ioc_.get_executor(), client_};
    oauth_services oauth_{ioc_.get_executor(), client_, cfg_->state_dir};  // outlives mailboxes_
    source::stream_hub stream_hub_{ioc_.get_executor()};  // outlives mailboxes_ (their grouped streams)
    // run children of this instance, so the next one can stop them after a crash; before exec_ (it uses it)
    actions::child_registry children_{std::filesystem::path(cfg_->state_dir) / "children"};
    std::unique_ptr<watch::clock> clock_;
    actions::executor exec_;
    actions::outbox_runner runner_;
    watch::watch_totals watch_totals_;    // for /metrics; outlive the watchers and providers below
    auth::refresh_counts token_totals_;
    // Group commit of sync pages, at most one fsync per window (commit_batcher.hpp); outlives the watchers.
    watch::commit_batcher commits_{ioc_.get_executor(), store_, *clock_, std::chrono::milliseconds{10}};
    std::shared_ptr<const watch::watcher_context> watcher_context_;  // shared by all watchers
    std::map<std::string, mailbox_runtime> mailboxes_;
    std::map<std::string, mailbox_runtime> retiring_;  // reload: stopping, to start again or go
    std::vector<mailbox_runtime> graveyard_;           // stopped, kept while actions may use them
    std::set<std::string> unstarted_;                  // waiting for their turn at start-up
    std::vector<std::string> starting_;                // started at start-up, no answer yet
    daemon_reporting reporting_;  // after mailboxes_: destroyed first, it reads them
    net::signal_set signals_{ioc_, SIGINT, SIGTERM, SIGHUP};
    net::steady_timer drain_timer_{ioc_};
    net::steady_timer pacing_timer_{ioc_};
    std::size_t pending_ = 0;
    bool stopping_ = false;
    int exit_code_ = exit_code::ok;
};

daemon_runtime::daemon_runtime(net::io_context& ioc, std::shared_ptr<const config::config> cfg, state::store& store,
                               runtime_options options)
    : impl_(std::make_unique<impl>(ioc, std::move(cfg), store, options)) {}

daemon_runtime::~daemon_runtime() = default;

int daemon_runtime::run(bool once) { return impl_->run(once); }

}  // namespace ewstrigd::cli
