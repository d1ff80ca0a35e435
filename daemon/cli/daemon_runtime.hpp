#pragma once
// The daemon behind `ewstrigd run` (docs/daemon.md): one io_context on the
// calling thread; one curl client; per mailbox a credential provider, an
// ews_source and a watcher; one outbox runner; signals (SIGHUP reload,
// SIGINT/SIGTERM stop) and the service reporting (cli/daemon_reporting.hpp).
//
// Loop affinity: construct and run() on one thread, which runs the loop.
// The store must outlive the runtime. Constructor errors (e.g. curl) throw.

#include "config/model.hpp"
#include "service/platform_service.hpp"
#include "state/store.hpp"
#include "util/shard.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace ewstrigd::cli {

struct runtime_options {
    util::shard shard;
    std::string version;  // shown in /status.json
    // Set when running under the Windows SCM (`service run`): told when the
    // daemon is up (with stop/reload controls that post into the loop) and
    // when it stops. Null otherwise.
    service::platform::service_context* service = nullptr;
};

class daemon_runtime {
public:
    daemon_runtime(boost::asio::io_context& ioc, std::shared_ptr<const config::config> cfg, state::store& store,
                   runtime_options options);
    ~daemon_runtime();
    daemon_runtime(const daemon_runtime&) = delete;
    daemon_runtime& operator=(const daemon_runtime&) = delete;

    /// Runs until stopped (signal, SCM) or, with `once`, until every folder
    /// synced once and the outbox has nothing due. The process exit code:
    /// 0, 1 when --once had a folder fail or the state store failed, and
    /// invalid_config when metrics.listen cannot be served.
    int run(bool once);

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace ewstrigd::cli
