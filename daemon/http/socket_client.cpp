#include "http/socket_client.hpp"

namespace ewstrigd::http {

void socket_client::hand_on(request req, chunk_handler on_chunk,
                            boost::asio::any_completion_handler<send_signature> handler) {
    if (on_chunk) return fallback_.async_stream(std::move(req), std::move(on_chunk), std::move(handler));
    fallback_.async_send(std::move(req), std::move(handler));
}

}  // namespace ewstrigd::http
