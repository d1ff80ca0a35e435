#pragma once
// Time for the watch loop: the wall clock (matching, outbox timestamps) and
// sleeps (back-off, safety timer). A seam so unit tests drive time by hand
// instead of sleeping (tests/unit/watch_fakes.hpp).
//
// Contract: async_sleep completes exactly once on the loop of the executor
// the implementation was made with, never inside the call: with no error
// after `d`, or with operation_aborted when the handler's cancellation slot
// is emitted (any type).

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>

namespace ewstrigd::watch {

using sleep_signature = void(boost::system::error_code);

class clock {
public:
    virtual ~clock() = default;

    virtual std::chrono::system_clock::time_point now() = 0;

    template <boost::asio::completion_token_for<sleep_signature> Token>
    auto async_sleep(std::chrono::milliseconds d, Token&& token) {
        return boost::asio::async_initiate<Token, sleep_signature>(
            [this](auto h, std::chrono::milliseconds delay) { sleep_impl(delay, std::move(h)); }, token, d);
    }

private:
    virtual void sleep_impl(std::chrono::milliseconds d, boost::asio::any_completion_handler<sleep_signature> h) = 0;
};

// The real clock: system_clock for now(), steady timers for sleeps.
std::unique_ptr<clock> make_system_clock(boost::asio::any_io_executor ex);

}  // namespace ewstrigd::watch
