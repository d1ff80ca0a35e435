#include "source/own_stream.hpp"

#include "source/doorbell.hpp"
#include "source/stream_reading.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;

// Owned by the handler of whichever step is in flight (credentials, then the
// stream); the handler's cancellation slot holds a weak reference only, so
// an operation whose handlers are destroyed unrun (a loop torn down) leaves
// nothing dangling there. The stream's chunk handler holds a plain pointer:
// the stream's completion handler keeps the operation alive meanwhile.
class own_stream : public std::enable_shared_from_this<own_stream> {
public:
    own_stream(channel& via, stream_listener& listener, std::string_view subscription_id, own_stream_limits limits,
               net::any_completion_handler<listen_signature> handler)
        : via_(via), listener_(listener), subscription_id_(subscription_id), limits_(limits),
          handler_(std::move(handler)) {
        // One frame reader for the stream's life: nothing is allocated per frame.
        frames_ = [this](const ews::response& frame, stream_reading& st) { return on_frame(frame, st); };
    }

    void start() {
        auto slot = net::get_associated_cancellation_slot(handler_);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this()](net::cancellation_type) {
                if (auto self = weak.lock()) self->cancel();
            });
        }
        fetch_credentials();
    }

private:
    void cancel() {
        cancelled_ = true;
        signal_.emit(net::cancellation_type::terminal);
    }

    void fetch_credentials() {
        via_.credentials().async_credentials(net::bind_cancellation_slot(
            signal_.slot(), [self = shared_from_this()](std::optional<auth::credential_failure> failure,
                                                        http::auth auth) mutable {
                self->on_credentials(std::move(failure), std::move(auth));
            }));
    }

    void on_credentials(std::optional<auth::credential_failure> failure, http::auth auth) {
        if (cancelled_) return finish(cancelled_decision());
        if (failure) return finish(credential_decision(*failure));
        // Built anew for a retry rather than kept: the request holds the only copy.
        auto body = streaming_request_body(via_.settings().context, std::vector<std::string>{std::string{subscription_id_}},
                                           limits_.connection_timeout);
        auto req = via_.request_for(ews::operation::get_streaming_events, std::move(body), std::move(auth),
                                    streaming_timeouts(limits_.idle));
        via_.streams().async_stream(
            std::move(req), [this](std::string_view bytes) { return read_stream_chunk(reading_, bytes, frames_); },
            net::bind_cancellation_slot(signal_.slot(),
                                        [self = shared_from_this()](boost::system::error_code ec, http::response res) mutable {
                                            self->on_answer(ec, std::move(res));
                                        }));
    }

    // ews_source's frame handling: ring what the frame concerns, stop at an
    // error frame or at Closed (rather than waiting for the server to hang up).
    bool on_frame(const ews::response& frame, stream_reading& st) {
        const auto news = read_doorbell(frame);
        listener_.on_news(news);
        if (news.failure) {
            st.failure = news.failure;
            return false;
        }
        st.closed = news.closed;
        return !st.closed;
    }

    void on_answer(boost::system::error_code ec, http::response res) {
        if (ec == net::error::operation_aborted || cancelled_) return finish(cancelled_decision());
        exchange_reply reply;
        reply.ec = ec;
        reply.http = std::move(res);
        if (via_.retry_with_fresh_credentials(reply, attempt_++)) return fetch_credentials();
        if (!reply.failure) parse_reply_body(reply);
        finish(stream_outcome(reply, reading_, limits_.idle));
    }

    void finish(const outcome& o) {
        listener_.on_end(o);
        if (auto slot = net::get_associated_cancellation_slot(handler_); slot.is_connected()) slot.clear();
        std::move(handler_)(o);
    }

    channel& via_;
    stream_listener& listener_;
    std::string_view subscription_id_;
    own_stream_limits limits_;
    net::any_completion_handler<listen_signature> handler_;
    net::cancellation_signal signal_;  // cancels the step in flight
    frame_reader frames_;
    stream_reading reading_;
    int attempt_ = 0;
    bool cancelled_ = false;
};

}  // namespace

void async_own_stream(channel& via, stream_listener& listener, std::string_view subscription_id,
                      own_stream_limits limits, net::any_completion_handler<listen_signature> handler) {
    std::make_shared<own_stream>(via, listener, subscription_id, limits, std::move(handler))->start();
}

}  // namespace ewstrigd::source
