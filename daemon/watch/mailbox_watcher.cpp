#include "watch/mailbox_watcher.hpp"

#include "match/evaluate.hpp"
#include "util/backoff.hpp"
#include "watch/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>

namespace ewstrigd::watch {
namespace {

namespace net = boost::asio;
using net::awaitable;
using net::use_awaitable;
using source::outcome;
using step = ews::next_step;
constexpr auto as_values = net::experimental::as_tuple(use_awaitable);

// A doorbell that answers "done" at once several times in a row is broken
// (or a fake); listening again at once would spin, so it backs off.
constexpr int max_quick_relistens = 5;
// sync_once gives each folder this many tries before reporting failure.
constexpr int once_attempts = 4;

std::string describe(const outcome& o) {
    if (o.code.empty()) return o.reason;
    return o.code + ": " + o.reason;
}

std::chrono::milliseconds retry_delay(const outcome& o, util::backoff& delay, const watch_timing& timing) {
    switch (o.step) {
        case step::retry_after: return delay.next(o.delay);
        case step::permanent: return timing.failed_retry;
        default: return delay.next();
    }
}

}  // namespace

// A folder syncs in a run of its own, started by a ring, the safety timer
// or start(), that ends once the folder is synced: an idle folder keeps no
// suspended coroutine (10,000 mailboxes: issue 8). Rings during a run
// coalesce into exactly one more sync.
struct mailbox_watcher::folder {
    explicit folder(std::string n) : name(std::move(n)) {}
    std::string name;
    bool running = false;  // a run is under way
    bool rung = false;     // rung during the run's sync: sync once more
    bool resync = false;   // the stored state is broken: sync from nothing until a page is committed
    std::unique_ptr<net::cancellation_signal> signal;  // the run's, for stop()
};

mailbox_watcher::mailbox_watcher(std::shared_ptr<const watcher_context> context,
                                 std::shared_ptr<const config::config> cfg, const config::mailbox_config& mailbox,
                                 std::shared_ptr<source::mail_source> source)
    : context_(std::move(context)),
      bound_{cfg, &mailbox, cfg ? triggers_of(*cfg, mailbox.id) : trigger_list{}},
      source_(std::move(source)),
      doorbell_delay_(context_->timing.backoff_initial, context_->timing.backoff_cap, util::seed_of(mailbox.id)),
      private_totals_(context_->hooks.totals != nullptr ? nullptr : std::make_unique<watch_totals>()),
      totals_(context_->hooks.totals != nullptr ? *context_->hooks.totals : *private_totals_) {
    for (const auto& name : mailbox.watch->folders) folders_.push_back(std::make_unique<folder>(name));
}

mailbox_watcher::~mailbox_watcher() {
    // Ring handlers the source may still hold become no-ops.
    alive_.reset();
}

void mailbox_watcher::start() {
    start_doorbell();
    // An idle mailbox's safety timer is an entry in the clock's list, not a sleep of its own (issue 8).
    context_->clock.call_every(safety_timer_, context_->timing.safety_interval, [this] {
        for (auto& f : folders_) wake(*f);
    });
    // A new subscription rings every folder (mail_source.hpp), and only a
    // sync that starts after the subscription exists covers the mail that
    // arrives meanwhile. A sync started now as well would be a second one
    // per folder: 10,000 extra SyncFolderItems at start-up (issue 8). Poll
    // mode has no subscription; a first listen that fails syncs at once.
    if (mailbox().watch->mode == config::watch_mode::poll) {
        for (auto& f : folders_) wake(*f);
    } else {
        first_ring_pending_ = true;
    }
}

void mailbox_watcher::wake_all_if_never_rung() {
    if (!std::exchange(first_ring_pending_, false)) return;
    for (auto& f : folders_) wake(*f);
}

void mailbox_watcher::sync_once(std::function<void(bool)> done) { spawn(once_loop(std::move(done))); }

void mailbox_watcher::stop(std::function<void()> done) {
    stopping_ = true;
    auto& o = occasional();
    o.stopped = std::move(done);
    doorbell_signal_.emit(net::cancellation_type::terminal);
    safety_timer_.stop();
    for (auto& s : o.once_signals) s.emit(net::cancellation_type::terminal);
    for (auto& f : folders_) {
        if (f->signal) f->signal->emit(net::cancellation_type::terminal);
    }
    if (running_ == 0 && o.stopped) net::post(context_->ex, std::exchange(o.stopped, nullptr));
}

mailbox_watcher::occasional_state& mailbox_watcher::occasional() {
    if (!occasional_) occasional_ = std::make_unique<occasional_state>();
    return *occasional_;
}

void mailbox_watcher::set_config(std::shared_ptr<const config::config> cfg) {
    if (!cfg) return;
    for (const auto& mb : cfg->mailboxes) {
        if (mb.id != mailbox_id()) continue;
        auto triggers = triggers_of(*cfg, mb.id);
        bound_ = bound_config{std::move(cfg), &mb, std::move(triggers)};
        return;
    }
}

mailbox_status mailbox_watcher::status() const {
    using time_point = std::chrono::system_clock::time_point;
    const auto unless_never = [](time_point t) { return t == time_point{} ? std::nullopt : std::optional{t}; };
    mailbox_status s;
    s.mailbox = mailbox_id();
    s.state = state_;
    if (last_failure_) {
        s.last_error = last_failure_->text;
        s.last_error_time = last_failure_->time;
    }
    s.last_ring = unless_never(last_ring_);
    s.last_sync = unless_never(last_sync_);
    s.last_event = unless_never(last_event_);
    return s;
}

void mailbox_watcher::spawn(awaitable<void> loop) {
    auto& signal = occasional().once_signals.emplace_back();
    ++running_;
    net::co_spawn(context_->ex, std::move(loop),
                  net::bind_cancellation_slot(signal.slot(), [this](std::exception_ptr e) { loop_ended(e); }));
}

void mailbox_watcher::loop_ended(std::exception_ptr e) {
    --running_;
    if (e && !stopping_) {
        // Not a cancellation: the store failed or an invariant broke.
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log()->critical("mailbox={} watch loop failed: {}", mailbox_id(), ex.what());
        } catch (...) {
            log()->critical("mailbox={} watch loop failed", mailbox_id());
        }
        state_ = connection_state::failed;
        if (context_->hooks.on_fatal) context_->hooks.on_fatal(e);
    }
    if (running_ == 0 && stopping_) {
        state_ = connection_state::stopped;
        if (occasional_ && occasional_->stopped) net::post(context_->ex, std::exchange(occasional_->stopped, nullptr));
    }
}

void mailbox_watcher::ring(const std::string& folder_name) {
    first_ring_pending_ = false;
    doorbell_down_ = false;
    ++totals_.notifications;
    last_ring_ = context_->clock.now();
    if (state_ != connection_state::failed) state_ = connection_state::connected;
    for (auto& f : folders_) {
        if (match::equals_text(f->name, folder_name)) {
            wake(*f);
            return;
        }
    }
    log()->debug("mailbox={} ring for unwatched folder {}", mailbox_id(), folder_name);
}

// A listen or sync the source failed: its code, unless it is the
// cancellation that stop() caused.
void mailbox_watcher::count_failure(const outcome& o) {
    if (o.step == step::proceed || stopping_ || o.code == "cancelled") return;
    totals_.count_error(o.code);
}

void mailbox_watcher::note_success() {
    if (!doorbell_down_) state_ = connection_state::connected;
    last_sync_ = context_->clock.now();
}

void mailbox_watcher::note_failure(const outcome& o, std::string_view what, std::string_view folder_name,
                                   std::chrono::milliseconds retry_in) {
    if (stopping_) return;  // the cancellation that stop() caused is no failure
    const bool permanent = o.step == step::permanent;
    state_ = permanent ? connection_state::failed : connection_state::backing_off;
    if (!last_failure_) last_failure_ = std::make_unique<failure_note>();
    last_failure_->text = describe(o);
    last_failure_->time = context_->clock.now();
    totals_.backoff += retry_in;
    const auto level = permanent ? spdlog::level::err : spdlog::level::warn;
    log()->log(level, "mailbox={}{}{} {} failed ({}): {}; retrying in {} ms", mailbox_id(),
               folder_name.empty() ? "" : " folder=", folder_name, what, ews::to_string(o.step), last_failure_->text,
               retry_in.count());
}

// The doorbell is a chain of callbacks, not a coroutine: while a grouped
// mailbox is idle its listen is a record in the stream hub, and nothing of
// the watcher waits suspended (issue 8). It counts as a running loop until
// stop() cancels it.
void mailbox_watcher::start_doorbell() {
    ++running_;
    listen(doorbell_signal_.slot());
}

void mailbox_watcher::listen(net::cancellation_slot slot) {
    // Only the weak pointer: small enough for std::function to keep without an allocation.
    source::ring_handler on_ring = [alive = std::weak_ptr{alive_}](const std::string& folder_name) {
        if (const auto self = alive.lock()) (*self)->ring(folder_name);
    };
    source_->async_listen(mailbox().watch->folders, std::move(on_ring),
                          net::bind_cancellation_slot(slot, [this, slot, started = context_->clock.now()](outcome o) {
                              listened(slot, started, std::move(o));
                          }));
}

void mailbox_watcher::listened(net::cancellation_slot slot, std::chrono::system_clock::time_point started, outcome o) {
    count_failure(o);
    if (stopping_) return loop_ended(nullptr);
    if (o.step == step::proceed || o.step == step::resubscribe) {
        // Normal end of a connection, or a lost subscription: listen again
        // at once (the next listen subscribes and rings every folder).
        if (o.step == step::proceed) doorbell_delay_.reset();
        quick_listens_ = context_->clock.now() - started < std::chrono::seconds(1) ? quick_listens_ + 1 : 0;
        if (quick_listens_ < max_quick_relistens) return listen(slot);
        quick_listens_ = 0;
        o = {step::transient, {}, "quick-return", "the doorbell ended at once several times in a row"};
    }
    const auto wait = retry_delay(o, doorbell_delay_, context_->timing);
    note_failure(o, "doorbell", "", wait);
    doorbell_down_ = true;
    wake_all_if_never_rung();  // catch up while the doorbell backs off
    context_->clock.async_sleep(wait, net::bind_cancellation_slot(slot, [this, slot](boost::system::error_code ec) {
                           if (ec || stopping_) return loop_ended(nullptr);
                           listen(slot);
                       }));
}

void mailbox_watcher::wake(folder& f) {
    if (stopping_) return;
    if (f.running) {
        f.rung = true;  // already true: the same ring (coalescing)
        return;
    }
    f.running = true;
    f.signal = std::make_unique<net::cancellation_signal>();
    ++running_;
    net::co_spawn(context_->ex, folder_run(&f),
                  net::bind_cancellation_slot(f.signal->slot(), [this, &f](std::exception_ptr e) {
                      f.running = false;
                      // Destroyed later: co_spawn may still use the signal's slot on its way out.
                      net::post(context_->ex, [signal = std::move(f.signal)] {});
                      // A ring after the run's last look at `rung` (none today: co_spawn
                      // completes inline) must not be lost.
                      const bool rung_meanwhile = !e && std::exchange(f.rung, false);
                      loop_ended(e);
                      if (rung_meanwhile) wake(f);
                  }));
}

// A folder's retries, seeded by mailbox and folder so that 10,000 folders
// failing together do not retry together.
util::backoff mailbox_watcher::folder_backoff(const folder& f) const {
    const auto& t = context_->timing;
    return {t.backoff_initial, t.backoff_cap, util::seed_of(mailbox_id() + '\0' + f.name)};
}

awaitable<void> mailbox_watcher::folder_run(folder* f) {
    auto delay = folder_backoff(*f);
    bool resynced_at_once = false;
    for (;;) {
        f->rung = false;
        const outcome o = co_await sync_folder(f);
        if (o.step == step::proceed) {
            note_success();
            if (!f->rung) co_return;  // synced: the folder waits for its next ring without a coroutine
            delay.reset();
            resynced_at_once = false;
            continue;
        }
        if (o.step == step::resync) {
            f->resync = true;
            log()->warn("mailbox={} folder={} sync state rejected ({}); syncing from the start, seen items "
                        "fire nothing",
                        mailbox_id(), f->name, describe(o));
            // Once at once; a state rejected again right away is a server in trouble.
            if (!std::exchange(resynced_at_once, true)) continue;
        }
        const auto wait = retry_delay(o, delay, context_->timing);
        note_failure(o, "sync", f->name, wait);
        co_await context_->clock.async_sleep(wait, use_awaitable);
    }
}

awaitable<void> mailbox_watcher::once_loop(std::function<void(bool)> done) {
    bool all_ok = true;
    for (auto& f : folders_) {
        auto delay = folder_backoff(*f);
        outcome o;
        for (int attempt = 0; attempt < once_attempts; ++attempt) {
            o = co_await sync_folder(f.get());
            if (o.step == step::proceed || o.step == step::permanent) break;
            if (o.step == step::resync) {
                f->resync = true;
                continue;
            }
            const auto wait = retry_delay(o, delay, context_->timing);
            note_failure(o, "sync", f->name, wait);
            co_await context_->clock.async_sleep(wait, use_awaitable);
        }
        if (o.step == step::proceed) {
            note_success();
        } else {
            note_failure(o, "sync", f->name, std::chrono::milliseconds{0});
            all_ok = false;
        }
    }
    net::post(context_->ex, [done = std::move(done), all_ok] { done(all_ok); });
}

awaitable<outcome> mailbox_watcher::sync_folder(folder* f) {
    const outcome o = co_await sync_pages(f);
    if (!stopping_) ++totals_.syncs[o.step];
    count_failure(o);
    co_return o;
}

awaitable<outcome> mailbox_watcher::sync_pages(folder* f) {
    std::optional<std::string> state;
    if (!f->resync) state = context_->store.sync_state(mailbox_id(), f->name);
    // Only a folder never synced gets a baseline; after a rejected state the
    // unseen items are new mail and must fire.
    const bool baseline = !state && !f->resync && mailbox().watch->on_start == config::start_mode::new_only;
    for (;;) {
        auto [o, changes] = co_await source_->async_sync(f->name, state, as_values);
        if (o.step != step::proceed) co_return o;
        // Nothing created and the state the store holds already: writing it
        // again would change nothing (a notification that brought no new
        // mail then costs no SQLite transaction; issue 8).
        const bool unchanged = changes.created.empty() && state && *state == changes.sync_state;
        if (!unchanged) {
            const outcome handled = co_await handle_page(f, changes, baseline);
            if (handled.step != step::proceed) co_return handled;
        }
        f->resync = false;
        state = std::move(changes.sync_state);
        if (!changes.more) co_return outcome{};
    }
}

awaitable<outcome> mailbox_watcher::handle_page(folder* f, const source::folder_changes& changes, bool baseline) {
    const auto bound = bound_;  // this page keeps the triggers it started with (and their config)
    const auto& triggers = bound.triggers;
    std::vector<std::string> fresh;
    if (!changes.created.empty()) {
        const auto seen = context_->store.seen_among(mailbox_id(), f->name, changes.created);
        for (const auto& id : changes.created) {
            if (std::find(seen.begin(), seen.end(), id) == seen.end() &&
                std::find(fresh.begin(), fresh.end(), id) == fresh.end()) {
                fresh.push_back(id);
            }
        }
    }
    const bool any_trigger = std::any_of(triggers.begin(), triggers.end(),
                                         [&](const config::trigger_config* t) { return applies_to(*t, f->name); });
    std::vector<state::new_item> items;
    if (!fresh.empty() && (baseline || !any_trigger)) {
        // Recorded as seen without fetching: nothing would look at them.
        for (const auto& id : fresh) items.push_back({id, event_id_of(mailbox_id(), f->name, id), {}});
    } else if (!fresh.empty()) {
        auto [o, messages] =
            co_await source_->async_fetch(fresh, fields_needed(triggers, f->name), f->name, as_values);
        if (o.step != step::proceed) co_return o;
        const auto now = context_->clock.now();
        for (auto& msg : messages) {
            msg.folder = f->name;  // the configured name, as triggers and templates know it
            items.push_back(plan_item(triggers, mailbox_id(), f->name, msg, now));
        }
        // Ids the fetch left out no longer exist: recorded so they are not asked for again.
        for (const auto& id : fresh) {
            if (std::none_of(items.begin(), items.end(), [&](const state::new_item& i) { return i.item_id == id; })) {
                items.push_back({id, event_id_of(mailbox_id(), f->name, id), {}});
            }
        }
    }
    // Views into this frame and into the config `bound` keeps alive, whatever a reload does meanwhile.
    const state::sync_page page{&bound.mailbox->id, &f->name, &changes.sync_state, &items};
    const std::size_t added = co_await context_->commits.async_commit(page, use_awaitable);
    totals_.items_seen += items.size();
    for (const auto& item : items) {
        for (const auto& a : item.actions) {
            if (a.action_index == 0) ++totals_.items_matched[a.trigger];  // each matched trigger's first action
        }
    }
    if (added > 0) {
        totals_.actions_enqueued += added;
        last_event_ = context_->clock.now();
        log()->info("mailbox={} folder={} {} new item(s), {} action(s) enqueued", mailbox_id(), f->name, items.size(),
                    added);
        if (context_->hooks.on_enqueued) context_->hooks.on_enqueued();
    } else if (!items.empty()) {
        log()->debug("mailbox={} folder={} {} new item(s), no trigger matched", mailbox_id(), f->name, items.size());
    }
    co_return outcome{};
}

}  // namespace ewstrigd::watch
