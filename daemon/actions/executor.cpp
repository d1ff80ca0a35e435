#include "actions/executor.hpp"

#include "actions/environment.hpp"
#include "actions/execution.hpp"
#include "actions/rate_limiter.hpp"
#include "util/named_logger.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace ewstrigd::actions {

namespace net = boost::asio;

executor::execution::execution(net::any_io_executor e, config::action_config a, job jb,
                               net::any_completion_handler<execute_signature> h)
    : ex(e), action(std::move(a)), j(std::move(jb)), msg(message_of(j)), handler(std::move(h)), deadline(e) {
    abort = [this] { sub.emit(net::cancellation_type::all); };
}

void executor::execution::complete(outcome o) {
    if (!handler) return;
    deadline.cancel();
    if (auto slot = net::get_associated_cancellation_slot(handler); slot.is_connected()) slot.clear();
    if (o.result != outcome::kind::done && cancelled) o = outcome::retry("cancelled (shutting down)");
    net::post(ex, [h = std::move(handler), o = std::move(o)]() mutable { std::move(h)(std::move(o)); });
    abort = nullptr;  // it may hold references to the kind's state
}

void executor::execution::start_deadline(std::chrono::milliseconds d) {
    deadline.expires_after(d);
    deadline.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->finished()) return;
        self->timed_out = true;
        if (self->abort) self->abort();
    });
}

void executor::execution::stop_deadline() { deadline.cancel(); }

outcome from_source(const source::outcome& o, const std::string& what, bool timed_out) {
    using ews::next_step;
    if (o.step == next_step::proceed) return outcome::ok(what + " done");
    if (timed_out) return outcome::retry(what + " timed out");
    const std::string why = what + " failed: " + (o.reason.empty() ? o.code : o.reason);
    switch (o.step) {
        case next_step::permanent: return outcome::dead(why);
        case next_step::retry_after: return outcome::retry(why, o.delay);
        default: return outcome::retry(why);
    }
}

executor::executor(net::any_io_executor ex, executor_options options)
    : ex_(ex), options_(std::move(options)), mail_rate_(std::make_shared<rate_limiter>()) {
    if (!options_.log) options_.log = util::named_logger("actions");
    if (options_.environment.empty()) options_.environment = current_environment();
    if (options_.temp_dir.empty()) {
        std::error_code ec;
        options_.temp_dir = std::filesystem::temp_directory_path(ec);
        if (ec) options_.temp_dir = "/tmp";
    }
}

executor::~executor() = default;

void executor::execute_impl(config::action_config action, job j, net::any_completion_handler<execute_signature> h) {
    auto e = std::make_shared<execution>(ex_, std::move(action), std::move(j), std::move(h));
    if (auto slot = net::get_associated_cancellation_slot(e->handler); slot.is_connected()) {
        slot.assign([weak = std::weak_ptr<execution>(e)](net::cancellation_type) {
            auto self = weak.lock();
            if (!self || self->finished() || self->cancelled) return;
            self->cancelled = true;
            if (self->abort) self->abort();
        });
    }
    switch (kind_of(e->action)) {
        case action_kind::run: return do_run(e);
        case action_kind::webhook: return do_webhook(e);
        case action_kind::save: return do_save(e);
        case action_kind::mark_read: return do_mark_read(e);
        case action_kind::move_to: return do_move(e);
        case action_kind::log: return do_log(e);
        case action_kind::reply:
        case action_kind::forward:
        case action_kind::send: return do_mail_out(e);
    }
}

void executor::do_mark_read(const std::shared_ptr<execution>& e) {
    const bool read = std::get<config::mark_read_action>(e->action.what).read;
    source::mail_source* src = options_.source_for ? options_.source_for(e->j.mailbox) : nullptr;
    if (src == nullptr) return e->complete(outcome::retry("mailbox " + e->j.mailbox + " has no mail source right now"));
    const std::string what = read ? "mark read" : "mark unread";
    e->start_deadline(timeout_of(e->action));
    src->async_mark_read(e->msg.item_id, read, net::bind_cancellation_slot(e->sub_slot(), [e, what](source::outcome o) {
                             e->complete(from_source(o, what, e->timed_out));
                         }));
}

void executor::do_move(const std::shared_ptr<execution>& e) {
    const auto& move = std::get<config::move_action>(e->action.what);
    source::mail_source* src = options_.source_for ? options_.source_for(e->j.mailbox) : nullptr;
    if (src == nullptr) return e->complete(outcome::retry("mailbox " + e->j.mailbox + " has no mail source right now"));
    const std::string what = "move to " + move.folder;
    e->start_deadline(timeout_of(e->action));
    src->async_move(e->msg.item_id, move.folder, move.create,
                    net::bind_cancellation_slot(e->sub_slot(), [e, what](source::outcome o) {
                        e->complete(from_source(o, what, e->timed_out));
                    }));
}

void executor::do_log(const std::shared_ptr<execution>& e) {
    const auto& log = std::get<config::log_action>(e->action.what);
    const std::string text = match::expand(log.message.text, context_of(e->j, e->msg));
    const auto level = log.level == "debug" ? spdlog::level::debug
                       : log.level == "warn" ? spdlog::level::warn
                       : log.level == "error" ? spdlog::level::err
                                              : spdlog::level::info;
    options_.log->log(level, "mailbox={} trigger={} event={} {}", e->j.mailbox, e->j.trigger, e->j.event_id, text);
    e->complete(outcome::ok("logged"));
}

}  // namespace ewstrigd::actions
