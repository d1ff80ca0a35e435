#include "source/ews_source.hpp"

#include "ews/folders.hpp"
#include "ews/items.hpp"
#include "ews/subscribe.hpp"
#include "ews/sync.hpp"
#include "mail/ews_item.hpp"
#include "source/affinity.hpp"
#include "source/doorbell.hpp"
#include "source/stream_hub.hpp"
#include "source/stream_reading.hpp"
#include "source/folder_names.hpp"
#include "source/interned.hpp"
#include "source/own_stream.hpp"
#include "util/base64.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <variant>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using net::use_awaitable;
using namespace std::chrono_literals;

const outcome ok{};

outcome make(ews::next_step step, std::string code, std::string reason) {
    return {step, {}, std::move(code), std::move(reason)};
}

// Item operations on an item that is gone: retrying cannot bring it back.
outcome item_decision(const ews::ews_status& s) {
    if (s.code == "ErrorItemNotFound")
        return make(ews::next_step::permanent, s.code, "the item no longer exists (ErrorItemNotFound)");
    return message_decision(s);
}

std::vector<std::string> fetch_properties(const message_fields& f) {
    // Always fetched (mail_source.hpp): subject, sender, recipients, received
    // time, importance, read flag, has-attachments.
    std::vector<std::string> p{"item:Subject",          "message:From",      "message:Sender",
                               "message:ToRecipients",  "message:CcRecipients", "item:DateTimeReceived",
                               "item:Importance",       "message:IsRead",    "item:HasAttachments"};
    if (f.body) p.emplace_back("item:Body");
    if (f.attachments) p.emplace_back("item:Attachments");
    if (f.categories) p.emplace_back("item:Categories");
    if (f.internet_headers) p.emplace_back("item:InternetMessageHeaders");
    return p;
}

ews::folder_ref folder_ref_of(const std::string& id) { return ews::folder_id{id, std::nullopt}; }

// The first response message of a usable GetFolder/FindFolder/CreateFolder
// answer, or what is wrong with the answer.
std::variant<outcome, ews::folders_message> first_folders_message(const exchange_reply& r, std::string_view operation) {
    if (auto p = reply_problem(r, operation)) return *p;
    auto parsed = ews::parse_folders(*r.body);
    auto* messages = std::get_if<std::vector<ews::folders_message>>(&parsed);
    if (!messages || messages->empty())
        return make(ews::next_step::transient, "unexpected-response", std::string{operation} + " answered nothing");
    return std::move(messages->front());
}

// The FolderId of the one folder a successful GetFolder/CreateFolder message names.
std::pair<outcome, std::string> single_folder_id(const ews::folders_message& m, std::string_view operation) {
    if (m.folders.empty() || !m.folders.front().id || m.folders.front().id->id.empty())
        return {make(ews::next_step::transient, "unexpected-response", std::string{operation} + " sent no FolderId"), {}};
    return {ok, m.folders.front().id->id};
}

ews::request_context context_for(const config::mailbox_config& mb, ews::request_context ctx, bool grouped) {
    // Grouped subscriptions ask Exchange for server affinity (ews-protocol.md §0).
    if (grouped) ctx.server_affinity = true;
    if (mb.auth->kind == config::auth_kind::oauth_app && mb.auth->impersonation && !ctx.impersonate)
        ctx.impersonate = mb.address;
    // Exchange Online routes delegated requests by X-AnchorMailbox (ews-protocol.md §0).
    if (mb.auth->kind == config::auth_kind::oauth_delegated && !ctx.anchor_mailbox) ctx.anchor_mailbox = mb.address;
    return ctx;
}

// Config names with their cached FolderIds (ews_source::watched_folders).
using watched_folders = std::vector<std::pair<std::string, const std::string*>>;

// The FolderIds a subscription for `watched` covers, sorted, once each.
std::vector<std::string> sorted_ids(const watched_folders& watched) {
    std::vector<std::string> ids;
    for (const auto& w : watched) ids.push_back(*w.second);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

// Rings the folders `news` concerns; every folder when unsure which.
void ring(const doorbell_news& news, const watched_folders& watched, const ring_handler& on_ring) {
    if (news.folder_ids.empty() && !news.unknown_folder) return;
    std::vector<const std::string*> hit;
    for (const auto& [name, id] : watched) {
        if (std::find(news.folder_ids.begin(), news.folder_ids.end(), *id) != news.folder_ids.end()) hit.push_back(&name);
    }
    if (news.unknown_folder || hit.empty()) {
        for (const auto& [name, id] : watched) on_ring(name);
        return;
    }
    for (const auto* name : hit) on_ring(*name);
}

// The hub only for the mailboxes whose streams it groups.
ews_source_options options_for(const config::mailbox_config& mailbox, ews_source_options options) {
    if (!groups_streams(mailbox)) options.hub = nullptr;
    options.stream_idle = {};  // per mailbox: ews_source::stream_idle_
    return options;
}

}  // namespace

ews_source::ews_source(net::any_io_executor ex, const config::mailbox_config& mailbox, http::client& client,
                       auth::credential_provider& credentials, ews::request_context context,
                       ews_source_options options)
    : common_(interned(common{std::move(ex), options_for(mailbox, options)})),
      mode_(mailbox.watch->mode),
      poll_interval_(mailbox.watch->poll_interval),
      stream_idle_(options.stream_idle),
      channel_(client, credentials,
               channel_settings{mailbox.id, interned(endpoint{mailbox.ews_url, {mailbox.tls->verify, mailbox.tls->ca_file}}),
                                context_for(mailbox, std::move(context), common_->options.hub != nullptr),
                                options.request_timeout},
               options.stream_http),
      pool_(common_->options.hub ? &common_->options.hub->pool_key(stream_pool_of(mailbox)) : nullptr) {}

// Runs `op` as a coroutine on the executor and completes `h` with its result, posted
// (so never inside the initiating call), after clearing h's cancellation
// slot. Any cancellation type is turned into terminal cancellation of the
// coroutine, which cancels whatever it awaits.
template <class Signature, class... Results>
void ews_source::launch(const char* what, task<std::tuple<outcome, Results...>> op, completion<Signature> h) {
    using result = std::tuple<outcome, Results...>;
    struct cancel_state {
        net::cancellation_signal signal;
    };
    auto st = std::make_shared<cancel_state>();
    auto slot = net::get_associated_cancellation_slot(h);
    if (slot.is_connected())
        slot.assign([st](net::cancellation_type) { st->signal.emit(net::cancellation_type::terminal); });
    auto done = [this, what, st, slot, h = std::move(h)](std::exception_ptr e, result r) mutable {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::get<0>(r) = make(ews::next_step::transient, "internal", std::string{"internal error: "} + x.what());
            } catch (...) {
                std::get<0>(r) = make(ews::next_step::transient, "internal", "internal error");
            }
        }
        channel_.log_failure(what, std::get<0>(r));
        // Posted: the coroutine frame (which used st's signal) is gone before
        // the slot is cleared and the handler runs.
        net::post(common_->ex, [st, slot, h = std::move(h), r = std::move(r)]() mutable {
            if (slot.is_connected()) slot.clear();
            std::apply(std::move(h), std::move(r));
        });
    };
    net::co_spawn(common_->ex, std::move(op), net::bind_cancellation_slot(st->signal.slot(), std::move(done)));
}

void ews_source::listen_impl(std::vector<std::string> folders, ring_handler on_ring, completion<listen_signature> h) {
    on_ring_ = std::move(on_ring);
    if (mode_ != config::watch_mode::streaming) {
        launch("listen", listen_op(std::move(folders)), std::move(h));
        return;
    }
    // Streaming: the preparation is a coroutine of its own, freed before the
    // stream waits (10,000 mailboxes: issue 8). Grouped, the join is then a
    // record in the hub that completes h itself; with a stream of its own, a
    // small operation object (own_stream.hpp): an idle mailbox keeps no
    // suspended coroutine either way. A cancellation arriving after the
    // preparation ended but before its completion ran would be lost in
    // between (the preparation's signal, no join or stream yet): it is noted
    // here.
    struct preparing {
        net::cancellation_signal signal;
        bool cancelled = false;
    };
    auto st = std::make_shared<preparing>();
    auto slot = net::get_associated_cancellation_slot(h);
    if (slot.is_connected()) {
        slot.assign([st](net::cancellation_type type) {
            st->cancelled = true;
            st->signal.emit(type);
        });
    }
    auto prepared = [this, st, slot, h = std::move(h)](outcome o) mutable {
        if (slot.is_connected()) slot.clear();  // h's own slot: the join or the stream takes it over
        if (st->cancelled && o.step == ews::next_step::proceed) o = cancelled_decision();
        if (o.step != ews::next_step::proceed) return std::move(h)(std::move(o));
        // Not grouped, or a server that hands out no affinity cookie: a stream of its own.
        if (!common_->options.hub || !channel_.settings().context.backend_override_cookie)
            return async_own_stream(channel_, *this, *subscription_id_,
                                    {common_->options.connection_timeout, stream_idle_}, std::move(h));
        join_hub(std::move(h));
    };
    launch("listen", prepare_op(std::move(folders)),
           completion<listen_signature>(net::bind_cancellation_slot(st->signal.slot(), std::move(prepared))));
}

void ews_source::sync_impl(std::string folder, std::optional<std::string> sync_state, completion<sync_signature> h) {
    launch("SyncFolderItems", sync_op(std::move(folder), std::move(sync_state)), std::move(h));
}
void ews_source::fetch_impl(std::vector<std::string> ids, message_fields fields, std::string folder,
                            completion<fetch_signature> h) {
    launch("GetItem", fetch_op(std::move(ids), fields, std::move(folder)), std::move(h));
}
void ews_source::fetch_mime_impl(std::string id, completion<mime_signature> h) {
    launch("GetItem(MimeContent)", fetch_mime_op(std::move(id)), std::move(h));
}
void ews_source::fetch_original_impl(std::string id, completion<original_signature> h) {
    launch("GetItem(MimeContent)", fetch_original_op(std::move(id)), std::move(h));
}
void ews_source::mark_read_impl(std::string id, bool read, completion<done_signature> h) {
    launch("UpdateItem", mark_read_op(std::move(id), read), std::move(h));
}
void ews_source::move_impl(std::string id, std::string folder_path, bool create, completion<done_signature> h) {
    launch("MoveItem", move_op(std::move(id), std::move(folder_path), create), std::move(h));
}

// ---- doorbell -------------------------------------------------------------

ews_source::task<std::tuple<outcome>> ews_source::listen_op(std::vector<std::string> folders) {
    co_await net::this_coro::throw_if_cancelled(false);
    const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(poll_interval_);
    if (mode_ == config::watch_mode::poll) {
        if (auto o = co_await wait(interval); o.step != ews::next_step::proceed) co_return o;
        for (const auto& f : folders) on_ring_(f);
        co_return ok;
    }
    // Pull (streaming listens run prepare_op, then their stream: listen_impl).
    if (auto o = co_await prepare_listen(std::move(folders)); o.step != ews::next_step::proceed) co_return o;
    if (auto o = co_await wait(interval); o.step != ews::next_step::proceed) co_return o;
    co_return co_await pull_events();
}

ews_source::task<std::tuple<outcome>> ews_source::prepare_op(std::vector<std::string> folders) {
    co_await net::this_coro::throw_if_cancelled(false);
    co_return co_await prepare_listen(std::move(folders));
}

// Resolves the folders into watched_ and (re)subscribes when needed.
ews_source::task<outcome> ews_source::prepare_listen(std::vector<std::string> folders) {
    watched_folders watched;
    for (const auto& f : folders) {
        auto [o, id] = co_await resolve(f, false);
        if (o.step != ews::next_step::proceed) co_return o;
        watched.emplace_back(f, id);
    }
    const bool pull = mode_ == config::watch_mode::pull;
    if (!subscription_id_ || sorted_ids(watched) != sorted_ids(watched_)) {
        // A subscription for other folders is left to expire on the server.
        forget_subscription();
        if (auto o = co_await subscribe(watched, pull); o.step != ews::next_step::proceed) co_return o;
        watched_ = std::move(watched);
        // Events before the subscription existed were missed: sync every folder.
        for (const auto& [name, id] : watched_) on_ring_(name);
    } else {
        watched_ = std::move(watched);  // the same FolderIds, perhaps under other names
    }
    co_return ok;
}

ews_source::task<outcome> ews_source::wait(std::chrono::milliseconds d) {
    net::steady_timer timer(co_await net::this_coro::executor, d);
    auto [ec] = co_await timer.async_wait(net::as_tuple(use_awaitable));
    if (ec || co_await is_cancelled()) co_return cancelled_decision();
    co_return ok;
}

ews_source::task<outcome> ews_source::subscribe(const watched_folders& watched, bool pull) {
    std::vector<ews::folder_ref> refs;
    for (const auto& w : watched) refs.push_back(folder_ref_of(*w.second));
    const std::vector<ews::event_type> events{ews::event_type::new_mail, ews::event_type::created,
                                              ews::event_type::modified, ews::event_type::moved};
    const auto& ctx = channel_.settings().context;
    const int pull_timeout =
        std::max(common_->options.pull_timeout_minutes,
                 static_cast<int>(std::chrono::ceil<std::chrono::minutes>(poll_interval_).count()) + 1);
    auto body = pull ? ews::soap_request(ctx, ews::subscribe_pull{refs, events, std::nullopt, pull_timeout})
                     : ews::soap_request(ctx, ews::subscribe_streaming{refs, events});
    const auto reply = co_await channel_.exchange(ews::operation::subscribe, std::move(body));
    if (auto p = reply_problem(reply, "Subscribe")) co_return *p;
    if (auto e = first_error(*reply.body, message_decision); e.step != ews::next_step::proceed) co_return e;
    const auto parsed = ews::parse_subscribe(*reply.body);
    const auto* subs = std::get_if<std::vector<ews::subscription>>(&parsed);
    if (!subs || subs->empty() || subs->front().subscription_id.empty())
        co_return make(ews::next_step::transient, "unexpected-response", "the Subscribe answer holds no SubscriptionId");
    subscription_id_ = subs->front().subscription_id;
    // Only GetEvents starts from a watermark: a streaming mailbox keeps none (issue 8).
    if (pull) watermark_ = subs->front().watermark;
    // Grouped streams need to know the server holding the subscription (stream_hub.hpp).
    if (common_->options.hub && !pull) channel_.set_backend_override_cookie(backend_override_cookie(reply.http));
    co_return ok;
}

// Joins the hub with the subscription and its affinity cookie; the hub's
// group connection carries its notifications (on_news) until the
// subscription fails, then completes h (after on_end). h goes to the hub as
// it is: no wrapper per idle mailbox (issue 8).
void ews_source::join_hub(completion<listen_signature> h) {
    stream_membership m;
    const auto& ctx = channel_.settings().context;
    m.pool = *pool_;
    m.cookie = *ctx.backend_override_cookie;
    m.subscription_id = *subscription_id_;  // unchanged until the join completes (forget_subscription after)
    m.stream_idle = stream_idle_;
    m.via = &channel_;
    m.listener = this;
    common_->options.hub->async_join(std::move(m), std::move(h));
}

void ews_source::on_news(const doorbell_news& news) { ring(news, watched_, on_ring_); }

void ews_source::on_end(const outcome& o) {
    if (o.step == ews::next_step::resubscribe) forget_subscription();
    channel_.log_failure("listen", o);
}

void ews_source::forget_subscription() {
    subscription_id_.reset();
    // A new subscription may land on another server (the mailbox moved): learn it anew.
    channel_.set_backend_override_cookie(std::nullopt);
}

ews_source::task<outcome> ews_source::pull_events() {
    for (;;) {
        const auto body =
            ews::soap_request(channel_.settings().context, ews::get_events{*subscription_id_, watermark_});
        const auto reply = co_await channel_.exchange(ews::operation::get_events, body);
        outcome o = ok;
        if (auto p = reply_problem(reply, "GetEvents")) o = *p;
        const auto news = o.step == ews::next_step::proceed ? read_doorbell(*reply.body) : doorbell_news{};
        if (news.failure) o = *news.failure;
        if (o.step != ews::next_step::proceed) {
            if (o.step == ews::next_step::resubscribe) forget_subscription();
            co_return o;
        }
        ring(news, watched_, on_ring_);
        if (!news.last_watermark.empty()) watermark_ = news.last_watermark;
        if (!news.more_events) co_return ok;
    }
}

// ---- folders --------------------------------------------------------------

// A GetFolder in flight, for the resolves that wait for it: they wake when it
// ends however it ends (answer, failure, cancellation) and look again.
struct ews_source::root_lookup {
    root_lookup(std::shared_ptr<net::steady_timer>& gate, const net::any_io_executor& ex) : gate_(gate) {
        gate_ = std::make_shared<net::steady_timer>(ex, net::steady_timer::time_point::max());
    }
    ~root_lookup() {
        if (auto g = std::exchange(gate_, nullptr)) g->cancel();
    }
    root_lookup(const root_lookup&) = delete;
    root_lookup& operator=(const root_lookup&) = delete;

private:
    std::shared_ptr<net::steady_timer>& gate_;
};

ews_source::task<ews_source::cached_folder> ews_source::resolve(std::string name, bool create) {
    const auto path = parse_folder_path(name);
    if (!path) co_return cached_folder{make(ews::next_step::permanent, "folder-name", "an empty folder name"), nullptr};
    std::string key = path->root;
    const std::string* id = nullptr;
    // Another resolve asking GetFolder already (the doorbell and the first
    // sync start together): wait for its answer instead of asking again.
    while (root_lookup_ && !cached_id(key)) {
        const auto gate = root_lookup_;
        co_await gate->async_wait(net::as_tuple(use_awaitable));
        if (co_await is_cancelled()) co_return cached_folder{cancelled_decision(), nullptr};
    }
    if (const auto* cached = cached_id(key)) {
        id = cached;
    } else {
        const root_lookup lookup{root_lookup_, common_->ex};
        auto [o, found] = co_await distinguished_folder_id(path->root);
        if (o.step != ews::next_step::proceed) co_return cached_folder{o, nullptr};
        id = &cache_id(key, std::move(found));
    }
    for (const auto& element : path->below) {
        key += "/" + folder_key(element);
        if (const auto* cached = cached_id(key)) {
            id = cached;
            continue;
        }
        auto [o, found] = co_await find_child(*id, element);
        if (o.step != ews::next_step::proceed) co_return cached_folder{o, nullptr};
        if (found.empty()) {
            if (!create)
                co_return cached_folder{make(ews::next_step::permanent, "ErrorFolderNotFound",
                                             "there is no folder '" + element + "' on the path '" + name + "'"),
                                        nullptr};
            auto [co, made] = co_await create_child(*id, element);
            if (co.step != ews::next_step::proceed) co_return cached_folder{co, nullptr};
            found = made;
        }
        id = &cache_id(key, std::move(found));
    }
    co_return cached_folder{ok, id};
}

const std::string* ews_source::cached_id(std::string_view key) const {
    for (const auto& [path, id] : folder_ids_) {
        if (path == key) return &id;
    }
    return nullptr;
}

const std::string& ews_source::cache_id(const std::string& key, std::string id) {
    for (auto& [path, cached] : folder_ids_) {
        if (path == key) return cached = std::move(id);  // in place: pointers to it stay valid
    }
    return folder_ids_.emplace_front(key, std::move(id)).second;
}

ews_source::task<ews_source::folder_result> ews_source::distinguished_folder_id(std::string name) {
    const auto body = ews::soap_request(channel_.settings().context,
                                        ews::get_folder{{ews::distinguished_folder{name, std::nullopt}}, {}});
    const auto reply = co_await channel_.exchange(ews::operation::get_folder, body);
    const auto first = first_folders_message(reply, "GetFolder");
    if (const auto* o = std::get_if<outcome>(&first)) co_return folder_result{*o, {}};
    const auto& m = std::get<ews::folders_message>(first);
    if (m.status.klass == ews::response_class::error) {
        if (m.status.code == "ErrorFolderNotFound")
            co_return folder_result{make(ews::next_step::permanent, m.status.code,
                                         "the mailbox has no folder '" + name + "' (ErrorFolderNotFound)"),
                                    {}};
        co_return folder_result{message_decision(m.status), {}};
    }
    co_return single_folder_id(m, "GetFolder");
}

ews_source::task<ews_source::folder_result> ews_source::find_child(std::string parent_id, std::string name) {
    constexpr int page = 200;
    for (int offset = 0;;) {
        const auto body = ews::soap_request(channel_.settings().context,
                                            ews::find_folder{folder_ref_of(parent_id), {"folder:DisplayName"}, page, offset});
        const auto reply = co_await channel_.exchange(ews::operation::find_folder, body);
        const auto first = first_folders_message(reply, "FindFolder");
        if (const auto* o = std::get_if<outcome>(&first)) co_return folder_result{*o, {}};
        const auto& m = std::get<ews::folders_message>(first);
        if (m.status.klass == ews::response_class::error) co_return folder_result{message_decision(m.status), {}};
        for (const auto& f : m.folders) {
            if (f.id && same_folder_name(f.display_name, name)) co_return folder_result{ok, f.id->id};
        }
        const auto next = m.indexed_paging_offset.value_or(0);
        if (m.includes_last_item_in_range.value_or(true) || m.folders.empty() || next <= static_cast<std::uint64_t>(offset))
            co_return folder_result{ok, {}};
        offset = static_cast<int>(std::min<std::uint64_t>(next, 1'000'000));
    }
}

ews_source::task<ews_source::folder_result> ews_source::create_child(std::string parent_id, std::string name) {
    const auto body =
        ews::soap_request(channel_.settings().context, ews::create_folder{folder_ref_of(parent_id), name});
    const auto reply = co_await channel_.exchange(ews::operation::create_folder, body);
    const auto first = first_folders_message(reply, "CreateFolder");
    if (const auto* o = std::get_if<outcome>(&first)) co_return folder_result{*o, {}};
    const auto& m = std::get<ews::folders_message>(first);
    if (m.status.code == "ErrorFolderExists") {
        // Created meanwhile by someone else: use theirs.
        auto [o, id] = co_await find_child(parent_id, name);
        if (o.step == ews::next_step::proceed && id.empty())
            o = make(ews::next_step::transient, "ErrorFolderExists", "folder '" + name + "' exists but was not found");
        co_return folder_result{o, id};
    }
    if (m.status.klass == ews::response_class::error) co_return folder_result{message_decision(m.status), {}};
    co_return single_folder_id(m, "CreateFolder");
}

// ---- sync and items -------------------------------------------------------

ews_source::task<std::tuple<outcome, folder_changes>> ews_source::sync_op(std::string folder,
                                                                          std::optional<std::string> sync_state) {
    co_await net::this_coro::throw_if_cancelled(false);
    auto [o, id] = co_await resolve(folder, false);
    if (o.step != ews::next_step::proceed) co_return std::tuple{o, folder_changes{}};
    if (sync_state && sync_state->empty()) sync_state.reset();
    const auto body = ews::soap_request(channel_.settings().context,
                                        ews::sync_folder_items{folder_ref_of(*id), {}, std::move(sync_state), 512});
    const auto reply = co_await channel_.exchange(ews::operation::sync_folder_items, body);
    if (auto p = reply_problem(reply, "SyncFolderItems")) co_return std::tuple{*p, folder_changes{}};
    if (auto e = first_error(*reply.body, message_decision); e.step != ews::next_step::proceed)
        co_return std::tuple{e, folder_changes{}};
    const auto parsed = ews::parse_sync_folder_items(*reply.body);
    const auto* messages = std::get_if<std::vector<ews::sync_message>>(&parsed);
    if (!messages || messages->empty() || messages->front().sync_state.empty())
        co_return std::tuple{make(ews::next_step::transient, "unexpected-response",
                                  "the SyncFolderItems answer holds no SyncState"),
                             folder_changes{}};
    const auto& m = messages->front();
    folder_changes changes;
    changes.sync_state = m.sync_state;
    changes.more = !m.includes_last_item_in_range.value_or(true);
    for (const auto& c : m.changes) {
        if (c.kind != ews::change_kind::create) continue;
        const auto& item_id = c.item_id ? c.item_id : (c.changed_item ? c.changed_item->id : std::nullopt);
        if (item_id && !item_id->id.empty()) changes.created.push_back(item_id->id);
    }
    co_return std::tuple{ok, std::move(changes)};
}

ews_source::task<std::tuple<outcome, std::vector<match::message>>> ews_source::fetch_op(
    std::vector<std::string> ids, message_fields fields, std::string folder) {
    co_await net::this_coro::throw_if_cancelled(false);
    std::vector<match::message> out;
    const auto properties = fetch_properties(fields);
    const auto batch = std::max<std::size_t>(common_->options.fetch_batch, 1);
    for (std::size_t start = 0; start < ids.size(); start += batch) {
        ews::get_item request;
        request.properties = properties;
        for (std::size_t i = start; i < std::min(ids.size(), start + batch); ++i) request.items.push_back({ids[i], std::nullopt});
        const auto reply =
            co_await channel_.exchange(ews::operation::get_item, ews::soap_request(channel_.settings().context, request));
        if (auto p = reply_problem(reply, "GetItem")) co_return std::tuple{*p, std::vector<match::message>{}};
        const auto parsed = ews::parse_items(*reply.body);
        const auto* messages = std::get_if<std::vector<ews::items_message>>(&parsed);
        if (!messages)
            co_return std::tuple{make(ews::next_step::transient, "unexpected-response", "GetItem answered no items"),
                                 std::vector<match::message>{}};
        for (const auto& m : *messages) {
            if (m.status.klass == ews::response_class::error) {
                // Deleted or moved since the sync: not an error (mail_source.hpp).
                if (m.status.code == "ErrorItemNotFound") continue;
                co_return std::tuple{message_decision(m.status), std::vector<match::message>{}};
            }
            for (const auto& item : m.items) {
                auto msg = mail::message_of(item);
                msg.folder = folder;
                out.push_back(std::move(msg));
            }
        }
    }
    co_return std::tuple{ok, std::move(out)};
}

ews_source::task<std::tuple<outcome, util::base64_text>> ews_source::fetch_original_op(std::string id) {
    co_await net::this_coro::throw_if_cancelled(false);
    const auto body =
        ews::soap_request(channel_.settings().context, ews::get_item{{{id, std::nullopt}}, {}, true});
    const auto reply = co_await channel_.exchange(ews::operation::get_item, body);
    if (auto p = reply_problem(reply, "GetItem")) co_return std::tuple{*p, util::base64_text{}};
    if (auto e = first_error(*reply.body, item_decision); e.step != ews::next_step::proceed)
        co_return std::tuple{e, util::base64_text{}};
    auto parsed = ews::parse_items(*reply.body);
    auto* messages = std::get_if<std::vector<ews::items_message>>(&parsed);
    auto content = messages && !messages->empty() && !messages->front().items.empty() &&
                           messages->front().items.front().mime_content
                       ? util::compact_base64(std::move(*messages->front().items.front().mime_content))
                       : std::nullopt;
    if (!content || content->decoded_size == 0)
        co_return std::tuple{
            make(ews::next_step::transient, "unexpected-response", "GetItem sent no base64 MimeContent"),
            util::base64_text{}};
    co_return std::tuple{ok, std::move(*content)};
}

ews_source::task<std::tuple<outcome, std::string>> ews_source::fetch_mime_op(std::string id) {
    co_await net::this_coro::throw_if_cancelled(false);
    auto [o, content] = co_await fetch_original_op(std::move(id));
    if (o.step != ews::next_step::proceed) co_return std::tuple{std::move(o), std::string{}};
    auto bytes = mail::decode_mime_content(content.text);
    co_return std::tuple{ok, std::move(bytes).value_or(std::string{})};
}

ews_source::task<std::tuple<outcome>> ews_source::mark_read_op(std::string id, bool read) {
    co_await net::this_coro::throw_if_cancelled(false);
    const auto body = ews::soap_request(channel_.settings().context, ews::mark_read{{{id, std::nullopt}}, read});
    const auto reply = co_await channel_.exchange(ews::operation::update_item, body);
    if (auto p = reply_problem(reply, "UpdateItem")) co_return *p;
    co_return first_error(*reply.body, item_decision);
}

ews_source::task<std::tuple<outcome>> ews_source::move_op(std::string id, std::string folder_path, bool create) {
    co_await net::this_coro::throw_if_cancelled(false);
    auto [o, folder_id] = co_await resolve(folder_path, create);
    if (o.step != ews::next_step::proceed) co_return o;
    const auto body = ews::soap_request(channel_.settings().context,
                                        ews::move_item{{{id, std::nullopt}}, folder_ref_of(*folder_id)});
    const auto reply = co_await channel_.exchange(ews::operation::move_item, body);
    if (auto p = reply_problem(reply, "MoveItem")) co_return *p;
    co_return first_error(*reply.body, item_decision);
}

}  // namespace ewstrigd::source

// The mail-out operations (ews_outgoing.cpp) launch through launch() too.
namespace ewstrigd::source {
template void ews_source::launch<done_signature>(const char*, task<std::tuple<outcome>>, completion<done_signature>);
template void ews_source::launch<found_signature, bool>(const char*, task<std::tuple<outcome, bool>>,
                                                        completion<found_signature>);
template void ews_source::launch<listed_signature, std::vector<listed_attachment>>(
    const char*, task<std::tuple<outcome, std::vector<listed_attachment>>>, completion<listed_signature>);
template void ews_source::launch<attachments_signature, std::vector<attachment_file>>(
    const char*, task<std::tuple<outcome, std::vector<attachment_file>>>, completion<attachments_signature>);
}  // namespace ewstrigd::source
