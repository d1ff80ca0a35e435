#pragma once
// Time for the watch loop: the wall clock (matching, outbox timestamps),
// sleeps (back-off) and periodic calls (safety timer). A seam so unit tests drive time by hand
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
#include <functional>
#include <memory>
#include <vector>

namespace ewstrigd::watch {

using sleep_signature = void(boost::system::error_code);

class clock;
struct periodic_round;  // clock.cpp

// One owner's place in clock::call_every: a node inside the owner, so that
// 10,000 watchers' safety timers are 10,000 list entries behind one sleep,
// with nothing allocated per watcher (issue 8). Stops on destruction.
class periodic_call {
public:
    periodic_call() = default;
    ~periodic_call() { stop(); }
    periodic_call(const periodic_call&) = delete;
    periodic_call& operator=(const periodic_call&) = delete;

    // No more calls; the function is released. Does nothing when not running.
    void stop();
    bool running() const { return round_ != nullptr; }

private:
    friend class clock;
    void link_last(periodic_round& r);
    void unlink();

    periodic_round* round_ = nullptr;  // the calls of its interval, in the order they are due
    periodic_call* prev_ = nullptr;
    periodic_call* next_ = nullptr;
    std::chrono::system_clock::time_point due_;  // on its round's time line (periodic_round::shift)
    std::function<void()> fn_;
};

class clock {
public:
    clock();
    virtual ~clock();
    clock(const clock&) = delete;
    clock& operator=(const clock&) = delete;

    virtual std::chrono::system_clock::time_point now() = 0;

    // Calls `fn` every `interval` from now on (on the loop, never inside this
    // call) until `call` is stopped or destroyed; a running `call` is moved
    // to the new schedule. Calls of the same interval wait in the order they
    // are due behind one async_sleep at a time; the clock must outlive them.
    void call_every(periodic_call& call, std::chrono::milliseconds interval, std::function<void()> fn);

    template <boost::asio::completion_token_for<sleep_signature> Token>
    auto async_sleep(std::chrono::milliseconds d, Token&& token) {
        return boost::asio::async_initiate<Token, sleep_signature>(
            [this](auto h, std::chrono::milliseconds delay) { sleep_impl(delay, std::move(h)); }, token, d);
    }

private:
    virtual void sleep_impl(std::chrono::milliseconds d, boost::asio::any_completion_handler<sleep_signature> h) = 0;

    friend class periodic_call;
    void sleep_until_due(periodic_round& r);
    void wake(periodic_round& r);

    std::vector<std::unique_ptr<periodic_round>> rounds_;  // one per interval in use
};

// The real clock: system_clock for now(), steady timers for sleeps.
std::unique_ptr<clock> make_system_clock(boost::asio::any_io_executor ex);

}  // namespace ewstrigd::watch
