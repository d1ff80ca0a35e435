// TLS: verification is on by default and a configured CA file is honoured.
// The HTTPS server uses a self-signed certificate generated at test time.

#include "http_fixture.hpp"
#include "tls_server.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace ewstrigd::test {
namespace {

using http_tls = http_fixture;

TEST_F(http_tls, verification_is_on_by_default_and_rejects_a_self_signed_server) {
    tls_server server(ioc);
    http::request req;
    req.url = server.url();
    const auto o = send(req);
    EXPECT_EQ(o.ec, http::make_curl_error_code(CURLE_PEER_FAILED_VERIFICATION)) << o.ec.message();
    EXPECT_EQ(server.requests(), 0u);
}

TEST_F(http_tls, ca_file_makes_the_self_signed_server_trusted) {
    tls_server server(ioc);
    const std::string ca_file = ::testing::TempDir() + "ewstrigd-http-ca-" + std::to_string(::getpid()) + ".pem";
    std::ofstream(ca_file) << server.cert_pem();
    http::request req;
    req.url = server.url();
    req.tls.ca_file = ca_file;
    const auto o = send(req);
    std::remove(ca_file.c_str());
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(o.res.status, 200u);
    EXPECT_EQ(o.res.body, "secure");
}

}  // namespace
}  // namespace ewstrigd::test
