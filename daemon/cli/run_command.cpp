// `ewstrigd run`: load and check the config, set up logging, open the state
// store, then hand over to the daemon runtime (cli/daemon_runtime.hpp,
// docs/daemon.md). Also the body of `ewstrigd service run` on Windows.
#include "cli/commands.hpp"
#include "cli/config_errors.hpp"
#include "cli/daemon_runtime.hpp"
#include "cli/exit_codes.hpp"
#include "cli/log_setup.hpp"

#include "config/loader.hpp"
#include "state/store.hpp"
#include "util/shard.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <ostream>

namespace ewstrigd::cli {

int run_daemon(const run_args& args, std::ostream& err, service::platform::service_context* service) {
    auto loaded = config::load_config(args.config_file);
    if (!loaded.cfg) return report_config_errors(loaded.errors, err);
    util::shard shard;
    if (args.shard) {
        try {
            shard = util::parse_shard(*args.shard);
        } catch (const std::invalid_argument& e) {
            err << "ewstrigd: --shard: " << e.what() << '\n';
            return exit_code::usage;
        }
    }
    setup_logging(loaded.cfg->log);
    std::unique_ptr<state::store> store;
    try {
        store = state::store::open(loaded.cfg->state_dir, true);
    } catch (const state::store_error& e) {
        err << "ewstrigd: " << e.what() << '\n';
        return exit_code::invalid_config;
    }
    boost::asio::io_context ioc;
    try {
        daemon_runtime d(ioc, std::make_shared<const config::config>(std::move(*loaded.cfg)), *store,
                         runtime_options{shard, EWSTRIGD_VERSION, service});
        return d.run(args.once);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}

int run_command(const run_args& args, std::ostream& out, std::ostream& err) {
    (void)out;
    return run_daemon(args, err, nullptr);
}

}  // namespace ewstrigd::cli
