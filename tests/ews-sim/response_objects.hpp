#pragma once
// t:ReplyToItem, t:ReplyAllToItem and t:ForwardItem (types.xsd
// SmartResponseType) turned into the message to send, the way Exchange
// composes them:
// - reply: To = the original's Reply-To header, else its From;
// - reply all: that plus the original To and Cc, without the replying mailbox;
// - forward: only the recipients the request names; the original's attachments go along;
// - recipients named in the request are added to the automatic ones;
// - Subject "RE: " / "FW: " + the original's, unless it already starts so (or the request gives one);
// - In-Reply-To = the original's Message-ID, References = its References + Message-ID;
// - NewBodyContent above the original body, quoted under a From/Sent/To/Subject
//   block (HTML when either is HTML); a t:Body instead replaces the whole body.
// Pure.
#include "store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::sim {

enum class response_kind { reply, reply_all, forward };

struct body_content {
    std::string text;
    bool is_html = false;
};

// What the request says, beyond ReferenceItemId.
struct response_request {
    response_kind kind = response_kind::reply;
    std::optional<std::string> subject;
    std::optional<body_content> body;              // t:Body: the whole body
    std::optional<body_content> new_body_content;  // t:NewBodyContent: above the quoted original
    std::vector<mail_address> to, cc, bcc;
};

// The message mailbox `me` sends in response to `original` (From left empty).
message compose_response(const stored_item& original, const response_request& request, std::string_view me);

}  // namespace ewstrigd::sim
