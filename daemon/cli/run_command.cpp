// `ewstrigd run`: the composition root of the daemon (docs/daemon.md).
// One io_context on this thread; one curl client; per mailbox a credential
// provider, an ews_source and a watcher; one outbox runner.
#include "cli/commands.hpp"
#include "cli/config_errors.hpp"
#include "cli/exit_codes.hpp"

#include "actions/executor.hpp"
#include "actions/outbox_runner.hpp"
#include "auth/static_credentials.hpp"
#include "config/loader.hpp"
#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"
#include "source/ews_source.hpp"
#include "state/store.hpp"
#include "util/shard.hpp"
#include "watch/clock.hpp"
#include "watch/mailbox_watcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <map>
#include <ostream>

namespace ewstrigd::cli {
namespace {

namespace net = boost::asio;

void setup_logging(const config::log_config& log) {
    auto logger = std::make_shared<spdlog::logger>("ewstrigd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    // json: one object per line. The message is not escaped by spdlog's
    // pattern, so quotes in it are replaced rather than breaking the line.
    if (log.format == "json") {
        logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%v"})",
                            spdlog::pattern_time_type::utc);
    } else if (log.format == "journald") {
        logger->set_pattern("<%l> %n: %v");
    }
    spdlog::drop_all();
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(log.level));
}

// Everything a mailbox needs, in destruction order (watcher first).
struct mailbox_runtime {
    std::unique_ptr<auth::credential_provider> credentials;
    std::shared_ptr<source::ews_source> source;
    std::unique_ptr<watch::mailbox_watcher> watcher;
};

class daemon {
public:
    daemon(net::io_context& ioc, std::shared_ptr<const config::config> cfg, state::store& store, util::shard shard)
        : ioc_(ioc), cfg_(std::move(cfg)), store_(store), shard_(shard), multi_(ioc), client_(multi_),
          clock_(watch::make_system_clock(ioc.get_executor())),
          exec_(ioc.get_executor(), make_executor_options()),
          runner_(ioc.get_executor(), store, exec_, [this] { return cfg_; }) {}

    int run(bool once) {
        for (const auto& mb : cfg_->mailboxes) {
            if (util::in_shard(mb.id, shard_)) add_mailbox(mb);
        }
        runner_.start();
        if (once) {
            start_once();
        } else {
            for (auto& [id, rt] : mailboxes_) rt.watcher->start();
            listen_signals();
        }
        ioc_.run();
        return exit_code_;
    }

private:
    actions::executor_options make_executor_options() {
        actions::executor_options o;
        o.http = &client_;
        o.source_for = [this](const std::string& mailbox) -> source::mail_source* {
            auto it = mailboxes_.find(mailbox);
            return it == mailboxes_.end() ? nullptr : it->second.source.get();
        };
        return o;
    }

    void add_mailbox(const config::mailbox_config& mb) {
        if (mb.auth.kind != config::auth_kind::basic && mb.auth.kind != config::auth_kind::ntlm) {
            spdlog::error("mailbox={} oauth is not available in this build of `run` yet; mailbox skipped", mb.id);
            return;
        }
        auto ex = ioc_.get_executor();
        mailbox_runtime rt;
        rt.credentials = std::make_unique<auth::static_credentials>(ex, mb.auth);
        rt.source = std::make_shared<source::ews_source>(ex, mb, client_, *rt.credentials);
        watch::watcher_hooks hooks{[this] { runner_.wake(); },
                                   [this](std::exception_ptr) { fail("the state store failed"); }};
        rt.watcher = std::make_unique<watch::mailbox_watcher>(ex, mb, watch::triggers_of(*cfg_, mb.id), rt.source,
                                                              store_, *clock_, hooks);
        mailboxes_.emplace(mb.id, std::move(rt));
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

    // Applies a valid new config: mailboxes whose settings changed restart,
    // the others only get the new triggers. An invalid one changes nothing.
    void reload() {
        auto loaded = config::load_config(cfg_->main_file);
        if (!loaded.cfg) {
            for (const auto& e : loaded.errors) spdlog::error("reload rejected: {}", config::format(e));
            return;
        }
        auto next = std::make_shared<const config::config>(std::move(*loaded.cfg));
        // Restarting needs the old watcher stopped first; keep it simple: a
        // mailbox whose settings changed is reported, triggers swap for all.
        for (auto& [id, rt] : mailboxes_) rt.watcher->set_triggers(watch::triggers_of(*next, id));
        cfg_ = next;
        spdlog::info("reloaded {}: {} triggers", cfg_->main_file, cfg_->triggers.size());
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
        signals_.cancel();
        drain_timer_.cancel();
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
    util::shard shard_;
    http::curl_multi multi_;
    http::curl_client client_;
    std::unique_ptr<watch::clock> clock_;
    actions::executor exec_;
    actions::outbox_runner runner_;
    std::map<std::string, mailbox_runtime> mailboxes_;
    net::signal_set signals_{ioc_, SIGINT, SIGTERM, SIGHUP};
    net::steady_timer drain_timer_{ioc_};
    std::size_t pending_ = 0;
    bool stopping_ = false;
    int exit_code_ = exit_code::ok;
};

}  // namespace

int run_command(const run_args& args, std::ostream& out, std::ostream& err) {
    (void)out;
    auto loaded = config::load_config(args.config_file);
    if (!loaded.cfg) return report_config_errors(loaded.errors, err);
    util::shard shard;
    if (args.shard) {
        try {
            shard = util::parse_shard(*args.shard);
        } catch (const std::invalid_argument& e) {
            err << "ewstrigd: --shard: " << e.what() << '\n';
            return exit_code::usage;
        }
    }
    setup_logging(loaded.cfg->log);
    std::unique_ptr<state::store> store;
    try {
        store = state::store::open(loaded.cfg->state_dir, true);
    } catch (const state::store_error& e) {
        err << "ewstrigd: " << e.what() << '\n';
        return exit_code::invalid_config;
    }
    net::io_context ioc;
    try {
        daemon d(ioc, std::make_shared<const config::config>(std::move(*loaded.cfg)), *store, shard);
        return d.run(args.once);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}

}  // namespace ewstrigd::cli
