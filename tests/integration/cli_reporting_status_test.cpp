// /status.json as `ewstrigd run` serves it (cli/daemon_reporting.hpp): the
// outbox backlog of each mailbox is counted from the real store, read over
// HTTP with the project's client.
#include "cli/daemon_reporting.hpp"

#include "http_fixture.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace st = ewstrigd::state;

st::new_item item_with_actions(const std::string& id, int actions) {
    st::new_item item{id, "event-" + id, {}};
    // A large payload: counting must not depend on (or copy) it.
    for (int i = 0; i < actions; ++i) item.actions.push_back({"t", i, std::string(64 * 1024, 'x'), 3});
    return item;
}

class cli_reporting_status : public ewstrigd::test::http_fixture {
protected:
    std::map<std::string, std::uint64_t> pending_by_mailbox() {
        ewstrigd::cli::reporting_inputs inputs;
        inputs.store = store_.get();
        inputs.mailboxes = [] {
            std::vector<ewstrigd::watch::mailbox_status> all(3);
            all[0].mailbox = "invoices";
            all[1].mailbox = "archive";
            all[2].mailbox = "quiet";
            return all;
        };
        ewstrigd::cli::reporting_options options;
        options.listen = net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0);
        ewstrigd::cli::daemon_reporting reporting(ioc, inputs, options);
        reporting.start();
        ewstrigd::http::request req;
        req.url = "http://127.0.0.1:" + std::to_string(reporting.health_endpoint()->port()) + "/status.json";
        req.timeouts.total = 20s;
        const auto o = send(std::move(req));
        reporting.stopping();
        EXPECT_FALSE(o.ec) << o.ec.message();
        EXPECT_EQ(o.res.status, 200u) << o.res.body;
        std::map<std::string, std::uint64_t> out;
        const auto status = nlohmann::json::parse(o.res.body);
        for (const auto& row : status["mailboxes"])
            out[row["id"].get<std::string>()] = row["outbox_pending"].get<std::uint64_t>();
        return out;
    }

    ewstrigd::testing::scratch_dir dir_;
    std::unique_ptr<st::store> store_ = st::store::open(dir_.path());
};

TEST_F(cli_reporting_status, each_mailbox_shows_its_own_pending_actions) {
    const auto now = st::clock::now();
    store_->commit_sync("invoices", "inbox", "s1", {item_with_actions("a", 2), item_with_actions("b", 1)}, now);
    store_->commit_sync("archive", "inbox", "s2", {item_with_actions("c", 1)}, now + 1h);  // not due yet: pending
    const auto done = store_->due_actions(now, 1).at(0).id;
    store_->action_done(done);  // done rows are no backlog
    EXPECT_EQ(pending_by_mailbox(), (std::map<std::string, std::uint64_t>{{"archive", 1}, {"invoices", 2}, {"quiet", 0}}));
}

}  // namespace
