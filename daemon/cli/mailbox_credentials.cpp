#include "cli/mailbox_credentials.hpp"

#include "auth/oauth_settings.hpp"
#include "auth/static_credentials.hpp"

#include <filesystem>
#include <stdexcept>

namespace ewstrigd::cli {

std::unique_ptr<auth::credential_provider> make_mailbox_credentials(boost::asio::any_io_executor ex,
                                                                    const config::config& cfg,
                                                                    const config::mailbox_config& mb,
                                                                    http::client& client,
                                                                    auth::endpoint_cache& endpoints,
                                                                    const auth::token_store& tokens,
                                                                    auth::provider_options options) {
    switch (mb.auth.kind) {
    case config::auth_kind::basic:
    case config::auth_kind::ntlm: return std::make_unique<auth::static_credentials>(std::move(ex), mb.auth);
    case config::auth_kind::oauth_delegated:
    case config::auth_kind::oauth_app: {
        const auto base_dir = std::filesystem::absolute(cfg.main_file).parent_path();
        auto settings = auth::settings_from_config(mb, base_dir);
        if (!settings) throw std::logic_error(settings.error().message);
        // The token store is only read for oauth-delegated; oauth-app keeps its tokens in memory.
        const auth::token_store* store =
            mb.auth.kind == config::auth_kind::oauth_delegated ? &tokens : nullptr;
        return std::make_unique<auth::oauth_provider>(std::move(ex), client, endpoints, store,
                                                      std::move(*settings), options);
    }
    }
    throw std::logic_error("mailbox '" + mb.id + "': unknown auth kind");
}

}  // namespace ewstrigd::cli
