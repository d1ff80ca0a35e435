#include "watch/clock.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ewstrigd::watch {
namespace {

class system_clock_source final : public clock {
public:
    explicit system_clock_source(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    std::chrono::system_clock::time_point now() override { return std::chrono::system_clock::now(); }

private:
    void sleep_impl(std::chrono::milliseconds d, boost::asio::any_completion_handler<sleep_signature> h) override {
        // One timer per sleep: sleeps of different loops never share state.
        auto timer = std::make_shared<boost::asio::steady_timer>(ex_, d);
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        timer->async_wait(boost::asio::bind_cancellation_slot(
            slot, [timer, h = std::move(h)](boost::system::error_code ec) mutable { std::move(h)(ec); }));
    }

    boost::asio::any_io_executor ex_;
};

}  // namespace

std::unique_ptr<clock> make_system_clock(boost::asio::any_io_executor ex) {
    return std::make_unique<system_clock_source>(std::move(ex));
}

}  // namespace ewstrigd::watch
