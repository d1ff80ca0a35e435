#include "auth/oauth_settings.hpp"

#include "auth/client_assertion.hpp"
#include "auth/discovery.hpp"
#include "auth/encoding.hpp"

#include <fstream>
#include <sstream>

namespace ewstrigd::auth {
namespace {

result<std::string> read_pem(const std::filesystem::path& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(std::string(what) + ": cannot read '" + path.string() + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

}  // namespace

result<oauth_settings> settings_from_config(const config::mailbox_config& mb, const std::filesystem::path& base_dir) {
    const auto& a = *mb.auth;
    if (a.kind != config::auth_kind::oauth_delegated && a.kind != config::auth_kind::oauth_app)
        return fail("mailbox '" + mb.id + "' does not use OAuth (auth.kind is basic or ntlm)");
    oauth_settings s;
    s.mailbox_id = mb.id;
    s.address = mb.address;
    s.app_only = a.kind == config::auth_kind::oauth_app;
    s.authority = a.authority;
    s.tenant_id = a.tenant_id;
    s.client_id = a.client_id;
    s.scope = a.scopes.empty() ? std::string(s.app_only ? app_scope : delegated_scope) : join(a.scopes);
    s.redirect_uri = a.redirect_uri;
    if (!a.discovery_url.empty()) s.discovery_url = a.discovery_url;
    s.client_secret = secret(a.client_secret.reveal());
    auto absolute = [&](const std::string& p) {
        if (p.empty()) return std::filesystem::path{};
        const std::filesystem::path path(p);
        return path.is_relative() ? base_dir / path : path;
    };
    s.certificate = absolute(a.certificate);
    s.private_key = absolute(a.private_key);
    return s;
}

result<std::string> discovery_url_of(const oauth_settings& s) {
    if (s.discovery_url) return *s.discovery_url;
    return discovery_url(s.authority, s.tenant_id);
}

result<client_credential> client_credential_for(const oauth_settings& s, std::string_view token_endpoint) {
    if (!s.app_only) return client_credential{public_client{}};
    if (s.certificate.empty()) return client_credential{client_secret{s.client_secret}};
    auto cert = read_pem(s.certificate, "auth.certificate");
    if (!cert) return cert.error();
    auto key = read_pem(s.private_key, "auth.private_key");
    if (!key) return key.error();
    const secret key_text(std::move(*key));
    auto jti = new_jti(openssl_random());
    if (!jti) return jti.error();
    assertion_request r;
    r.client_id = s.client_id;
    r.token_endpoint = token_endpoint;
    r.private_key_pem = key_text.reveal();
    r.certificate_pem = *cert;
    r.jti = std::move(*jti);
    r.now = wall_clock::now();
    auto jwt = make_client_assertion(r);
    if (!jwt) return fail("auth.certificate/private_key: " + jwt.error().message);
    return client_credential{client_assertion{std::move(*jwt)}};
}

stored_tokens to_stored(const oauth_settings& s, const token_set& t, const secret& refresh_token,
                        wall_clock::time_point sent_at) {
    stored_tokens out;
    out.mailbox_id = s.mailbox_id;
    out.address = s.address;
    out.authority = s.authority;
    out.tenant_id = s.tenant_id;
    out.client_id = s.client_id;
    out.scope = t.scope.empty() ? s.scope : t.scope;
    out.refresh_token = refresh_token;
    out.access = cached_access_token{t.access_token, token_times{sent_at, sent_at + t.expires_in, t.refresh_in}};
    return out;
}

std::optional<std::string> mismatch(const oauth_settings& s, const stored_tokens& t) {
    auto differs = [](std::string_view what, const std::string& stored, const std::string& now) -> std::optional<std::string> {
        if (stored == now) return std::nullopt;
        return "the stored sign-in was made with another " + std::string(what) + " ('" + stored + "', now '" + now +
               "')";
    };
    if (auto d = differs("client_id", t.client_id, s.client_id)) return d;
    if (auto d = differs("tenant_id", t.tenant_id, s.tenant_id)) return d;
    return differs("authority", t.authority, s.authority);
}

}  // namespace ewstrigd::auth
