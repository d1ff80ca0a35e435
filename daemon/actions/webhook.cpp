// The webhook action: build_webhook_request, send, classify_webhook_answer.

#include "actions/execution.hpp"
#include "actions/webhook_request.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <spdlog/spdlog.h>

namespace ewstrigd::actions {

namespace net = boost::asio;

void executor::do_webhook(const std::shared_ptr<execution>& e) {
    if (options_.http == nullptr) return e->complete(outcome::retry("no HTTP client configured"));
    const auto& hook = std::get<config::webhook_action>(e->action.what);
    http::request req = build_webhook_request(hook, e->j, timeout_of(e->action));
    const std::string target = loggable_origin(req.url);
    options_.log->debug("mailbox={} trigger={} event={} webhook {} {}", e->j.mailbox, e->j.trigger, e->j.event_id,
                        hook.method, target);
    // curl enforces the timeout itself (timeouts.total); no deadline of ours.
    options_.http->async_send(std::move(req),
                              net::bind_cancellation_slot(e->sub_slot(), [e](boost::system::error_code ec,
                                                                             http::response res) {
                                  e->complete(classify_webhook_answer(ec, res, std::chrono::system_clock::now()));
                              }));
}

}  // namespace ewstrigd::actions
