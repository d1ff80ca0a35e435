#pragma once
// The payload of an outbox row (state/store.hpp): what an action needs to
// run long after the item was matched, possibly after a restart, without
// asking Exchange again: the message summary the triggers saw and the
// captures of the trigger that matched. JSON, versioned ("v": 1), so rows
// written by an older ewstrigd still run after an upgrade.
//
// Pure; decoding never throws and names what is wrong.

#include "match/evaluate.hpp"
#include "match/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::actions {

struct payload {
    match::message message;
    match::captures captures;
};

std::string encode_payload(const payload& p);

struct payload_error {
    std::string message;
};
// nullopt + error text when `json` is not a payload this version can read.
std::optional<payload> decode_payload(std::string_view json, payload_error* error = nullptr);

}  // namespace ewstrigd::actions
