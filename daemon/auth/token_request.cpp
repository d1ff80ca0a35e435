#include "auth/token_request.hpp"

#include "auth/encoding.hpp"

namespace ewstrigd::auth {
namespace {

class form {
public:
    form& add(std::string_view key, std::string_view value) {
        if (!body_.empty()) body_ += '&';
        body_ += key;
        body_ += '=';
        body_ += percent_encode(value);
        return *this;
    }
    form& add(const client_credential& cred) {
        if (const auto* s = std::get_if<client_secret>(&cred)) {
            add("client_secret", s->value.reveal());
        } else if (const auto* a = std::get_if<client_assertion>(&cred)) {
            add("client_assertion_type", jwt_bearer_assertion_type);
            add("client_assertion", a->jwt.reveal());
        }
        return *this;
    }
    secret done() { return secret(std::move(body_)); }

private:
    std::string body_;
};

}  // namespace

secret client_credentials_body(std::string_view client_id, std::string_view scope, const client_credential& cred) {
    return form{}.add("grant_type", "client_credentials").add("client_id", client_id).add("scope", scope).add(cred).done();
}

secret refresh_token_body(std::string_view client_id, const secret& refresh_token, std::string_view scope,
                          const client_credential& cred) {
    return form{}
        .add("grant_type", "refresh_token")
        .add("client_id", client_id)
        .add("refresh_token", refresh_token.reveal())
        .add("scope", scope)
        .add(cred)
        .done();
}

secret authorization_code_body(std::string_view client_id, const secret& code, std::string_view redirect_uri,
                               std::string_view code_verifier, const client_credential& cred) {
    return form{}
        .add("grant_type", "authorization_code")
        .add("client_id", client_id)
        .add("code", code.reveal())
        .add("redirect_uri", redirect_uri)
        .add("code_verifier", code_verifier)
        .add(cred)
        .done();
}

secret device_authorization_body(std::string_view client_id, std::string_view scope) {
    return form{}.add("client_id", client_id).add("scope", scope).done();
}

secret device_token_body(std::string_view client_id, const secret& device_code) {
    return form{}.add("grant_type", device_code_grant_type).add("client_id", client_id).add("device_code", device_code.reveal()).done();
}

}  // namespace ewstrigd::auth
