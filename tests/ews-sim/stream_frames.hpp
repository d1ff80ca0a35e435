#pragma once
// The envelopes of a GetStreamingEvents response (ews-protocol.md §2.3): a
// keep-alive (ConnectionStatus OK), the final Closed frame, notification
// frames with one m:Notification per subscription that has queued events,
// and the error frame for subscriptions that vanished. Pure but for taking
// queued events out of the store. Frames carry no XML declaration.
#include "store.hpp"

#include <string>
#include <vector>

namespace ewstrigd::sim {

std::string keepalive_frame();
std::string closed_frame();

struct stream_poll {
    std::string frame;  // empty when nothing is queued
    bool ended = false; // the frame reported dead subscriptions and closed the stream
};

// Takes the queued events of `subscription_ids`. When one no longer exists
// (unsubscribed, expired), the frame is an ErrorSubscriptionNotFound message
// listing those ids with ConnectionStatus Closed, and `ended` is set.
stream_poll poll_stream(store& st, const std::vector<std::string>& subscription_ids, time_point now);

}  // namespace ewstrigd::sim
