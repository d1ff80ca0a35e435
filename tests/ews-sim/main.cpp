// ews-sim: an EWS simulator for tests. See http_server.hpp and README.
#include "http_server.hpp"
#include "options.hpp"

#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using namespace ewstrigd::sim;
    options opts;
    try {
        opts = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "ews-sim: " << e.what() << "\n" << usage;
        return 64;  // EX_USAGE
    }
    if (opts.help) {
        std::cout << usage;
        return 0;
    }
    try {
        boost::asio::io_context ioc;
        server srv(ioc, opts);
        const auto port = srv.listen();
        const char* scheme = opts.tls_cert.empty() ? "http" : "https";
        std::cout << "listening on " << scheme << "://" << opts.host << ":" << port << std::endl;  // flushed: tests wait for it
        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) { srv.stop(); });
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "ews-sim: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
