#pragma once
// ews-sim in-process on the test's io_context, reached by the daemon's HTTP
// client: the fixture for tests of the simulator's HTTP layer (TLS, throttling).
#include "http_fixture.hpp"
#include "http_server.hpp"

#include <optional>
#include <string>

namespace ewstrigd::test {

inline constexpr const char* sim_user = "user0@example.com";
inline constexpr const char* sim_password = "secret";

// A SOAP request as the daemon sends it, around `body`.
inline std::string sim_envelope(const std::string& body) {
    return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
           "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">"
           "<s:Header><t:RequestServerVersion Version=\"Exchange2013_SP1\"/></s:Header><s:Body>" +
           body + "</s:Body></s:Envelope>";
}

inline const std::string sim_get_inbox =
    "<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>"
    "<m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds></m:GetFolder>";

inline const std::string sim_subscribe_inbox =
    "<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/>"
    "</t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes>"
    "</m:StreamingSubscriptionRequest></m:Subscribe>";

inline std::string sim_get_streaming_events(const std::string& subscription_id) {
    return "<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>" + subscription_id +
           "</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents>";
}

// The text of the first <m:SubscriptionId> in a Subscribe response; empty when absent.
inline std::string sim_subscription_id(const std::string& body) {
    const auto start = body.find("<m:SubscriptionId>");
    const auto end = body.find("</m:SubscriptionId>");
    if (start == std::string::npos || end == std::string::npos) return {};
    return body.substr(start + 18, end - start - 18);
}

class ews_sim_fixture : public http_fixture {
protected:
    // Starts the simulator with `o` (user0 added); base_ is its URL.
    void start(sim::options o) {
        o.auth.users[sim_user] = sim_password;
        const bool tls = !o.tls_cert.empty();
        sim_.emplace(ioc, std::move(o));
        base_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(sim_->listen());
    }

    void TearDown() override {
        if (sim_) sim_->stop();
    }

    http::request ews(const std::string& body) const {
        http::request req;
        req.method = http::method::post;
        req.url = base_ + "/EWS/Exchange.asmx";
        req.headers = {{"Content-Type", "text/xml; charset=utf-8"}};
        req.body = sim_envelope(body);
        req.auth = http::basic_auth{sim_user, sim_password};
        req.timeouts.total = std::chrono::seconds(20);
        return req;
    }

    std::optional<sim::server> sim_;
    std::string base_;
};

}  // namespace ewstrigd::test
