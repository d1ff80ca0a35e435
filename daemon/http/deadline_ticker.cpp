#include "http/deadline_ticker.hpp"

namespace ewstrigd::http {

void deadline_ticker::start() {
    if (running_) return;
    running_ = true;
    timer_.expires_after(std::chrono::seconds(1));
    // A handler already queued when the destructor cancels still sees
    // success: the weak lifetime token, not the error, says whether `this` lives.
    timer_.async_wait([this, alive = std::weak_ptr<const int>(lifetime_)](boost::system::error_code) {
        if (alive.expired()) return;
        running_ = false;
        if (tick_(std::chrono::steady_clock::now())) start();
    });
}

void request_deadlines::start(const timeouts& t, time_point now) {
    timeouts_ = t;
    if (t.total.count() > 0) total_ = now + t.total;
}

void request_deadlines::connecting(time_point now) {
    phase_ = phase::connecting;
    if (timeouts_.connect.count() > 0) connect_ = now + timeouts_.connect;
}

bool request_deadlines::passed(time_point now) const noexcept {
    const bool idle = phase_ == phase::receiving && timeouts_.idle.count() > 0 && now - last_bytes_ >= timeouts_.idle;
    return (phase_ == phase::connecting && connect_ && now >= *connect_) || (total_ && now >= *total_) || idle;
}

}  // namespace ewstrigd::http
