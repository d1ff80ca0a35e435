#pragma once
// In-memory fakes for the actions integration tests: a state::store holding
// only the outbox, and a mail_source whose item operations are scripted.

#include "actions/payload.hpp"
#include "source/mail_source.hpp"
#include "state/store.hpp"
#include "util/base64.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>

namespace ewstrigd::test {

class fake_store final : public state::store {
public:
    // Adds a pending row due at `due`; returns its id.
    std::int64_t add(const std::string& trigger, int index, std::string payload, state::clock::time_point due,
                     int max_attempts = 6, std::string event_id = {}) {
        state::outbox_row r;
        r.id = next_id_++;
        r.event_id = event_id.empty() ? "ev-" + std::to_string(r.id) : std::move(event_id);
        r.mailbox = "mb";
        r.folder = "inbox";
        r.item_id = "item-" + std::to_string(r.id);
        r.trigger = trigger;
        r.action_index = index;
        r.payload = std::move(payload);
        r.max_attempts = max_attempts;
        r.created = due;
        r.next_attempt = due;
        rows_[r.id] = r;
        return r.id;
    }
    const state::outbox_row& row(std::int64_t id) const { return rows_.at(id); }
    std::size_t due_calls = 0;

    std::optional<std::string> sync_state(const std::string&, const std::string&) override { return std::nullopt; }
    std::vector<std::string> seen_among(const std::string&, const std::string&, const std::vector<std::string>&) override {
        return {};
    }
    std::size_t commit_sync(const std::string&, const std::string&, const std::string&,
                            const std::vector<state::new_item>&, state::clock::time_point) override {
        throw std::logic_error("not used by the runner");
    }
    void reset_sync_state(const std::string&, const std::string&) override {}

    std::vector<state::outbox_row> due_actions(state::clock::time_point now, std::size_t limit) override {
        ++due_calls;
        std::vector<state::outbox_row> out;
        for (const auto& [id, r] : rows_) {
            if (r.state == state::outbox_state::pending && r.next_attempt <= now) out.push_back(r);
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
            return a.next_attempt != b.next_attempt ? a.next_attempt < b.next_attempt : a.id < b.id;
        });
        if (out.size() > limit) out.resize(limit);
        return out;
    }
    std::optional<state::clock::time_point> next_due() override {
        std::optional<state::clock::time_point> next;
        for (const auto& [id, r] : rows_) {
            if (r.state == state::outbox_state::pending && (!next || r.next_attempt < *next)) next = r.next_attempt;
        }
        return next;
    }
    void action_done(std::int64_t id) override {
        auto& r = rows_.at(id);
        ++r.attempts;
        r.state = state::outbox_state::done;
    }
    void action_failed(std::int64_t id, const std::string& error, state::clock::time_point next) override {
        auto& r = rows_.at(id);
        ++r.attempts;
        r.last_error = error;
        r.next_attempt = next;
        if (r.attempts >= r.max_attempts) r.state = state::outbox_state::dead;
    }
    void action_dead(std::int64_t id, const std::string& error) override {
        auto& r = rows_.at(id);
        ++r.attempts;
        r.last_error = error;
        r.state = state::outbox_state::dead;
    }
    state::outbox_counts counts() override { return {}; }
    std::vector<state::outbox_row> dead_letters(std::size_t) override { return {}; }
    bool requeue(std::int64_t, state::clock::time_point) override { return false; }
    std::size_t requeue_all_dead(state::clock::time_point) override { return 0; }
    std::size_t prune(state::clock::time_point) override { return 0; }

private:
    std::map<std::int64_t, state::outbox_row> rows_;
    std::int64_t next_id_ = 1;
};

// Item operations complete (posted) with `next_outcome()`, or are held until
// release_one() when `hold` is set; a held operation completes with
// transient "cancelled" when its cancellation slot is emitted.
class fake_source final : public source::mail_source {
public:
    explicit fake_source(boost::asio::any_io_executor ex) : ex_(ex) {}

    std::string mime = "From: a@b\r\nSubject: hi\r\n\r\nbody\r\n";
    bool hold = false;
    std::deque<source::outcome> outcomes;  // consumed in order; empty: proceed
    // "mark_read ID 1", "move ID PATH 0", "mime ID", "original ID", "find_sent V", "send SUBJECT",
    // "list_attachments ID", "fetch_attachments ID1,ID2"
    std::vector<std::string> calls;
    std::vector<source::outgoing_mail> sent;  // what async_send_mail was given (its Sent Items)
    // The message's attachments: listed with their ids, fetched by id (id = "att-" + name).
    std::vector<source::attachment_file> attachments;
    std::optional<std::uint64_t> stated_size;  // the size the listing states for each; default: the real one
    std::size_t held() const { return held_.size(); }
    std::size_t max_held = 0;

    void release_one() {
        if (held_.empty()) return;
        auto h = std::move(held_.front());
        held_.pop_front();
        held_ids_.pop_front();
        boost::asio::post(ex_, [h = std::move(h), o = next_outcome()]() mutable { h(o); });
    }

private:
    template <class Signature>
    using handler = boost::asio::any_completion_handler<Signature>;
    using done_handler = handler<source::done_signature>;

    source::outcome next_outcome() {
        if (outcomes.empty()) return {};
        auto o = outcomes.front();
        outcomes.pop_front();
        return o;
    }

    void finish(done_handler h) {
        if (!hold) {
            boost::asio::post(ex_, [h = std::move(h), o = next_outcome()]() mutable { std::move(h)(o); });
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        const std::size_t index = serial_++;
        held_.push_back([h = std::make_shared<done_handler>(std::move(h))](source::outcome o) mutable {
            if (*h) std::move (*h)(o);
        });
        held_ids_.push_back(index);
        max_held = std::max(max_held, held_.size());
        if (slot.is_connected()) {
            slot.assign([this, index](boost::asio::cancellation_type) {
                const auto it = std::find(held_ids_.begin(), held_ids_.end(), index);
                if (it == held_ids_.end()) return;
                const auto pos = static_cast<std::size_t>(it - held_ids_.begin());
                auto held = std::move(held_[pos]);
                held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(pos));
                held_ids_.erase(it);
                source::outcome o;
                o.step = ews::next_step::transient;
                o.code = "cancelled";
                boost::asio::post(ex_, [held = std::move(held), o]() mutable { held(o); });
            });
        }
    }

    void listen_impl(std::vector<std::string>, source::ring_handler, handler<source::listen_signature>) override {}
    void sync_impl(std::string, std::optional<std::string>, handler<source::sync_signature>) override {}
    void fetch_impl(std::vector<std::string>, source::message_fields, std::string,
                    handler<source::fetch_signature>) override {}
    void fetch_mime_impl(std::string id, handler<source::mime_signature> h) override {
        calls.push_back("mime " + id);
        boost::asio::post(ex_, [h = std::move(h), o = next_outcome(), m = mime]() mutable { std::move(h)(o, m); });
    }
    void fetch_original_impl(std::string id, handler<source::original_signature> h) override {
        calls.push_back("original " + id);
        util::base64_text original{util::base64_encode(mime), mime.size()};
        boost::asio::post(ex_, [h = std::move(h), o = next_outcome(), original]() mutable { std::move(h)(o, original); });
    }
    void mark_read_impl(std::string id, bool read, handler<source::done_signature> h) override {
        calls.push_back("mark_read " + id + " " + std::to_string(read));
        finish(std::move(h));
    }
    void move_impl(std::string id, std::string path, bool create, handler<source::done_signature> h) override {
        calls.push_back("move " + id + " " + path + " " + std::to_string(create));
        finish(std::move(h));
    }

    // Mail out: a send that proceeds lands in `sent`; find_sent looks there.
    void send_mail_impl(source::outgoing_mail mail, handler<source::done_signature> h) override {
        calls.push_back("send " + mail.subject);
        auto o = next_outcome();
        if (o.step == ews::next_step::proceed) sent.push_back(std::move(mail));
        boost::asio::post(ex_, [h = std::move(h), o]() mutable { std::move(h)(o); });
    }
    void find_sent_impl(std::string header, std::string value, handler<source::found_signature> h) override {
        calls.push_back("find_sent " + value);
        const bool found = std::any_of(sent.begin(), sent.end(), [&](const source::outgoing_mail& m) {
            return std::any_of(m.internet_headers.begin(), m.internet_headers.end(),
                               [&](const auto& kv) { return kv.first == header && kv.second == value; });
        });
        boost::asio::post(ex_, [h = std::move(h), found]() mutable { std::move(h)(source::outcome{}, found); });
    }

    void list_attachments_impl(std::string id, handler<source::listed_signature> h) override {
        calls.push_back("list_attachments " + id);
        std::vector<source::listed_attachment> listed;
        for (const auto& a : attachments) {
            const auto size = stated_size.value_or(a.content.decoded_size);
            listed.push_back({"att-" + a.name, a.name, a.content_type, size, false});
        }
        boost::asio::post(ex_, [h = std::move(h), o = next_outcome(), listed]() mutable { std::move(h)(o, listed); });
    }
    void fetch_attachments_impl(std::vector<std::string> ids, handler<source::attachments_signature> h) override {
        std::string call = "fetch_attachments ";
        std::vector<source::attachment_file> files;
        for (const auto& id : ids) {
            call += (files.empty() ? "" : ",") + id;
            for (const auto& a : attachments) {
                if ("att-" + a.name == id) files.push_back(a);
            }
        }
        calls.push_back(call);
        boost::asio::post(ex_, [h = std::move(h), o = next_outcome(), files]() mutable { std::move(h)(o, files); });
    }

    boost::asio::any_io_executor ex_;
    std::deque<std::function<void(source::outcome)>> held_;
    std::deque<std::size_t> held_ids_;
    std::size_t serial_ = 0;
};

}  // namespace ewstrigd::test
