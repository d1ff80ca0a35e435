// ews-sim verifying Bearer tokens as JWTs against a real issuer: the OAuth
// test server (tests/oauth-peer/server.mjs --jwt-access-tokens) issues RS256
// access tokens with aud https://outlook.office365.com; ews-sim is started
// with --jwks-url taken from the server's discovery document. A token from
// the issuer works for EWS, whether fetched by a plain form post or by
// `ewstrigd connect`; a tampered token, a token for another audience and an
// opaque token get 401 with Bearer error="invalid_token".
#include "oauth_peer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <curl/curl.h>

#include <fstream>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;

constexpr auto ews_audience = "https://outlook.office365.com";

// GetFolder inbox, impersonating `mailbox` (an app token) or, when empty, as the token's own user (delegated).
std::string get_folder_inbox(const std::string& mailbox) {
    const auto impersonation = mailbox.empty() ? std::string()
                                               : "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>" +
                                                     mailbox +
                                                     "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>";
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
           "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
           "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><s:Header>"
           "<t:RequestServerVersion Version=\"Exchange2016\"/>" +
           impersonation +
           "</s:Header><s:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>"
           "<m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds></m:GetFolder></s:Body></s:Envelope>";
}

struct ews_answer {
    long status = 0;
    std::string www_authenticate;
    std::string body;
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::size_t header_line(char* data, std::size_t size, std::size_t n, void* out) {
    const std::string line(data, size * n);
    constexpr std::string_view name = "www-authenticate:";
    if (line.size() > name.size()) {
        std::string lower = line.substr(0, name.size());
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == name) {
            auto value = line.substr(name.size());
            value.erase(0, value.find_first_not_of(' '));
            value.erase(value.find_last_not_of("\r\n") + 1);
            static_cast<std::string*>(out)->append(value);
        }
    }
    return size * n;
}

// One GetFolder inbox with `Authorization: Bearer <token>`.
ews_answer ews_call(const std::string& url, const std::string& token,
                    const std::string& mailbox = "support@contoso.test") {
    ews_answer a;
    const auto body = get_folder_inbox(mailbox);
    CURL* easy = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml; charset=utf-8");
    headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_line);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &a.www_authenticate);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
    if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    return a;
}

class oauth_jwt : public ::testing::Test {
protected:
    testing::scratch_dir dir;
    oauth_peer peer{[] {
        peer_options o;
        o.jwt_access_tokens = true;
        o.access_ttl = 300;
        return o;
    }()};
    std::string jwks_uri = [this] {
        const auto discovery = blocking_http("GET", peer.issuer() + "/.well-known/openid-configuration");
        EXPECT_EQ(discovery.status, 200) << discovery.body;
        return nlohmann::json::parse(discovery.body, nullptr, false).value("jwks_uri", "");
    }();
    child_process sim{{EWS_SIM_BINARY, "--listen", "127.0.0.1:0", "--jwks-url", jwks_uri, "--issuer", peer.issuer(),
                       "--audience", ews_audience}};
    std::string sim_base = [this] {
        const auto line = sim.read_line(30s).value_or("");
        const auto at = line.find("http://");
        EXPECT_NE(at, std::string::npos) << line << sim.err();
        return at == std::string::npos ? std::string() : line.substr(at);
    }();
    std::string ews_url() const { return sim_base + "/EWS/Exchange.asmx"; }

    // A client-credentials token of cc-secret, as an Entra client asks: scope only, or also a resource.
    std::string client_credentials_token(const std::string& form_extra) {
        const auto a = blocking_http("POST", peer.issuer() + "/token",
                                     "grant_type=client_credentials&client_id=cc-secret&client_secret=cc-secret-value" +
                                         form_extra,
                                     "application/x-www-form-urlencoded");
        EXPECT_EQ(a.status, 200) << a.body;
        return nlohmann::json::parse(a.body, nullptr, false).value("access_token", "");
    }
};

TEST_F(oauth_jwt, ews_sim_accepts_the_issuers_token_and_refuses_forged_or_foreign_ones) {
    ASSERT_FALSE(jwks_uri.empty());
    const auto token = client_credentials_token("&scope=https%3A%2F%2Foutlook.office365.com%2F.default");
    ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << "a JWT, not an opaque token";

    const auto ok = ews_call(ews_url(), token);
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_NE(ok.body.find("ResponseClass=\"Success\""), std::string::npos) << ok.body;
    EXPECT_NE(ok.body.find("NoError"), std::string::npos) << ok.body;

    // The claims of another token (another jti, later exp) under this token's signature.
    const auto other = client_credentials_token("&scope=https%3A%2F%2Foutlook.office365.com%2F.default");
    const auto forged = ews_call(ews_url(), other.substr(0, other.rfind('.')) + token.substr(token.rfind('.')));
    EXPECT_EQ(forged.status, 401);
    EXPECT_EQ(forged.www_authenticate,
              "Bearer error=\"invalid_token\", error_description=\"The token's signature is invalid\"");

    const auto graph = ews_call(ews_url(), client_credentials_token("&resource=https%3A%2F%2Fgraph.microsoft.com"));
    EXPECT_EQ(graph.status, 401);
    EXPECT_EQ(graph.www_authenticate,
              "Bearer error=\"invalid_token\", error_description=\"The token's audience is not this server\"");

    const auto opaque = ews_call(ews_url(), client_credentials_token(""));  // no scope: no resource, opaque
    EXPECT_EQ(opaque.status, 401);
    EXPECT_NE(opaque.www_authenticate.find("The token is not a JWT"), std::string::npos) << opaque.www_authenticate;

    const auto stats = nlohmann::json::parse(blocking_http("GET", sim_base + "/admin/stats").body, nullptr, false);
    EXPECT_EQ(stats.value("unauthorized", -1), 3);
}

TEST_F(oauth_jwt, ewstrigd_connect_gets_a_token_ews_sim_verifies) {
    const auto config = dir.write("connect.yaml", "state_dir: " + (dir.path() / "state").string() +
                                                      "\nmailboxes:\n  - id: support\n    address: support@contoso.test\n"
                                                      "    ews_url: " + ews_url() + "\n    auth: { kind: oauth-app, tenant_id: " +
                                                      peer.tenant() +
                                                      ", client_id: cc-secret, client_secret: cc-secret-value, "
                                                      "authority: '" + peer.base() + "' }\ntriggers: []\n");
    child_process connect({EWSTRIGD_BINARY, "connect", "-c", config.string(), "support"});
    ASSERT_EQ(connect.wait(60s), 0) << connect.out() << connect.err();
    EXPECT_NE(connect.out().find("EWS GetFolder inbox OK"), std::string::npos) << connect.out();
    EXPECT_EQ(connect.out().find("rejected"), std::string::npos) << connect.out();
}

TEST_F(oauth_jwt, a_delegated_token_selects_its_users_mailbox) {
    // Device code sign-in of alice (approved through the server's test route), then one refresh.
    const auto device = blocking_http("POST", peer.issuer() + "/device/auth",
                                      "client_id=device-public&scope=openid%20offline_access%20https%3A%2F%2F"
                                      "outlook.office365.com%2FEWS.AccessAsUser.All",
                                      "application/x-www-form-urlencoded");
    ASSERT_EQ(device.status, 200) << device.body;
    const auto started = nlohmann::json::parse(device.body);
    peer.approve(started.at("user_code").get<std::string>());
    const auto tokens = blocking_http("POST", peer.issuer() + "/token",
                                      "client_id=device-public&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3A"
                                      "device_code&device_code=" + started.at("device_code").get<std::string>(),
                                      "application/x-www-form-urlencoded");
    ASSERT_EQ(tokens.status, 200) << tokens.body;
    const auto answer = nlohmann::json::parse(tokens.body);
    const auto refreshed = blocking_http("POST", peer.issuer() + "/token",
                                         "client_id=device-public&grant_type=refresh_token&refresh_token=" +
                                             answer.at("refresh_token").get<std::string>(),
                                         "application/x-www-form-urlencoded");
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;

    const auto delivered = blocking_http("POST", sim_base + "/admin/mailboxes/alice@contoso.test/folders/inbox/messages",
                                         R"({"from":"a@supplier.example","to":"alice@contoso.test","subject":"hi"})");
    ASSERT_EQ(delivered.status, 201) << delivered.body;
    for (const auto& token : {answer.at("access_token").get<std::string>(),
                              nlohmann::json::parse(refreshed.body).at("access_token").get<std::string>()}) {
        const auto inbox = ews_call(ews_url(), token, "");  // no impersonation: the token's upn is the mailbox
        EXPECT_EQ(inbox.status, 200) << inbox.body;
        EXPECT_NE(inbox.body.find("<t:UnreadCount>1</t:UnreadCount>"), std::string::npos) << inbox.body;
    }
}

TEST(oauth_jwt_start_up, ews_sim_refuses_to_start_without_its_jwks) {
    child_process sim({EWS_SIM_BINARY, "--listen", "127.0.0.1:0", "--jwks-url", "http://127.0.0.1:1/jwks", "--issuer",
                       "http://127.0.0.1:1/t/v2.0", "--audience", ews_audience});
    EXPECT_EQ(sim.wait(30s), 1);
    EXPECT_NE(sim.err().find("--jwks-url http://127.0.0.1:1/jwks: unreachable"), std::string::npos) << sim.err();
    EXPECT_EQ(sim.out().find("listening"), std::string::npos) << sim.out();
}

}  // namespace
}  // namespace ewstrigd::test
