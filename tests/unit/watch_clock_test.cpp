// The real watch clock (watch/clock.hpp): every sleep waits in one queue
// behind one timer, so these use real time, a few milliseconds at most;
// a jump of the wall clock is the fake clock's (watch_fakes.hpp).
#include "watch/clock.hpp"

#include "watch_fakes.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <memory>
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

TEST(watch_clock, periodic_calls_repeat_each_on_its_interval_until_stopped) {
    net::io_context ioc;
    auto clock = watch::make_system_clock(ioc.get_executor());
    watch::periodic_call fast, slow, other;
    int fast_calls = 0, slow_calls = 0, other_calls = 0;
    clock->call_every(fast, 2ms, [&] {
        if (++fast_calls == 5) fast.stop();
    });
    clock->call_every(other, 2ms, [&] { ++other_calls; });
    other.stop();  // before its first call: never called
    clock->call_every(slow, 7ms, [&] {
        if (++slow_calls == 2) slow.stop();
    });
    EXPECT_EQ(fast_calls + slow_calls, 0) << "called inside call_every";
    const auto started = std::chrono::steady_clock::now();
    ioc.run_for(5s);  // returns early only once no call runs any more
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(fast_calls, 5);
    EXPECT_EQ(slow_calls, 2);
    EXPECT_EQ(other_calls, 0);
    EXPECT_GE(took, 14ms) << "the slow call came early";
    EXPECT_LT(took, 2s);
    EXPECT_FALSE(fast.running());
}

TEST(watch_clock, a_periodic_call_destroyed_inside_its_call_ends_and_the_others_go_on) {
    net::io_context ioc;
    auto clock = watch::make_system_clock(ioc.get_executor());
    auto owned = std::make_unique<watch::periodic_call>();
    watch::periodic_call kept;
    int owned_calls = 0, kept_calls = 0;
    clock->call_every(*owned, 1ms, [&] {
        ++owned_calls;
        owned.reset();  // the watcher that owned it is gone
    });
    clock->call_every(kept, 1ms, [&] {
        if (++kept_calls == 3) kept.stop();
    });
    ioc.run_for(5s);
    EXPECT_EQ(owned_calls, 1);
    EXPECT_EQ(kept_calls, 3);
}

TEST(watch_clock, call_every_again_moves_a_running_call_to_the_new_interval) {
    net::io_context ioc;
    auto clock = watch::make_system_clock(ioc.get_executor());
    watch::periodic_call call;
    std::vector<std::string> seen;
    clock->call_every(call, 1h, [&] { seen.push_back("old"); });
    clock->call_every(call, 1ms, [&] {
        seen.push_back("new");
        call.stop();
    });
    const auto started = std::chrono::steady_clock::now();
    ioc.run_for(5s);  // returns early: the hour-long sleep of the old interval is ended, not waited for
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(seen, (std::vector<std::string>{"new"}));
}

TEST(watch_clock, periodic_calls_keep_their_spread_when_the_wall_clock_jumps_ahead) {
    net::io_context ioc;
    fake_clock clock(ioc.get_executor());
    const auto settle = [&ioc] {
        ioc.restart();  // ran out of work: the loop stopped
        ioc.poll();
    };
    watch::periodic_call early, late;
    int early_calls = 0, late_calls = 0;
    clock.call_every(early, 10min, [&] { ++early_calls; });
    clock.advance(5min);
    settle();
    clock.call_every(late, 10min, [&] { ++late_calls; });
    clock.advance(6h);  // the clock is set ahead, or the machine slept
    settle();
    EXPECT_EQ(early_calls, 1);
    EXPECT_EQ(late_calls, 0) << "came due together with the first: the calls bunch up after a jump";
    clock.advance(5min);
    settle();
    EXPECT_EQ(late_calls, 1);
    EXPECT_EQ(early_calls, 1);
}

}  // namespace
}  // namespace ewstrigd::testing
