// The label set of ewstrigd_ews_errors_total stays bounded whatever a server sends (watch/totals.hpp).
#include "watch/totals.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ewstrigd::watch {
namespace {

TEST(watch_totals, error_labels_keep_the_codes_of_ews_http_and_the_source) {
    for (const char* code : {"ErrorServerBusy", "ErrorInvalidSyncStateData", "HTTP 503", "HTTP 401", "network",
                             "unexpected-response", "stream-idle", "credentials:interaction_required"}) {
        EXPECT_EQ(error_label(code), code);
    }
}

TEST(watch_totals, anything_not_shaped_like_a_code_is_other) {
    for (const char* code : {"", "Error", "Error Server Busy", "ErrorServerBusy\"}", "HTTP 50", "HTTP 5034",
                             "HTTP abc", "credentials:", "credentials:Bad-Kind", "Some text from a server",
                             "fault\n"}) {
        EXPECT_EQ(error_label(code), "other") << code;
    }
    EXPECT_EQ(error_label("Error" + std::string(200, 'X')), "other");
}

TEST(watch_totals, a_server_inventing_codes_cannot_grow_the_label_set) {
    watch_totals t;
    for (int i = 0; i < 1000; ++i) t.count_error("ErrorInvented" + std::to_string(i));
    t.count_error("ErrorInvented0");  // already a label: still counted under its name
    EXPECT_EQ(t.ews_errors.size(), max_error_labels + 1);  // plus "other"
    EXPECT_EQ(t.ews_errors.at("ErrorInvented0"), 2u);
    EXPECT_EQ(t.ews_errors.at("other"), 1000u - max_error_labels);
}

}  // namespace
}  // namespace ewstrigd::watch
