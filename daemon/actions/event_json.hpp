#pragma once
// The JSON document describing one event: the body of a webhook and the
// .json file of a save action (schema in docs/actions.md). Deterministic:
// the same job gives the same bytes, so a retried webhook carries the same
// body and signature. The message body text is left out on purpose: it can
// be large and private, and the receiver can fetch the message by item_id.
//
// Pure.

#include "actions/job.hpp"

#include <string>
#include <string_view>

namespace ewstrigd::actions {

// Compact JSON (indent < 0) or indented; invalid UTF-8 in mail text becomes U+FFFD.
std::string event_json(const job& j, int indent = -1);

// Lower-case hex of HMAC-SHA256(key, data).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace ewstrigd::actions
