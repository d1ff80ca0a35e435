#include "service/listen_address.hpp"

#include <charconv>

namespace ewstrigd::service {

namespace ip = boost::asio::ip;

boost::system::result<ip::tcp::endpoint> parse_listen_address(std::string_view text) {
    const auto bad = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535) return bad;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code aec;
    const auto addr = ip::make_address(std::string(host), aec);
    if (aec) return bad;
    return ip::tcp::endpoint(addr, static_cast<unsigned short>(port));
}

ip::tcp::endpoint client_endpoint(const ip::tcp::endpoint& bound) {
    if (!bound.address().is_unspecified()) return bound;
    return {bound.address().is_v6() ? ip::address(ip::address_v6::loopback()) : ip::address(ip::address_v4::loopback()),
            bound.port()};
}

}  // namespace ewstrigd::service
