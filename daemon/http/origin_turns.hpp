#pragma once
// At most N buffered requests per origin in flight; the others wait in
// arrival order (curl_client, pooled_client). Without the limit, thousands
// of mailboxes starting together open one connection per request.
//
// Loop affinity: one thread. A waiting request is held weakly: one that is
// gone or completed (cancelled) when its turn comes is skipped.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

namespace ewstrigd::http {

class origin_turns {
public:
    /// A request that may wait for a turn.
    class taker {
    public:
        /// Still wants its turn (not completed meanwhile).
        virtual bool waiting() const noexcept = 0;
        /// The turn is its own from now on, until it calls release(origin).
        virtual void take_turn(const std::string& origin) = 0;

    protected:
        ~taker() = default;
    };

    explicit origin_turns(std::size_t max_per_origin) noexcept : max_(max_per_origin == 0 ? 1 : max_per_origin) {}

    /// True: the caller holds a turn of `origin` now. False: it waits, and
    /// take_turn() is called when a turn is released.
    bool take_or_wait(const std::string& origin, const std::weak_ptr<taker>& t);
    /// A turn of `origin` ends; the next waiting request takes it. May run
    /// inside take_turn() (a request failing at its start).
    void release(const std::string& origin);
    /// Requests waiting and still wanting their turn.
    std::size_t queued() const noexcept;
    /// The owner is being destroyed: forget everything; later releases do nothing.
    void clear() noexcept { origins_.clear(); }

private:
    struct turns {
        std::size_t active = 0;
        std::deque<std::weak_ptr<taker>> waiting;  // in arrival order
    };

    std::size_t max_;
    std::unordered_map<std::string, turns> origins_;
    bool handing_on_ = false;
};

}  // namespace ewstrigd::http
