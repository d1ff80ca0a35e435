#include "auth/pkce.hpp"

#include <algorithm>

namespace ewstrigd::auth {
namespace {

const std::string* find(const std::vector<std::pair<std::string, std::string>>& q, std::string_view key) {
    const auto it = std::find_if(q.begin(), q.end(), [key](const auto& kv) { return kv.first == key; });
    return it == q.end() ? nullptr : &it->second;
}

// Shown to the admin; keep it one short printable line.
std::string printable(std::string_view s) {
    std::string out;
    for (const char c : s.substr(0, 300)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

}  // namespace

result<std::string> make_code_verifier(const random_source& random, std::size_t length) {
    if (length < 43 || length > 128) return fail("a PKCE code_verifier must be 43 to 128 characters long");
    // The fewest bytes whose base64url text has `length` characters; for 43
    // that is 32 octets, as in RFC 7636 Appendix B.
    auto text = random_base64url(random, 3 * (length - 1) / 4 + 1);
    if (!text) return text.error();
    text->resize(length);
    return text;
}

std::string code_challenge_s256(std::string_view verifier) { return base64url_encode(sha256(verifier)); }

std::string authorization_url(const authorization_request& r) {
    std::string url = r.authorization_endpoint;
    url += url.find('?') == std::string::npos ? '?' : '&';
    const auto add = [&url](std::string_view key, std::string_view value, bool first = false) {
        if (!first) url += '&';
        url += key;
        url += '=';
        url += percent_encode(value);
    };
    add("client_id", r.client_id, true);
    add("response_type", "code");
    add("redirect_uri", r.redirect_uri);
    add("response_mode", "query");
    add("scope", r.scope);
    add("state", r.state);
    add("code_challenge", r.code_challenge);
    add("code_challenge_method", "S256");
    if (r.prompt) add("prompt", *r.prompt);
    if (r.login_hint) add("login_hint", *r.login_hint);
    return url;
}

result<secret> parse_redirect(std::string_view target, std::string_view expected_state) {
    const auto qmark = target.find('?');
    if (qmark == std::string_view::npos) return fail("the sign-in redirect carries no query (no code, no error)");
    auto query = parse_query(target.substr(qmark + 1, target.find('#', qmark) - qmark - 1));
    if (!query) return fail("the sign-in redirect is malformed: " + query.error().message);
    const auto* state = find(*query, "state");
    if (!state || expected_state.empty() || *state != expected_state) {
        return fail("the sign-in redirect's state does not match the request (a stale browser tab, or a forged "
                     "redirect); run `ewstrigd login` again");
    }
    if (const auto* err = find(*query, "error")) {
        const auto* description = find(*query, "error_description");
        std::string msg = "the sign-in failed: " + printable(*err);
        if (description) msg += " (" + printable(*description) + ")";
        return fail(std::move(msg));
    }
    const auto* code = find(*query, "code");
    if (!code || code->empty()) return fail("the sign-in redirect carries no authorization code");
    return secret(*code);
}

}  // namespace ewstrigd::auth
