#pragma once
// Bounded event-loop runs for integration tests (the watchdog of every test).

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

namespace ewstrigd::test {

/// Runs handlers of `ioc` on this thread until `done()` holds. Fails when the
/// deadline passes first (generous: CI is a loaded 2-core machine) or when the
/// loop runs out of work with `done()` still false (a lost completion).
::testing::AssertionResult run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
                                     std::chrono::steady_clock::duration limit = std::chrono::seconds(60));

}  // namespace ewstrigd::test
