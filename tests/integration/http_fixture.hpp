#pragma once
// Shared fixture: one io_context on this thread, one curl_multi, one client.

#include "http/curl_client.hpp"
#include "http/curl_error.hpp"
#include "http/curl_multi.hpp"
#include "run_until.hpp"
#include "scripted_server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>

namespace ewstrigd::test {

struct outcome {
    boost::system::error_code ec;
    http::response res;
    bool done = false;
};

class http_fixture : public ::testing::Test {
protected:
    auto record(outcome& o) {
        return [&o](boost::system::error_code ec, http::response res) {
            EXPECT_FALSE(o.done) << "completed twice";
            o.ec = ec;
            o.res = std::move(res);
            o.done = true;
        };
    }

    outcome send(http::request req) {
        outcome o;
        client.async_send(std::move(req), record(o));
        EXPECT_TRUE(run_until(ioc, [&] { return o.done; }));
        return o;
    }

    net::io_context ioc;
    http::curl_multi multi{ioc};
    http::curl_client client{multi};
};

}  // namespace ewstrigd::test
