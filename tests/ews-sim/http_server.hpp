#pragma once
// The HTTP side of ews-sim: a Boost.Beast HTTP/1.1 server on one io_context
// and one thread (no strands, no locks), one coroutine per connection.
// Serves POST /EWS/Exchange.asmx (auth, injected faults, operations.hpp,
// GetStreamingEvents as a chunked response of stream_frames.hpp envelopes)
// and /admin/* (admin_api.hpp) on the same port.
//
// Lifetime: construct, listen(), then run the io_context; stop() (from the
// io_context's thread, e.g. a signal handler) closes the acceptor and every
// connection so run() returns.
#include "options.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>

namespace ewstrigd::sim {

class server {
public:
    server(boost::asio::io_context& ioc, options opts);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and starts accepting; returns the bound port. Throws
    // boost::system::system_error when the address cannot be bound.
    std::uint16_t listen();
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ewstrigd::sim
