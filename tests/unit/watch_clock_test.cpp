// The real watch clock (watch/clock.hpp): every sleep waits in one queue
// behind one timer, so these use real time, a few milliseconds at most.
#include "watch/clock.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ewstrigd::testing {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

TEST(watch_clock, sleeps_end_in_the_order_of_their_deadlines_not_of_their_start) {
    net::io_context ioc;
    auto clock = watch::make_system_clock(ioc.get_executor());
    std::vector<std::string> ended;
    auto note = [&ended](std::string name) {
        return [&ended, name](boost::system::error_code ec) { ended.push_back(name + (ec ? " failed" : "")); };
    };
    clock->async_sleep(30ms, note("long"));
    clock->async_sleep(1ms, note("short"));  // earlier than the queue's first: the timer is moved up
    clock->async_sleep(10ms, note("middle"));
    clock->async_sleep(0ms, note("none"));
    EXPECT_TRUE(ended.empty()) << "completed inside the call";
    ioc.run();
    EXPECT_EQ(ended, (std::vector<std::string>{"none", "short", "middle", "long"}));
}

TEST(watch_clock, a_cancelled_sleep_ends_at_once_with_operation_aborted_and_the_others_still_wait) {
    net::io_context ioc;
    auto clock = watch::make_system_clock(ioc.get_executor());
    net::cancellation_signal cancel;
    std::vector<boost::system::error_code> cancelled, kept;
    clock->async_sleep(3s, net::bind_cancellation_slot(cancel.slot(), [&](boost::system::error_code ec) {
                           cancelled.push_back(ec);
                       }));
    clock->async_sleep(5ms, [&](boost::system::error_code ec) { kept.push_back(ec); });
    cancel.emit(net::cancellation_type::terminal);
    cancel.emit(net::cancellation_type::terminal);  // again: the sleep is over, nothing happens
    EXPECT_TRUE(cancelled.empty()) << "completed inside emit";
    const auto started = std::chrono::steady_clock::now();
    ioc.run();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "the loop waited for the cancelled sleep";
    ASSERT_EQ(cancelled.size(), 1u);
    EXPECT_EQ(cancelled[0], net::error::operation_aborted);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_FALSE(kept[0]);
}

}  // namespace
}  // namespace ewstrigd::testing
