#include "ews/subscribe.hpp"

namespace ewstrigd::ews {

parse_result<std::vector<subscription>> parse_subscribe(const response& r) {
    if (auto err = expect_operation(r, {"Subscribe"})) return *std::move(err);
    std::vector<subscription> out;
    for (const auto& rm : r.messages()) {
        out.push_back({rm, trimmed(rm.node.child(ns::messages, "SubscriptionId").text()),
                       trimmed(rm.node.child(ns::messages, "Watermark").text())});
    }
    return out;
}

}  // namespace ewstrigd::ews
