#pragma once
// Internal to actions/: the state of one attempt shared by the kinds' code.

#include "actions/executor.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ewstrigd::actions {

struct executor::execution : std::enable_shared_from_this<execution> {
    execution(boost::asio::any_io_executor ex, config::action_config a, job jb,
              boost::asio::any_completion_handler<execute_signature> h);

    // Completes the attempt (posted, once); later calls are ignored.
    void complete(outcome o);
    bool finished() const { return !handler; }

    // Arms the deadline: when it passes, `timed_out` is set and `abort` runs.
    void start_deadline(std::chrono::milliseconds d);
    void stop_deadline();

    // The slot sub-operations (HTTP, mail source) bind, so that a deadline or
    // a cancellation from outside cancels them.
    boost::asio::cancellation_slot sub_slot() { return sub.slot(); }

    boost::asio::any_io_executor ex;
    config::action_config action;
    job j;
    match::message msg;  // message_of(j)
    boost::asio::any_completion_handler<execute_signature> handler;
    boost::asio::steady_timer deadline;
    boost::asio::cancellation_signal sub;
    std::function<void()> abort;  // how this kind stops early; default: emit `sub`
    bool timed_out = false;
    bool cancelled = false;
};

// A mail-source outcome as an action outcome; `what` names the operation.
outcome from_source(const source::outcome& o, const std::string& what, bool timed_out);

}  // namespace ewstrigd::actions
