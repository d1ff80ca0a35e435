#pragma once
// One io_context, a fake mail source, an executor logging into a string.

#include "actions/executor.hpp"
#include "actions_fakes.hpp"
#include "actions_test_util.hpp"
#include "run_until.hpp"
#include "test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace ewstrigd::test {

using actions::testing::templ;

inline actions::job sample_job() {
    actions::job j;
    j.event_id = "ev-7";
    j.mailbox = "mb";
    j.folder = "inbox";
    j.item_id = "item-1";
    j.trigger = "t";
    j.data.message.subject = "Invoice 4711 – Grüße";
    j.data.message.from = {"Supplier", "billing@supplier.example"};
    j.data.message.to = {{"", "invoices@contoso.com"}};
    j.data.captures = {{"number", "4711"}};
    return j;
}

class actions_fixture : public ::testing::Test {
protected:
    actions_fixture() {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(log_text);
        logger = std::make_shared<spdlog::logger>("actions-test", sink);
        logger->set_level(spdlog::level::trace);
    }

    actions::executor_options options(http::client* http = nullptr) {
        actions::executor_options o;
        o.http = http;
        o.source_for = [this](const std::string&) -> source::mail_source* { return &source; };
        o.temp_dir = tmp.path();
        o.environment = {"PATH=/usr/bin:/bin", "CLIENT_SECRET=hidden"};
        o.log = logger;
        return o;
    }

    actions::outcome execute(actions::executor& exec, const config::action_config& a,
                             const actions::job& j = sample_job()) {
        actions::outcome result;
        bool done = false;
        exec.async_execute(a, j, [&](actions::outcome o) {
            EXPECT_FALSE(done) << "completed twice";
            result = std::move(o);
            done = true;
        });
        EXPECT_TRUE(run_until(ioc, [&] { return done; }));
        return result;
    }

    boost::asio::io_context ioc;
    fake_source source{ioc.get_executor()};
    ewstrigd::testing::scratch_dir tmp;
    std::ostringstream log_text;
    std::shared_ptr<spdlog::logger> logger;
};

}  // namespace ewstrigd::test
