#include "config/mailboxes.hpp"

#include "config/keys.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>

namespace ewstrigd::config {
namespace {

struct auth_kind_rules {
    std::string_view name;
    auth_kind kind;
    std::vector<std::string_view> required;
    std::vector<std::string_view> optional;
};

// Which auth keys each kind needs and accepts. Any other auth key given for a
// kind is an error, so a leftover password never silently lingers.
const std::vector<auth_kind_rules>& auth_rules() {
    static const std::vector<auth_kind_rules> rules{
        {"oauth-delegated", auth_kind::oauth_delegated, {"tenant_id", "client_id"},
         {"authority", "discovery_url", "scopes", "redirect_uri"}},
        {"oauth-app", auth_kind::oauth_app, {"tenant_id", "client_id"},
         {"authority", "discovery_url", "scopes", "client_secret", "certificate", "private_key", "impersonation"}},
        {"basic", auth_kind::basic, {"username", "password"}, {}},
        {"ntlm", auth_kind::ntlm, {"username", "password"}, {}},
    };
    return rules;
}

bool contains(const std::vector<std::string_view>& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

bool readable_file(const std::string& path) { return std::ifstream(path).good(); }

bool is_loopback_http(std::string_view uri) {
    for (std::string_view prefix : {"http://localhost", "http://127.0.0.1", "http://[::1]"}) {
        if (uri.starts_with(prefix)) {
            const auto rest = uri.substr(prefix.size());
            return rest.empty() || rest.front() == ':' || rest.front() == '/';
        }
    }
    return false;
}

class mailbox_reader {
public:
    mailbox_reader(yaml_reader& in, std::string_view what) : in_(in), what_(what) {}

    std::optional<mailbox_config> read(const YAML::Node& node);

private:
    void read_auth(const YAML::Node& node, auth_config& auth);
    void read_kind_fields(const YAML::Node& node, const auth_kind_rules& rules, auth_config& auth,
                          std::string_view what);
    void read_tls(const YAML::Node& node, tls_config& tls);
    void read_watch(const YAML::Node& node, watch_config& watch);
    void check_file(const YAML::Node& node, const std::string& path, std::string_view what);
    // `parent[key]`, when written: a duration of at least `minimum`.
    void read_seconds(const YAML::Node& parent, std::string_view parent_what, const char* key,
                      std::chrono::seconds minimum, std::chrono::seconds& out);

    template <typename T>
    void assign(std::optional<T> value, T& out) {
        if (value) out = std::move(*value);
        else ok_ = false;
    }

    yaml_reader& in_;
    std::string what_;
    bool ok_ = true;
};

std::optional<mailbox_config> mailbox_reader::read(const YAML::Node& node) {
    if (!in_.expect_map(node, what_)) return std::nullopt;
    in_.check_keys(node, "mailbox", what_);
    mailbox_config mb;
    mb.pos = in_.pos(node);
    if (auto id = in_.required(node, "id", what_)) {
        assign(in_.string(*id, path_join(what_, "id")), mb.id);
        if (ok_ && !is_name(mb.id, "-_.")) {
            in_.error(*id, path_join(what_, "id") + ": '" + mb.id + "' may use only letters, digits, '-', '_' and '.'");
            ok_ = false;
        }
    } else {
        ok_ = false;
    }
    if (auto address = in_.required(node, "address", what_)) {
        assign(in_.string(*address, path_join(what_, "address")), mb.address);
        if (ok_ && mb.address.find('@') == std::string::npos) {
            in_.error(*address, path_join(what_, "address") + ": '" + mb.address + "' is not an email address");
            ok_ = false;
        }
    } else {
        ok_ = false;
    }
    if (const YAML::Node url = node["ews_url"]; url.IsDefined()) {
        assign(in_.string(url, path_join(what_, "ews_url")), mb.ews_url);
        if (!mb.ews_url.starts_with("https://") && !mb.ews_url.starts_with("http://")) {
            in_.error(url, path_join(what_, "ews_url") + ": '" + mb.ews_url + "' is not an http(s) URL");
            ok_ = false;
        }
    }
    if (auto auth = in_.required(node, "auth", what_)) read_auth(*auth, mb.auth.edit());
    else ok_ = false;
    if (const YAML::Node tls = node["tls"]; tls.IsDefined()) read_tls(tls, mb.tls.edit());
    if (const YAML::Node watch = node["watch"]; watch.IsDefined()) read_watch(watch, mb.watch.edit());
    if (!ok_) return std::nullopt;
    return mb;
}

void mailbox_reader::read_auth(const YAML::Node& node, auth_config& auth) {
    const std::string what = path_join(what_, "auth");
    if (!in_.expect_map(node, what)) {
        ok_ = false;
        return;
    }
    in_.check_keys(node, "auth", what);
    auto kind_node = in_.required(node, "kind", what);
    if (!kind_node) {
        ok_ = false;
        return;
    }
    std::vector<std::string_view> names;
    for (const auto& r : auth_rules()) names.push_back(r.name);
    auto kind = in_.choice(*kind_node, path_join(what, "kind"), names);
    if (!kind) {
        ok_ = false;
        return;
    }
    const auto& rules = *std::find_if(auth_rules().begin(), auth_rules().end(),
                                      [&](const auth_kind_rules& r) { return r.name == *kind; });
    auth.kind = rules.kind;
    read_kind_fields(node, rules, auth, what);
}

void mailbox_reader::read_kind_fields(const YAML::Node& node, const auth_kind_rules& rules, auth_config& auth,
                                      std::string_view what) {
    for (const auto& entry : node) {
        const std::string& key = entry.first.Scalar();
        if (key == "kind" || contains(rules.required, key) || contains(rules.optional, key)) continue;
        if (contains(keys_of("auth"), key)) {
            in_.error(entry.first, std::string(what) + ": '" + key + "' does not apply to auth kind " +
                                       std::string(rules.name));
            ok_ = false;
        }
    }
    for (auto key : rules.required) {
        const YAML::Node value = node[std::string(key)];
        if (!value.IsDefined() || value.IsNull()) {
            in_.error(node, std::string(what) + ": '" + std::string(key) + "' is required for auth kind " +
                                std::string(rules.name));
            ok_ = false;
        }
    }
    auto field = [&](const char* key) { return node[key]; };
    auto read_string = [&](const char* key, std::string& out) {
        if (const YAML::Node v = field(key); v.IsDefined() && !v.IsNull()) assign(in_.string(v, path_join(what, key)), out);
    };
    auto read_secret = [&](const char* key, secret& out) {
        if (const YAML::Node v = field(key); v.IsDefined() && !v.IsNull()) {
            std::string value;
            assign(in_.string(v, path_join(what, key)), value);
            out = secret(std::move(value));
        }
    };
    read_string("tenant_id", auth.tenant_id);
    read_string("client_id", auth.client_id);
    read_string("authority", auth.authority);
    read_string("discovery_url", auth.discovery_url);
    read_string("redirect_uri", auth.redirect_uri);
    read_string("certificate", auth.certificate);
    read_string("private_key", auth.private_key);
    read_string("username", auth.username);
    read_secret("client_secret", auth.client_secret);
    read_secret("password", auth.password);
    if (const YAML::Node v = field("scopes"); v.IsDefined()) assign(in_.string_list(v, path_join(what, "scopes")), auth.scopes);
    if (const YAML::Node v = field("impersonation"); v.IsDefined()) {
        assign(in_.boolean(v, path_join(what, "impersonation")), auth.impersonation);
    }
    if (!auth.authority.starts_with("https://") && !auth.authority.starts_with("http://")) {
        in_.error(field("authority"), path_join(what, "authority") + ": '" + auth.authority + "' is not an http(s) URL");
        ok_ = false;
    }
    if (!auth.discovery_url.empty() && !auth.discovery_url.starts_with("https://") &&
        !auth.discovery_url.starts_with("http://")) {
        in_.error(field("discovery_url"), path_join(what, "discovery_url") + ": '" + auth.discovery_url +
                                              "' is not an http(s) URL");
        ok_ = false;
    }
    if (!auth.redirect_uri.empty() && !is_loopback_http(auth.redirect_uri)) {
        in_.error(field("redirect_uri"), path_join(what, "redirect_uri") +
                                             ": must be a loopback URI such as http://localhost:8400/ (the "
                                             "sign-in listener runs on this host)");
        ok_ = false;
    }
    if (auth.kind == auth_kind::oauth_app) {
        auto given = [&](const char* key) { return field(key).IsDefined() && !field(key).IsNull(); };
        const bool has_secret = given("client_secret");
        const bool has_cert = given("certificate") || given("private_key");
        if (has_secret == has_cert) {
            in_.error(node, std::string(what) + ": oauth-app needs either client_secret or certificate + private_key");
            ok_ = false;
        } else if (has_cert && (auth.certificate.empty() || auth.private_key.empty())) {
            in_.error(node, std::string(what) + ": certificate and private_key must be given together");
            ok_ = false;
        }
    }
    if (!auth.certificate.empty()) check_file(field("certificate"), auth.certificate, path_join(what, "certificate"));
    if (!auth.private_key.empty()) check_file(field("private_key"), auth.private_key, path_join(what, "private_key"));
}

void mailbox_reader::check_file(const YAML::Node& node, const std::string& path, std::string_view what) {
    std::filesystem::path full(path);
    if (full.is_relative()) full = in_.scope().base_dir / full;
    if (!readable_file(full.string())) {
        in_.error(node, std::string(what) + ": cannot read file '" + full.string() + "'");
        ok_ = false;
    }
}

void mailbox_reader::read_tls(const YAML::Node& node, tls_config& tls) {
    const std::string what = path_join(what_, "tls");
    if (!in_.expect_map(node, what)) {
        ok_ = false;
        return;
    }
    in_.check_keys(node, "tls", what);
    if (const YAML::Node v = node["verify"]; v.IsDefined()) assign(in_.boolean(v, path_join(what, "verify")), tls.verify);
    if (const YAML::Node v = node["ca_file"]; v.IsDefined()) {
        assign(in_.string(v, path_join(what, "ca_file")), tls.ca_file);
        if (!tls.ca_file.empty()) check_file(v, tls.ca_file, path_join(what, "ca_file"));
    }
}

void mailbox_reader::read_watch(const YAML::Node& node, watch_config& watch) {
    const std::string what = path_join(what_, "watch");
    if (!in_.expect_map(node, what)) {
        ok_ = false;
        return;
    }
    in_.check_keys(node, "watch", what);
    if (const YAML::Node v = node["folders"]; v.IsDefined()) {
        assign(in_.string_list(v, path_join(what, "folders")), watch.folders);
        if (watch.folders.empty() || std::any_of(watch.folders.begin(), watch.folders.end(),
                                                 [](const std::string& f) { return f.empty(); })) {
            in_.error(v, path_join(what, "folders") + ": name at least one folder, none empty");
            ok_ = false;
        }
    }
    if (const YAML::Node v = node["mode"]; v.IsDefined()) {
        if (auto mode = in_.choice(v, path_join(what, "mode"), {"streaming", "pull", "poll"})) {
            watch.mode = *mode == "streaming" ? watch_mode::streaming : *mode == "pull" ? watch_mode::pull : watch_mode::poll;
        } else {
            ok_ = false;
        }
    }
    read_seconds(node, what, "poll_interval", std::chrono::seconds(1), watch.poll_interval);
    // Below 5 s even curl's ~5 s rate averaging (http::timeouts) blurs the limit.
    read_seconds(node, what, "stream_idle_timeout", std::chrono::seconds(5), watch.stream_idle_timeout);
    if (const YAML::Node v = node["on_start"]; v.IsDefined()) {
        if (auto start = in_.choice(v, path_join(what, "on_start"), {"catch-up", "new-only"})) {
            watch.on_start = *start == "catch-up" ? start_mode::catch_up : start_mode::new_only;
        } else {
            ok_ = false;
        }
    }
}

void mailbox_reader::read_seconds(const YAML::Node& parent, std::string_view parent_what, const char* key,
                                  std::chrono::seconds minimum, std::chrono::seconds& out) {
    const YAML::Node v = parent[key];
    if (!v.IsDefined()) return;
    const std::string what = path_join(parent_what, key);
    const auto value = in_.duration(v, what);
    if (!value) {
        ok_ = false;
        return;
    }
    if (*value < minimum) {
        in_.error(v, what + ": must be at least " + std::to_string(minimum.count()) + "s");
        ok_ = false;
    }
    out = std::chrono::duration_cast<std::chrono::seconds>(*value);
}

}  // namespace

std::optional<mailbox_config> read_mailbox(yaml_reader& in, const YAML::Node& node, std::string_view what) {
    return mailbox_reader(in, what).read(node);
}

}  // namespace ewstrigd::config
