#include "auth/token_response.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace ewstrigd::auth {
namespace {

using namespace std::chrono_literals;

token_result parse(int status, std::string_view body, std::optional<std::string_view> retry_after = std::nullopt) {
    return parse_token_response(http_reply{status, retry_after, body});
}

token_failure failure(int status, std::string_view body, std::optional<std::string_view> retry_after = std::nullopt) {
    auto r = parse(status, body, retry_after);
    EXPECT_FALSE(r.has_value()) << body;
    return r ? token_failure{} : r.error();
}

constexpr std::string_view access = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.ACCESS-SECRET.sig";
constexpr std::string_view refresh = "0.ARoA-REFRESH-SECRET";

TEST(token_response, entra_success_with_rotated_refresh_token) {
    const std::string body = R"({"token_type":"Bearer","scope":"https://outlook.office365.com/EWS.AccessAsUser.All","expires_in":3599,"ext_expires_in":3599,"access_token":")" +
                             std::string(access) + R"(","refresh_token":")" + std::string(refresh) +
                             R"(","id_token":"eyJ.x.y"})";
    auto r = parse(200, body);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->access_token.reveal(), access);
    ASSERT_TRUE(r->refresh_token);
    EXPECT_EQ(r->refresh_token->reveal(), refresh);
    EXPECT_EQ(r->expires_in, 3599s);
    EXPECT_EQ(r->ext_expires_in, 3599s);
    EXPECT_EQ(r->scope, "https://outlook.office365.com/EWS.AccessAsUser.All");
}

TEST(token_response, client_credentials_and_local_server_shapes) {
    auto cc = parse(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"abc"})");
    ASSERT_TRUE(cc);
    EXPECT_FALSE(cc->refresh_token);
    EXPECT_TRUE(cc->scope.empty());
    // oauth.md B.3 (oidc-provider, 5-second tokens); v1/ADFS send numbers as strings
    auto local = parse(200, R"({"access_token":"zacx5mgq","expires_in":5,"scope":"https://outlook.office365.com/.default","token_type":"bearer"})");
    ASSERT_TRUE(local);
    EXPECT_EQ(local->expires_in, 5s);
    auto v1 = parse(200, R"({"token_type":"Bearer","expires_in":"3599","access_token":"abc","refresh_in":"1800"})");
    ASSERT_TRUE(v1);
    EXPECT_EQ(v1->refresh_in, 1800s);
}

TEST(token_response, bad_bodies_name_what_is_wrong) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"", "not valid JSON"},
        {"<html>proxy login</html>", "not valid JSON"},
        {"[1,2]", "not a JSON object"},
        {R"({"token_type":"Bearer","expires_in":3599})", "'access_token' is missing"},
        {R"({"access_token":"","token_type":"Bearer","expires_in":3599})", "'access_token' is empty"},
        {R"({"access_token":42,"token_type":"Bearer","expires_in":3599})", "'access_token' is not a string"},
        {R"({"access_token":"a","expires_in":3599})", "'token_type' is missing"},
        {R"({"access_token":"a","token_type":"mac","expires_in":3599})", "'token_type' is not Bearer"},
        {R"({"access_token":"a","token_type":"Bearer"})", "'expires_in' is missing"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":-5})", "'expires_in' is out of range"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":0})", "'expires_in' is out of range"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":99999999999999999999999})", "'expires_in' is not a whole number"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":18446744073709551615})", "'expires_in' is out of range"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":"99999999999999999999999"})", "'expires_in' is out of range"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":1e308})", "'expires_in' is not a whole number"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":"soon"})", "'expires_in' is not a number of seconds"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":[]})", "'expires_in' is not a number"},
        {R"({"access_token":"a\r\nX-Evil: 1","token_type":"Bearer","expires_in":5})", "'access_token' contains characters"},
        {R"({"access_token":"a","token_type":"Bearer","expires_in":5,"refresh_token":{}})", "'refresh_token' is not a string"},
    };
    for (const auto& [body, expected] : cases) {
        const auto f = failure(200, body);
        EXPECT_EQ(f.kind, failure_kind::malformed_response) << body;
        EXPECT_NE(f.explanation.find(expected), std::string::npos) << body << " -> " << f.explanation;
        EXPECT_TRUE(is_retryable(f.kind));
    }
}

TEST(token_response, hostile_input_never_throws) {
    std::string deep(100'000, '[');
    EXPECT_FALSE(parse(200, deep));
    EXPECT_FALSE(parse(400, deep));
    EXPECT_FALSE(parse(200, std::string(2 * 1024 * 1024, ' ')));
    EXPECT_FALSE(parse(200, std::string_view("{\"a\":\"\xff\xfe\"}")));
    const std::string body = R"({"token_type":"Bearer","expires_in":3599,"access_token":"abc"})";
    for (std::size_t i = 0; i < body.size(); ++i) EXPECT_FALSE(parse(200, body.substr(0, i))) << i;
}

TEST(token_response, tokens_never_printed) {
    const std::string body = R"({"token_type":"Bearer","expires_in":3599,"access_token":")" + std::string(access) +
                             R"(","refresh_token":")" + std::string(refresh) + R"("})";
    auto r = parse(200, body);
    ASSERT_TRUE(r);
    std::ostringstream os;
    os << *r << ' ' << r->access_token << ' ' << to_string(*r->refresh_token);
    EXPECT_EQ(os.str().find("SECRET"), std::string::npos) << os.str();
    EXPECT_NE(os.str().find("<redacted>"), std::string::npos);
    // A bad 2xx body that carries a token: the failure text names the field only.
    const auto f = failure(200, R"({"token_type":"mac","expires_in":3599,"access_token":"ACCESS-SECRET"})");
    EXPECT_EQ(describe(f).find("SECRET"), std::string::npos) << describe(f);
}

struct classification {
    int status;
    std::string_view body;
    failure_kind kind;
    std::string_view says;
};

TEST(token_failure, table) {
    const classification cases[] = {
        {400, R"({"error":"invalid_grant","error_description":"AADSTS50173: The provided grant has expired.\r\nTrace ID: x","error_codes":[50173],"correlation_id":"c-1","trace_id":"t-1"})",
         failure_kind::interaction_required, "revoked"},
        {400, R"({"error":"invalid_grant","error_codes":[700082]})", failure_kind::interaction_required, "not used for too long"},
        {400, R"({"error":"invalid_grant","error_codes":[50076]})", failure_kind::interaction_required, "multi-factor"},
        {400, R"({"error":"invalid_grant","error_codes":[50078]})", failure_kind::interaction_required, "expired"},
        {400, R"({"error":"invalid_grant","error_codes":[65001],"suberror":"consent_required"})", failure_kind::interaction_required, "consented"},
        {400, R"({"error":"invalid_grant","error_description":"grant request is invalid"})", failure_kind::interaction_required, "ewstrigd login"},
        {400, R"({"error":"interaction_required","error_codes":[50079]})", failure_kind::interaction_required, "register"},
        {400, R"({"error":"consent_required"})", failure_kind::interaction_required, "consent"},
        {401, R"({"error":"invalid_client","error_codes":[7000215]})", failure_kind::configuration, "client secret is wrong"},
        {401, R"({"error":"invalid_client","error_description":"client authentication failed"})", failure_kind::configuration, "client secret"},
        {400, R"({"error":"unauthorized_client","error_codes":[700016]})", failure_kind::configuration, "client_id and tenant_id"},
        {400, R"({"error":"invalid_request","error_codes":[90002]})", failure_kind::configuration, "tenant was not found"},
        {400, R"({"error":"invalid_scope","error_codes":[70011]})", failure_kind::configuration, "scope"},
        {400, R"({"error":"invalid_request","error_codes":[50011]})", failure_kind::configuration, "redirect URI"},
        {401, R"({"error":"unauthorized_client","error_description":"client disabled"})", failure_kind::configuration, "disabled"},
        {400, R"({"error":"invalid_grant","error_codes":[50196]})", failure_kind::transient, "loop detected"},
        {400, R"({"error":"temporarily_unavailable"})", failure_kind::transient, "temporarily"},
        {400, R"({"error":"invalid_grant","error_codes":[90033]})", failure_kind::transient, "AADSTS90033: a transient"},
        {401, R"({"error":"unauthorized_client","error_codes":[7000112]})", failure_kind::configuration, "disabled"},
        {400, R"({"error":"invalid_grant","error_codes":[0, 12345, 50173]})", failure_kind::interaction_required, "AADSTS50173"},
        {400, R"({"error":"authorization_pending","error_codes":[70016]})", failure_kind::authorization_pending, "waiting"},
        {400, R"({"error":"slow_down"})", failure_kind::slow_down, "less often"},
        {400, R"({"error":"expired_token"})", failure_kind::expired_token, "expired"},
        {400, R"({"error":"access_denied","error_description":"End-User aborted interaction"})", failure_kind::access_denied, "declined"},
        {400, R"({"error":"authorization_declined"})", failure_kind::access_denied, "declined"},
        {400, R"({"error":"bad_verification_code"})", failure_kind::expired_token, "does not know"},
        {500, R"({"error":"server_error"})", failure_kind::transient, "HTTP 500"},
        {503, "<html>Service Unavailable</html>", failure_kind::transient, "retrying"},
        {404, "<html>not found</html>", failure_kind::configuration, "not a token endpoint"},
        {400, R"({"error":"something_new"})", failure_kind::configuration, "something_new"},
        {0, "", failure_kind::transient, "no answer"},
    };
    for (const auto& c : cases) {
        const auto f = failure(c.status, c.body);
        EXPECT_EQ(to_string(f.kind), to_string(c.kind)) << c.body;
        EXPECT_NE(f.explanation.find(c.says), std::string::npos) << c.body << " -> " << f.explanation;
        EXPECT_FALSE(f.source.empty()) << c.body;
    }
}

TEST(token_failure, keeps_ids_and_only_the_first_line_of_the_description) {
    const auto f = failure(400, R"({"error":"invalid_grant","error_description":"AADSTS70008: The refresh token has expired.\r\nTrace ID: t\r\nCorrelation ID: c","error_codes":[70008],"correlation_id":"c-1","trace_id":"t-1","suberror":"bad_token"})");
    EXPECT_EQ(f.description, "AADSTS70008: The refresh token has expired.");
    EXPECT_EQ(f.correlation_id, "c-1");
    EXPECT_EQ(f.trace_id, "t-1");
    EXPECT_EQ(f.suberror, "bad_token");
    ASSERT_EQ(f.error_codes.size(), 1u);
    const std::string line = describe(f);
    for (const auto* part : {"interaction_required", "HTTP 400", "invalid_grant", "AADSTS70008", "correlation_id=c-1", "oauth.md A.6"})
        EXPECT_NE(line.find(part), std::string::npos) << part << " in " << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(token_failure, throttling_honours_retry_after) {
    const auto f = failure(429, R"({"error":"temporarily_unavailable"})", "60");
    EXPECT_EQ(f.kind, failure_kind::transient);
    EXPECT_EQ(f.retry_after, 60s);
    const auto g = failure(503, "", " 1");
    EXPECT_EQ(g.retry_after, 1s);
    const auto h = failure(429, "", "Wed, 21 Oct 2015 07:28:00 GMT");
    EXPECT_EQ(h.retry_after, std::nullopt);
    // an error body under a 200
    EXPECT_EQ(failure(200, R"({"error":"invalid_grant"})").kind, failure_kind::interaction_required);
}

}  // namespace
}  // namespace ewstrigd::auth
