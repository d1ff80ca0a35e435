#include "run_until.hpp"

namespace ewstrigd::test {

::testing::AssertionResult run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
                                     std::chrono::steady_clock::duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return ::testing::AssertionFailure() << "watchdog: not done before the deadline";
        }
        if (ioc.stopped()) ioc.restart();
        if (ioc.run_one_until(deadline) == 0 && ioc.stopped() && !done()) {
            return ::testing::AssertionFailure() << "the loop ran out of work before completion";
        }
    }
    return ::testing::AssertionSuccess();
}

}  // namespace ewstrigd::test
