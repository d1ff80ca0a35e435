#pragma once
// The admin HTTP API of issue 3 (routes and fields exactly as specified):
//   POST   /admin/mailboxes/{address}/folders/{folder}/messages  (JSON or message/rfc822) -> 201 {"item_id"}
//   GET    /admin/mailboxes/{address}/folders/{folder}/messages  -> [{"item_id","subject","from","is_read","received",
//                                                                     "to","cc","bcc","headers","body","body_type",
//                                                                     "message_id","attachments",
//                                                                     "attachment_contents"}]
//   POST   /admin/mailboxes/{address}/folders/{folder}/notify  {"count"?: 1..10000} -> 200 {"item_id","events",
//          "subscriptions"}: that many NewMailEvents about the folder's newest item, no new mail (409 when empty)
//   GET    /admin/mailboxes/{address}/sent  -> what it sent with CreateItem, any MessageDisposition but SaveOnly:
//          [{message fields as above, "sent","delivered_to","external"}]
//   GET    /admin/mailboxes/{address}/backend  -> {"backend"}: the server it lives on (backends.hpp)
//   POST   /admin/mailboxes/{address}/backend  {"backend"} -> {"backend","subscriptions_dropped"}: moves it
//   POST   /admin/faults   {"kind","mailbox"?,"count"?,"status"?,"backoff_ms"?,"delay_ms"?}
//   DELETE /admin/faults
//   GET    /admin/stats
// Pure: the only effect outside the store and fault list goes through the
// stream_control interface the HTTP layer implements. Errors are JSON
// {"error": "..."} with 400/404/405.
#include "faults.hpp"
#include "stats.hpp"
#include "store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ewstrigd::sim {

// What the admin API needs from the open GetStreamingEvents connections.
class stream_control {
public:
    virtual ~stream_control() = default;
    // Subscriptions got events or were removed (store::take_changed_subscriptions): the streams serving
    // them should look now.
    virtual void events_queued() = 0;
    // Applies a drop/stall fault to up to f.count open streams of f.mailbox
    // (all mailboxes when unset); returns how many it hit.
    virtual std::uint64_t apply_to_open_streams(const fault& f) = 0;
    virtual std::size_t open_streams() const = 0;
};

struct admin_reply {
    unsigned status = 200;
    std::string body;  // application/json
};

class admin_api {
public:
    admin_api(store& st, fault_list& faults, stats& counters, stream_control& streams)
        : store_(st), faults_(faults), stats_(counters), streams_(streams) {}

    // `target` is the request-target (path, optional query); `content_type` the header value.
    admin_reply handle(std::string_view method, std::string_view target, std::string_view content_type,
                       std::string_view body, time_point now);

private:
    admin_reply deliver(std::string_view address, std::string_view folder, std::string_view content_type,
                        std::string_view body, time_point now);
    admin_reply list(std::string_view address, std::string_view folder);
    admin_reply notify(std::string_view address, std::string_view folder, std::string_view body, time_point now);
    admin_reply sent(std::string_view address);
    admin_reply add_fault(std::string_view body);
    admin_reply stats_reply();

    store& store_;
    fault_list& faults_;
    stats& stats_;
    stream_control& streams_;
};

}  // namespace ewstrigd::sim
