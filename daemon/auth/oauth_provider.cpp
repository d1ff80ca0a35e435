#include "auth/oauth_provider.hpp"

#include "auth/form_post.hpp"
#include "util/backoff.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace ewstrigd::auth {

namespace net = boost::asio;
using steady = std::chrono::steady_clock;
using handler_type = net::any_completion_handler<credentials_signature>;

namespace {

struct granted {
    token_set tokens;
    wall_clock::time_point sent_at;
};
using attempt_result = boost::system::result<granted, credential_failure>;

// The provider's view of a token endpoint failure: the device-flow kinds
// cannot happen on these grants and are treated as transient; a declined
// consent or an expired code means a new sign-in.
failure_kind provider_kind(failure_kind k) {
    switch (k) {
    case failure_kind::interaction_required:
    case failure_kind::access_denied:
    case failure_kind::expired_token: return failure_kind::interaction_required;
    case failure_kind::configuration: return failure_kind::configuration;
    default: return failure_kind::transient;
    }
}

// Whose token a failure is about. One app-only provider may serve many
// mailboxes (cli/mailbox_credentials.hpp), so it names its app registration
// (client and tenant ids, never the secret), not the mailbox that made it.
std::string owner_of(const oauth_settings& s) {
    if (s.app_only) return "app '" + s.client_id + "' of tenant '" + s.tenant_id + "'";
    return "mailbox '" + s.mailbox_id + "'";
}

}  // namespace

class oauth_provider::state : public std::enable_shared_from_this<state> {
public:
    state(net::any_io_executor ex, http::client& client, endpoint_cache& endpoints, const token_store* store,
          oauth_settings settings, provider_options options)
        : ex_(std::move(ex)),
          client_(client),
          endpoints_(endpoints),
          store_(store),
          settings_(std::move(settings)),
          options_(options),
          seed_(util::seed_of(settings_.mailbox_id)),
          backoff_(options.backoff_initial, options.backoff_cap, seed_) {}

    void request(handler_type h);
    void invalidate();
    void stop();
    provider_stats stats() const {
        provider_stats s = stats_;
        s.needs_login = sticky_.has_value();
        if (current_) s.expires_at = current_->times.expires_at;
        return s;
    }

private:
    bool delegated() const { return !settings_.app_only; }
    bool usable(wall_clock::time_point now) const {
        return current_ && is_usable(current_->times, now, options_.policy);
    }
    void answer(handler_type h, std::optional<credential_failure> f);
    void answer_all(const std::optional<credential_failure>& f);
    credential_failure needs_login(std::string why) const;
    void load_store();
    enum class store_news { none, adopted, signed_out };
    store_news check_store();
    void adopt(stored_tokens t);
    bool retry_save();
    void start_refresh();
    net::awaitable<attempt_result> attempt();
    void complete(attempt_result r);
    credential_failure from_token_failure(const token_failure& f) const;

    net::any_io_executor ex_;
    http::client& client_;
    endpoint_cache& endpoints_;
    const token_store* store_;
    oauth_settings settings_;
    provider_options options_;
    std::uint64_t seed_;
    util::backoff backoff_;

    std::optional<cached_access_token> current_;
    std::optional<secret> rejected_;  // the access token EWS answered 401 to
    secret refresh_token_;
    std::uint64_t generation_ = 0;
    bool loaded_ = false;
    std::optional<stored_tokens> unsaved_;  // a rotated refresh token the store did not take yet
    std::optional<credential_failure> sticky_;  // interaction required
    bool in_flight_ = false;
    steady::time_point not_before_{};
    std::vector<handler_type> waiters_;
    provider_stats stats_;
    bool stopped_ = false;
    net::cancellation_signal cancel_;
};

void oauth_provider::state::answer(handler_type h, std::optional<credential_failure> f) {
    http::auth creds = http::no_auth{};
    if (!f && current_) creds = http::bearer_auth{current_->token.reveal()};
    // Runs through the handler's associated executor (the caller's loop), never inline.
    net::post(ex_, net::append(std::move(h), std::move(f), std::move(creds)));
}

void oauth_provider::state::answer_all(const std::optional<credential_failure>& f) {
    auto waiters = std::exchange(waiters_, {});
    for (auto& h : waiters) answer(std::move(h), f);
}

credential_failure oauth_provider::state::needs_login(std::string why) const {
    return {failure_kind::interaction_required, std::nullopt,
            "mailbox '" + settings_.mailbox_id + "' needs a new sign-in: " + why + "; run `ewstrigd login " +
                settings_.mailbox_id + "`"};
}

void oauth_provider::state::adopt(stored_tokens t) {
    refresh_token_ = std::move(t.refresh_token);
    generation_ = t.generation;
    current_.reset();
    if (t.access && !(rejected_ && t.access->token == *rejected_)) current_ = std::move(t.access);
    sticky_.reset();
    unsaved_.reset();
}

void oauth_provider::state::load_store() {
    loaded_ = true;
    if (!store_) {
        sticky_ = needs_login("no token store is configured");
        return;
    }
    auto r = store_->load(settings_.mailbox_id);
    if (!r) {
        sticky_ = needs_login(r.error().message);
        return;
    }
    if (!*r) {
        sticky_ = needs_login("nobody has signed in for it yet");
        return;
    }
    generation_ = (*r)->generation;
    if (auto m = mismatch(settings_, **r)) {
        sticky_ = needs_login(*m);
        return;
    }
    adopt(std::move(**r));
}

// Another process may have changed the store: `ewstrigd login` wrote a
// newer sign-in (adopted), or `ewstrigd logout` deleted it (signed out).
oauth_provider::state::store_news oauth_provider::state::check_store() {
    if (!store_) return store_news::none;
    auto r = store_->load(settings_.mailbox_id);
    if (!r) return store_news::none;  // unreadable now: keep what we have
    if (!*r) return generation_ > 0 ? store_news::signed_out : store_news::none;
    if ((*r)->generation <= generation_) return store_news::none;
    if (auto m = mismatch(settings_, **r)) {
        generation_ = (*r)->generation;
        sticky_ = needs_login(*m);
        return store_news::none;
    }
    adopt(std::move(**r));
    return store_news::adopted;
}

bool oauth_provider::state::retry_save() {
    auto saved = store_->save(*unsaved_);
    if (!saved) return false;
    generation_ = *saved;
    unsaved_.reset();
    return true;
}

void oauth_provider::state::request(handler_type h) {
    if (stopped_) return answer(std::move(h), credential_failure{failure_kind::transient, std::nullopt, "shutting down"});
    if (delegated() && !loaded_) load_store();
    if (sticky_ && check_store() != store_news::adopted) return answer(std::move(h), sticky_);
    if (unsaved_ && !retry_save()) {
        return answer(std::move(h), credential_failure{failure_kind::transient, std::chrono::seconds{5},
                                                       "mailbox '" + settings_.mailbox_id +
                                                           "': the rotated refresh token could not be saved to the "
                                                           "token store; retrying"});
    }
    const auto now = wall_clock::now();
    if (usable(now)) {
        const bool due = refresh_at(current_->times, now, seed_, options_.policy) <= now;
        answer(std::move(h), std::nullopt);
        if (due && !in_flight_ && steady::now() >= not_before_) start_refresh();
        return;
    }
    if (!in_flight_ && steady::now() < not_before_) {
        auto f = stats_.last_failure.value_or(credential_failure{failure_kind::transient, {}, "backing off"});
        f.retry_after = std::chrono::ceil<std::chrono::milliseconds>(not_before_ - steady::now());
        return answer(std::move(h), f);
    }
    waiters_.push_back(std::move(h));
    if (!in_flight_) start_refresh();
}

void oauth_provider::state::invalidate() {
    if (!current_) return;
    rejected_ = current_->token;
    current_.reset();
}

void oauth_provider::state::stop() {
    stopped_ = true;
    cancel_.emit(net::cancellation_type::all);
    answer_all(credential_failure{failure_kind::transient, std::nullopt, "shutting down"});
}

void oauth_provider::state::start_refresh() {
    if (delegated()) {
        switch (check_store()) {
        case store_news::signed_out:
            generation_ = 0;
            current_.reset();
            sticky_ = needs_login("its tokens were deleted (`ewstrigd logout`)");
            return answer_all(sticky_);
        case store_news::adopted:  // a sign-in written meanwhile may hold a usable token
            if (usable(wall_clock::now())) return answer_all(std::nullopt);
            break;
        case store_news::none: break;
        }
    }
    in_flight_ = true;
    net::co_spawn(
        ex_,
        [self = shared_from_this()]() -> net::awaitable<void> {
            auto r = co_await self->attempt();
            if (!self->stopped_) self->complete(std::move(r));
        },
        net::detached);
}

credential_failure oauth_provider::state::from_token_failure(const token_failure& f) const {
    const auto kind = provider_kind(f.kind);
    if (kind == failure_kind::interaction_required) return needs_login(describe(f));
    return {kind, f.retry_after, owner_of(settings_) + ": " + describe(f)};
}

net::awaitable<attempt_result> oauth_provider::state::attempt() {
    const auto self = shared_from_this();  // keeps *this alive across suspensions
    const auto config_failure = [&](std::string why) {
        return credential_failure{failure_kind::configuration, std::nullopt,
                                  owner_of(settings_) + ": " + std::move(why)};
    };
    auto url = discovery_url_of(settings_);
    if (!url) co_return config_failure(url.error().message);
    auto endpoints = co_await endpoints_.async_get(*url, net::use_awaitable);
    if (stopped_) co_return credential_failure{};
    if (!endpoints)
        co_return credential_failure{failure_kind::transient, std::nullopt,
                                     owner_of(settings_) + ": " + endpoints.error().message};
    auto cred = client_credential_for(settings_, endpoints->token_endpoint);
    if (!cred) co_return config_failure(cred.error().message);

    const auto body = settings_.app_only
                          ? client_credentials_body(settings_.client_id, settings_.scope, *cred)
                          : refresh_token_body(settings_.client_id, refresh_token_, settings_.scope, *cred);
    const auto sent_at = wall_clock::now();
    ++stats_.token_requests;
    auto [ec, resp] = co_await client_.async_send(
        form_post(endpoints->token_endpoint, body, settings_.request_timeout),
        net::bind_cancellation_slot(cancel_.slot(), net::as_tuple(net::use_awaitable)));
    if (stopped_) co_return credential_failure{};
    if (ec) {
        auto f = no_answer(ec, settings_.request_timeout, "token endpoint");
        f.explanation += "; retrying with back-off";
        co_return from_token_failure(f);
    }
    const http_reply reply = reply_of(resp);
    auto tokens = parse_token_response(reply);
    if (!tokens) co_return from_token_failure(tokens.error());
    co_return granted{std::move(*tokens), sent_at};
}

void oauth_provider::state::complete(attempt_result r) {
    in_flight_ = false;
    if (!r) {
        ++stats_.failures;
        if (options_.totals != nullptr) ++options_.totals->failed;
        stats_.last_failure = r.error();
        if (r.error().kind == failure_kind::interaction_required) {
            sticky_ = r.error();
            return answer_all(sticky_);
        }
        const auto delay = backoff_.next(r.error().retry_after);
        not_before_ = steady::now() + delay;
        auto f = r.error();
        f.retry_after = delay;
        // Waiters exist only when the current token is unusable or was rejected.
        return answer_all(f);
    }
    backoff_.reset();
    not_before_ = {};
    ++stats_.refreshed;
    if (options_.totals != nullptr) ++options_.totals->succeeded;
    auto& g = *r;
    if (delegated()) {
        // Persist the rotated refresh token before anything uses the new
        // access token: the server may already have retired the old one.
        secret rt = g.tokens.refresh_token ? *g.tokens.refresh_token : refresh_token_;
        auto st = to_stored(settings_, g.tokens, rt, g.sent_at);
        st.generation = generation_;
        refresh_token_ = std::move(rt);
        current_ = st.access;
        rejected_.reset();
        unsaved_ = std::move(st);
        if (!retry_save()) {
            credential_failure f{failure_kind::transient, std::chrono::seconds{5},
                                 "mailbox '" + settings_.mailbox_id +
                                     "': the rotated refresh token could not be saved to the token store (" +
                                     store_->file_of(settings_.mailbox_id).string() + "); retrying"};
            stats_.last_failure = f;
            return answer_all(f);
        }
    } else {
        current_ = cached_access_token{g.tokens.access_token,
                                       token_times{g.sent_at, g.sent_at + g.tokens.expires_in, g.tokens.refresh_in}};
        rejected_.reset();
    }
    stats_.last_failure.reset();
    answer_all(std::nullopt);
}

oauth_provider::oauth_provider(net::any_io_executor ex, http::client& client, endpoint_cache& endpoints,
                               const token_store* store, oauth_settings settings, provider_options options)
    : state_(std::make_shared<state>(std::move(ex), client, endpoints, store, std::move(settings), options)) {}

oauth_provider::~oauth_provider() { state_->stop(); }

void oauth_provider::invalidate() { state_->invalidate(); }

provider_stats oauth_provider::stats() const { return state_->stats(); }

void oauth_provider::async_credentials_impl(handler_type handler) { state_->request(std::move(handler)); }

}  // namespace ewstrigd::auth
