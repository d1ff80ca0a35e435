#pragma once
// metrics.listen ("HOST:PORT") -> a TCP endpoint (pure). HOST is an IPv4
// literal, an IPv6 literal (bracketed or not: "[::1]:9464", "::1:9464") or
// "localhost" (127.0.0.1); no DNS, so startup never waits on the network.

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <string_view>

namespace ewstrigd::service {

/// Error: boost::system::errc::invalid_argument.
boost::system::result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

/// Where a local client reaches a server bound to `bound`: a wildcard
/// address (0.0.0.0, ::) becomes the loopback address of its family.
boost::asio::ip::tcp::endpoint client_endpoint(const boost::asio::ip::tcp::endpoint& bound);

}  // namespace ewstrigd::service
