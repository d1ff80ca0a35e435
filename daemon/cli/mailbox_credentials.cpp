#include "cli/mailbox_credentials.hpp"

#include "auth/oauth_settings.hpp"
#include "auth/static_credentials.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <variant>

namespace ewstrigd::cli {

namespace {

auth::oauth_settings oauth_settings_of(const config::config& cfg, const config::mailbox_config& mb) {
    const auto base_dir = std::filesystem::absolute(cfg.main_file).parent_path();
    auto settings = auth::settings_from_config(mb, base_dir);
    if (!settings) throw std::logic_error(settings.error().message);
    return std::move(*settings);
}

// Which token a mailbox last got, as a hash: 10,000 mailboxes sharing one
// token keep no 10,000 copies of it.
std::optional<std::size_t> token_hash_of(const http::auth& a) {
    const auto* bearer = std::get_if<http::bearer_auth>(&a);
    if (bearer == nullptr) return std::nullopt;
    return std::hash<std::string>{}(bearer->token);
}

// One mailbox's view of a shared app-only provider. invalidate() only marks
// the token this mailbox was refused with; the shared token is invalidated
// when the provider hands out that same token again. So a late 401 for an
// old token never throws away the fresh one, and many mailboxes refused
// together invalidate it once (then wait on the provider's single refresh).
class shared_app_credentials final : public auth::credential_provider {
public:
    explicit shared_app_credentials(std::shared_ptr<auth::oauth_provider> shared) : shared_(std::move(shared)) {}

    void invalidate() override { tokens_->rejected = tokens_->last; }

private:
    struct seen_tokens {
        std::optional<std::size_t> last;      // handed to this mailbox last
        std::optional<std::size_t> rejected;  // refused by the server for this mailbox
    };

    void async_credentials_impl(boost::asio::any_completion_handler<auth::credentials_signature> handler) override {
        ask(shared_, tokens_, std::move(handler));
    }

    // Static, with owned state: an answer may arrive after this handle is
    // gone. Weak: a pending request must not keep the provider alive (its
    // destructor answers the requests still waiting).
    // At most one refresh per request: an identity provider that hands out
    // the same token again (some cache it) must not be asked in a loop; the
    // server's next 401 then takes the mailbox's usual back-off.
    static void ask(const std::shared_ptr<auth::oauth_provider>& shared, std::shared_ptr<seen_tokens> tokens,
                    boost::asio::any_completion_handler<auth::credentials_signature> handler, bool refreshed = false) {
        shared->async_credentials([weak = std::weak_ptr(shared), tokens = std::move(tokens),
                                   handler = std::move(handler),
                                   refreshed](std::optional<auth::credential_failure> failure,
                                              http::auth credentials) mutable {
            const auto hash = failure ? std::nullopt : token_hash_of(credentials);
            auto live = weak.lock();
            // Still the refused token: refresh it, once for all mailboxes.
            if (hash && hash == tokens->rejected && live && !refreshed) {
                live->invalidate();
                return ask(live, std::move(tokens), std::move(handler), true);
            }
            if (hash) {
                tokens->last = hash;
                tokens->rejected.reset();
            }
            std::move(handler)(std::move(failure), std::move(credentials));
        });
    }

    std::shared_ptr<auth::oauth_provider> shared_;
    std::shared_ptr<seen_tokens> tokens_ = std::make_shared<seen_tokens>();
};

std::shared_ptr<auth::oauth_provider> app_provider_for(boost::asio::any_io_executor ex, auth::oauth_settings settings,
                                                       http::client& client, oauth_services& services,
                                                       const auth::provider_options& options) {
    auto identity = app_identity_of(settings);
    if (auto it = services.app_providers.find(identity); it != services.app_providers.end()) {
        if (auto live = it->second.lock()) return live;
        services.app_providers.erase(it);
    }
    if (services.app_providers.size() >= services.app_providers_sweep_at) {
        std::erase_if(services.app_providers, [](const auto& entry) { return entry.second.expired(); });
        services.app_providers_sweep_at = std::max<std::size_t>(16, 2 * services.app_providers.size());
    }
    auto provider = std::make_shared<auth::oauth_provider>(std::move(ex), client, services.endpoints, nullptr,
                                                           std::move(settings), options);
    services.app_providers.emplace(std::move(identity), provider);
    return provider;
}

}  // namespace

auth::secret app_identity_of(const auth::oauth_settings& s) {
    // NUL separates the fields: no configured value contains one.
    std::string key;
    for (const std::string* field : {&s.authority, &s.tenant_id, &s.client_id, &s.scope, &s.client_secret.reveal()}) {
        key += *field;
        key += '\0';
    }
    key += s.discovery_url.value_or(std::string(1, '\0'));
    key += '\0';
    key += s.certificate.string();
    key += '\0';
    key += s.private_key.string();
    key += '\0';
    key += std::to_string(s.request_timeout.count());
    return auth::secret(std::move(key));
}

std::unique_ptr<auth::credential_provider> make_mailbox_credentials(boost::asio::any_io_executor ex,
                                                                    const config::config& cfg,
                                                                    const config::mailbox_config& mb,
                                                                    http::client& client,
                                                                    auth::endpoint_cache& endpoints,
                                                                    const auth::token_store& tokens,
                                                                    auth::provider_options options) {
    switch (mb.auth->kind) {
    case config::auth_kind::basic:
    case config::auth_kind::ntlm: return std::make_unique<auth::static_credentials>(std::move(ex), *mb.auth);
    case config::auth_kind::oauth_delegated:
    case config::auth_kind::oauth_app: {
        // The token store is only read for oauth-delegated; oauth-app keeps its tokens in memory.
        const auth::token_store* store =
            mb.auth->kind == config::auth_kind::oauth_delegated ? &tokens : nullptr;
        return std::make_unique<auth::oauth_provider>(std::move(ex), client, endpoints, store,
                                                      oauth_settings_of(cfg, mb), options);
    }
    }
    throw std::logic_error("mailbox '" + mb.id + "': unknown auth kind");
}

std::unique_ptr<auth::credential_provider> make_shared_mailbox_credentials(boost::asio::any_io_executor ex,
                                                                           const config::config& cfg,
                                                                           const config::mailbox_config& mb,
                                                                           http::client& client,
                                                                           oauth_services& services,
                                                                           auth::provider_options options) {
    if (mb.auth->kind != config::auth_kind::oauth_app)
        return make_mailbox_credentials(std::move(ex), cfg, mb, client, services.endpoints, services.tokens, options);
    return std::make_unique<shared_app_credentials>(
        app_provider_for(std::move(ex), oauth_settings_of(cfg, mb), client, services, options));
}

}  // namespace ewstrigd::cli
