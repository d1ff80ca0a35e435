#pragma once
// Per-operation cancellation for the socket clients (client.hpp: any
// cancellation type completes the request with operation_aborted).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <memory>

namespace ewstrigd::http {

/// When `handler`'s cancellation slot is emitted, `op->complete(operation_aborted)`
/// runs, posted: complete() clears the slot, which must not happen inside emit().
template <typename Op, typename Handler>
void abort_on_cancellation(Handler& handler, std::weak_ptr<Op> op, boost::asio::any_io_executor ex) {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (!slot.is_connected()) return;
    slot.assign([op = std::move(op), ex = std::move(ex)](boost::asio::cancellation_type) {
        boost::asio::post(ex, [op] {
            if (auto self = op.lock()) self->complete(boost::asio::error::operation_aborted);
        });
    });
}

/// Before the completion: nothing may reach the operation through the slot.
template <typename Handler>
void stop_watching_cancellation(Handler& handler) {
    if (auto slot = boost::asio::get_associated_cancellation_slot(handler); slot.is_connected()) slot.clear();
}

}  // namespace ewstrigd::http
