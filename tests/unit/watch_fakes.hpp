#pragma once
// Fakes for the watch loop's unit tests: a mailbox simulated in memory (the
// mail_source), an in-memory store with the commit semantics of
// state/store.hpp, and a clock whose time moves only when a test says so.
// Every completion is posted to the io_context, never run inside the call,
// as the real implementations promise.

#include "config/loader.hpp"
#include "source/mail_source.hpp"
#include "state/store.hpp"
#include "watch/clock.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ewstrigd::testing {

namespace net = boost::asio;
using std::chrono::milliseconds;

template <class Handler, class... Args>
void post_completion(const net::any_io_executor& ex, Handler h, Args... args) {
    net::post(ex, [h = std::move(h), ... a = std::move(args)]() mutable { std::move(h)(std::move(a)...); });
}

inline source::outcome failure(ews::next_step step, std::string code = "ErrorX", milliseconds delay = {}) {
    return {step, delay, std::move(code), "simulated"};
}

// ---------------------------------------------------------------- clock
class fake_clock final : public watch::clock {
public:
    explicit fake_clock(net::any_io_executor ex) : ex_(std::move(ex)) {}

    std::chrono::system_clock::time_point now() override { return now_; }

    // Moves time forward and completes, in due order, every sleep that ends by then.
    void advance(milliseconds d) {
        now_ += d;
        for (;;) {
            auto due = std::min_element(sleepers_.begin(), sleepers_.end(),
                                        [](const auto& a, const auto& b) { return a.second.due < b.second.due; });
            if (due == sleepers_.end() || due->second.due > now_) return;
            complete(due->first, {});
        }
    }

    std::vector<milliseconds> requested;  // every sleep asked for, in order
    std::size_t sleeping() const { return sleepers_.size(); }

private:
    using handler = net::any_completion_handler<watch::sleep_signature>;
    struct sleeper {
        std::chrono::system_clock::time_point due;
        handler h;
    };

    void sleep_impl(milliseconds d, handler h) override {
        requested.push_back(d);
        const auto id = next_id_++;
        auto slot = net::get_associated_cancellation_slot(h);
        if (slot.is_connected()) {
            slot.assign([this, id](net::cancellation_type) { complete(id, net::error::operation_aborted); });
        }
        sleepers_.emplace(id, sleeper{now_ + d, std::move(h)});
    }

    void complete(std::uint64_t id, boost::system::error_code ec) {
        auto it = sleepers_.find(id);
        if (it == sleepers_.end()) return;
        auto h = std::move(it->second.h);
        sleepers_.erase(it);
        post_completion(ex_, std::move(h), ec);
    }

    net::any_io_executor ex_;
    std::chrono::system_clock::time_point now_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}};
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, sleeper> sleepers_;
};

// ---------------------------------------------------------------- source
// Sync states are "EPOCH:N" (N = items of the folder already reported);
// invalidate_states() bumps the epoch so older states are rejected.
class fake_source final : public source::mail_source {
public:
    explicit fake_source(net::any_io_executor ex) : ex_(std::move(ex)) {}

    std::string deliver(const std::string& folder, const std::string& subject) {
        match::message m;
        m.item_id = "item-" + std::to_string(++last_id_);
        m.subject = subject;
        m.from = {"Sender", "sender@example.com"};
        folders[folder].push_back(m);
        return m.item_id;
    }
    void invalidate_states() { ++epoch_; }

    // The doorbell: rings the open listen, or ends it.
    bool listening() const { return listen_.has_value(); }
    void ring(const std::string& folder) {
        ASSERT_TRUE(on_ring_) << "nobody listens";
        on_ring_(folder);
    }
    void end_listen(source::outcome o) {
        ASSERT_TRUE(listen_) << "no listen open";
        if (o.step == ews::next_step::resubscribe) subscribed_ = false;
        auto h = std::move(*listen_);
        listen_.reset();
        on_ring_ = {};
        post_completion(ex_, std::move(h), std::move(o));
    }

    // While held, syncs wait for release_sync() (to ring during a sync).
    bool hold_syncs = false;
    std::size_t held() const { return held_.size(); }
    void release_sync() {
        ASSERT_FALSE(held_.empty());
        auto [folder, state, h] = std::move(held_.front());
        held_.pop_front();
        serve_sync(folder, state, std::move(h));
    }

    std::map<std::string, std::vector<match::message>> folders;
    std::size_t page_size = 100;
    std::deque<source::outcome> sync_failures;    // the next syncs complete with these
    std::deque<source::outcome> fetch_failures;   // the next fetches complete with these
    std::deque<source::outcome> listen_results;   // the next listens complete at once with these
    int syncs = 0;
    int listens = 0;
    // Streaming or pull (the mailbox's watch.mode must say so too); poll mode
    // (false) has no subscription and rings only on ring().
    bool subscribes = false;
    std::vector<std::vector<std::string>> fetched;  // ids of every fetch
    std::vector<source::message_fields> fetched_fields;

private:
    using sync_handler = net::any_completion_handler<source::sync_signature>;

    void listen_impl(std::vector<std::string> watched, source::ring_handler on_ring,
                     net::any_completion_handler<source::listen_signature> h) override {
        ++listens;
        if (!listen_results.empty()) {
            auto o = listen_results.front();
            listen_results.pop_front();
            if (o.step == ews::next_step::resubscribe) subscribed_ = false;
            post_completion(ex_, std::move(h), std::move(o));
            return;
        }
        if (subscribes && !std::exchange(subscribed_, true)) {
            // As the real source: a new subscription rings every folder once,
            // when Subscribe answered, i.e. after what the caller started
            // meanwhile has begun (two hops of the loop).
            net::post(ex_, [ex = ex_, on_ring, watched = std::move(watched)]() mutable {
                net::post(ex, [on_ring = std::move(on_ring), watched = std::move(watched)] {
                    for (const auto& f : watched) on_ring(f);
                });
            });
        }
        auto slot = net::get_associated_cancellation_slot(h);
        if (slot.is_connected()) {
            slot.assign([this](net::cancellation_type) {
                if (listen_) end_listen({ews::next_step::transient, {}, "cancelled", "cancelled"});
            });
        }
        listen_.emplace(std::move(h));
        on_ring_ = std::move(on_ring);
    }

    void sync_impl(std::string folder, std::optional<std::string> state, sync_handler h) override {
        ++syncs;
        if (hold_syncs) {
            held_.emplace_back(std::move(folder), std::move(state), std::move(h));
            return;
        }
        serve_sync(folder, state, std::move(h));
    }

    void serve_sync(const std::string& folder, const std::optional<std::string>& state, sync_handler h) {
        if (!sync_failures.empty()) {
            auto o = sync_failures.front();
            sync_failures.pop_front();
            post_completion(ex_, std::move(h), std::move(o), source::folder_changes{});
            return;
        }
        std::size_t from = 0;
        if (state) {
            const auto colon = state->find(':');
            if (std::stoi(state->substr(0, colon)) != epoch_) {
                post_completion(ex_, std::move(h), failure(ews::next_step::resync, "ErrorInvalidSyncStateData"),
                                source::folder_changes{});
                return;
            }
            from = std::stoul(state->substr(colon + 1));
        }
        const auto& items = folders[folder];
        const std::size_t to = std::min(items.size(), from + page_size);
        source::folder_changes changes;
        for (std::size_t i = from; i < to; ++i) changes.created.push_back(items[i].item_id);
        changes.more = to < items.size();
        changes.sync_state = std::to_string(epoch_) + ":" + std::to_string(to);
        post_completion(ex_, std::move(h), source::outcome{}, std::move(changes));
    }

    void fetch_impl(std::vector<std::string> ids, source::message_fields fields, std::string folder,
                    net::any_completion_handler<source::fetch_signature> h) override {
        fetched.push_back(ids);
        fetched_fields.push_back(fields);
        if (!fetch_failures.empty()) {
            auto o = fetch_failures.front();
            fetch_failures.pop_front();
            post_completion(ex_, std::move(h), std::move(o), std::vector<match::message>{});
            return;
        }
        std::vector<match::message> out;
        for (const auto& id : ids) {
            for (const auto& m : folders[folder]) {
                if (m.item_id != id) continue;
                out.push_back(m);
                out.back().folder = folder;
            }
        }
        post_completion(ex_, std::move(h), source::outcome{}, std::move(out));
    }

    void fetch_mime_impl(std::string, net::any_completion_handler<source::mime_signature> h) override {
        post_completion(ex_, std::move(h), failure(ews::next_step::permanent), std::string{});
    }
    void fetch_original_impl(std::string, net::any_completion_handler<source::original_signature> h) override {
        post_completion(ex_, std::move(h), failure(ews::next_step::permanent), util::base64_text{});
    }
    void mark_read_impl(std::string, bool, net::any_completion_handler<source::done_signature> h) override {
        post_completion(ex_, std::move(h), source::outcome{});
    }
    void move_impl(std::string, std::string, bool, net::any_completion_handler<source::done_signature> h) override {
        post_completion(ex_, std::move(h), source::outcome{});
    }
    void send_mail_impl(source::outgoing_mail, net::any_completion_handler<source::done_signature> h) override {
        post_completion(ex_, std::move(h), failure(ews::next_step::permanent));
    }
    void find_sent_impl(std::string, std::string, net::any_completion_handler<source::found_signature> h) override {
        post_completion(ex_, std::move(h), failure(ews::next_step::permanent), false);
    }
    void list_attachments_impl(std::string, net::any_completion_handler<source::listed_signature> h) override {
        post_completion(ex_, std::move(h), failure(ews::next_step::permanent),
                        std::vector<source::listed_attachment>{});
    }
    void fetch_attachments_impl(std::vector<std::string>,
                                net::any_completion_handler<source::attachments_signature> h) override {
        post_completion(ex_, std::move(h), failure(ews::next_step::permanent), std::vector<source::attachment_file>{});
    }

    net::any_io_executor ex_;
    int epoch_ = 1;
    int last_id_ = 0;
    // optional + emplace: Boost 1.81's any_completion_handler move assignment
    // recurses forever (it copies `other` as an lvalue), so never assign one.
    std::optional<net::any_completion_handler<source::listen_signature>> listen_;
    source::ring_handler on_ring_;
    bool subscribed_ = false;  // a listen after a normal end reuses the subscription: no rings
    std::deque<std::tuple<std::string, std::optional<std::string>, sync_handler>> held_;
};

// ---------------------------------------------------------------- store
class fake_store final : public state::store {
public:
    bool fail_next_commit = false;  // throws store_error, changing nothing (a crash before COMMIT)
    std::map<std::pair<std::string, std::string>, std::string> states;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    std::vector<state::outbox_row> rows;
    int commits = 0;

    std::optional<std::string> sync_state(const std::string& mailbox, const std::string& folder) override {
        auto it = states.find({mailbox, folder});
        if (it == states.end()) return std::nullopt;
        return it->second;
    }
    std::vector<std::string> seen_among(const std::string& mailbox, const std::string& folder,
                                        const std::vector<std::string>& ids) override {
        std::vector<std::string> out;
        for (const auto& id : ids) {
            if (seen.count({mailbox, folder, id}) != 0) out.push_back(id);
        }
        return out;
    }
    std::size_t commit_sync(const std::string& mailbox, const std::string& folder, const std::string& new_state,
                            const std::vector<state::new_item>& items, state::clock::time_point now) override {
        if (std::exchange(fail_next_commit, false)) throw state::store_error("disk I/O error (simulated)");
        ++commits;
        std::size_t added = 0;
        for (const auto& item : items) {
            if (!seen.insert({mailbox, folder, item.item_id}).second) continue;
            for (const auto& a : item.actions) {
                state::outbox_row row;
                row.id = static_cast<std::int64_t>(rows.size() + 1);
                row.event_id = item.event_id;
                row.mailbox = mailbox;
                row.folder = folder;
                row.item_id = item.item_id;
                row.trigger = a.trigger;
                row.action_index = a.action_index;
                row.payload = a.payload;
                row.max_attempts = a.max_attempts;
                row.created = row.next_attempt = now;
                rows.push_back(row);
                ++added;
            }
        }
        states[{mailbox, folder}] = new_state;
        return added;
    }
    void reset_sync_state(const std::string& mailbox, const std::string& folder) override {
        states.erase({mailbox, folder});
    }
    std::vector<state::outbox_row> due_actions(state::clock::time_point, std::size_t) override { return {}; }
    std::optional<state::clock::time_point> next_due() override { return std::nullopt; }
    void action_done(std::int64_t) override {}
    void action_failed(std::int64_t, const std::string&, state::clock::time_point) override {}
    void action_dead(std::int64_t, const std::string&) override {}
    state::outbox_counts counts() override { return {rows.size(), 0}; }
    std::vector<state::outbox_row> dead_letters(std::size_t) override { return {}; }
    bool requeue(std::int64_t, state::clock::time_point) override { return false; }
    std::size_t requeue_all_dead(state::clock::time_point) override { return 0; }
    std::size_t prune(state::clock::time_point) override { return 0; }
};

inline config::config load_test_config(const std::string& yaml) {
    auto loaded = config::load_config_text(yaml, "/nonexistent/ewstrigd.yaml");
    for (const auto& e : loaded.errors) ADD_FAILURE() << config::format(e);
    return loaded.cfg ? *loaded.cfg : config::config{};
}

}  // namespace ewstrigd::testing
