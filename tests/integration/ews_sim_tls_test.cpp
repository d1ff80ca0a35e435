// ews-sim over TLS (--tls-cert/--tls-key), reached by the daemon's HTTP client:
// trusted through tls.ca_file, refused without it, and a GetStreamingEvents
// stream (chunked envelopes, Closed, last chunk) survives the TLS layer.

#include "ews_sim_fixture.hpp"
#include "tls_server.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;

class ews_sim_tls : public ews_sim_fixture {
protected:
    void SetUp() override {
        // tls_server mints a throwaway certificate for 127.0.0.1; the simulator serves it from files.
        const tls_server pem_source(ioc);
        const auto prefix = ::testing::TempDir() + "ews-sim-tls-" + std::to_string(::getpid()) + "-";
        cert_file_ = prefix + "cert.pem";
        key_file_ = prefix + "key.pem";
        std::ofstream(cert_file_) << pem_source.cert_pem();
        std::ofstream(key_file_) << pem_source.key_pem();
        sim::options o;
        o.tls_cert = cert_file_;
        o.tls_key = key_file_;
        o.minute = 300ms;  // ConnectionTimeout 1 = 0.3 s: the stream ends with Closed quickly
        o.keepalive = 100ms;
        start(std::move(o));
    }

    void TearDown() override {
        ews_sim_fixture::TearDown();
        std::remove(cert_file_.c_str());
        std::remove(key_file_.c_str());
    }

    http::request trusted(const std::string& body) const {
        auto req = ews(body);
        req.tls.ca_file = cert_file_;
        return req;
    }

    std::string cert_file_;
    std::string key_file_;
};

TEST_F(ews_sim_tls, client_with_the_ca_file_gets_ews_answers) {
    const auto o = send(trusted(sim_get_inbox));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_NE(o.res.body.find("<m:ResponseCode>NoError</m:ResponseCode>"), std::string::npos) << o.res.body;
    EXPECT_NE(o.res.body.find("<t:DisplayName>Inbox</t:DisplayName>"), std::string::npos) << o.res.body;
}

TEST_F(ews_sim_tls, client_without_the_ca_file_refuses_the_simulator) {
    const auto refused = send(ews(sim_get_inbox));
    EXPECT_EQ(refused.ec, http::make_curl_error_code(CURLE_PEER_FAILED_VERIFICATION)) << refused.ec.message();

    http::request stats;  // nothing reached the EWS endpoint
    stats.url = base_ + "/admin/stats";
    stats.tls.ca_file = cert_file_;
    const auto o = send(stats);
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_NE(o.res.body.find("\"requests_by_operation\":{}"), std::string::npos) << o.res.body;
}

TEST_F(ews_sim_tls, streaming_events_arrive_and_end_with_closed) {
    const auto subscribed = send(trusted(sim_subscribe_inbox));
    ASSERT_FALSE(subscribed.ec) << subscribed.ec.message();
    const auto id = sim_subscription_id(subscribed.res.body);
    ASSERT_FALSE(id.empty()) << subscribed.res.body;

    std::string streamed;
    outcome o;
    client.async_stream(trusted(sim_get_streaming_events(id)),
                        [&](std::string_view chunk) {
                            streamed += chunk;
                            return true;
                        },
                        record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done; }));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_NE(streamed.find("<m:ConnectionStatus>OK</m:ConnectionStatus>"), std::string::npos) << streamed;
    EXPECT_NE(streamed.find("<m:ConnectionStatus>Closed</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>"
                            "</m:ResponseMessages></m:GetStreamingEventsResponse></soap11:Body></Envelope>"),
              std::string::npos)
        << streamed;
}

}  // namespace
}  // namespace ewstrigd::test
