#include "source/doorbell.hpp"
#include "source_fakes.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::source {
namespace {

ews::response parse(const std::string& xml) {
    auto parsed = ews::response::parse(xml);
    EXPECT_TRUE(std::holds_alternative<ews::response>(parsed));
    return std::get<ews::response>(std::move(parsed));
}

TEST(doorbell, item_events_name_their_folder_once_and_folder_events_none) {
    const auto news = read_doorbell(parse(testing::read_test_data("ews/getstreamingevents-created-newmail-modified.xml")));
    ASSERT_EQ(news.folder_ids.size(), 1u);  // Created + NewMail in the inbox; the folder's ModifiedEvent is no item event
    EXPECT_FALSE(news.unknown_folder);
    EXPECT_FALSE(news.closed);
    EXPECT_FALSE(news.failure);
}

TEST(doorbell, a_move_names_both_folders) {
    const auto frame = testing::ews_response(
        "GetStreamingEvents",
        testing::response_message("GetStreamingEvents",
                                  "<m:Notifications><m:Notification><t:SubscriptionId>s</t:SubscriptionId><t:MovedEvent>"
                                  "<t:TimeStamp>2026-01-01T00:00:00Z</t:TimeStamp><t:ItemId Id=\"new\"/>"
                                  "<t:ParentFolderId Id=\"to\"/><t:OldItemId Id=\"old\"/><t:OldParentFolderId Id=\"from\"/>"
                                  "</t:MovedEvent></m:Notification></m:Notifications>"));
    const auto news = read_doorbell(parse(frame));
    EXPECT_EQ(news.folder_ids, (std::vector<std::string>{"to", "from"}));
}

TEST(doorbell, keep_alive_and_closed_frames) {
    EXPECT_EQ(read_doorbell(parse(testing::keep_alive_frame())).folder_ids.size(), 0u);
    EXPECT_FALSE(read_doorbell(parse(testing::keep_alive_frame())).closed);
    EXPECT_TRUE(read_doorbell(parse(testing::read_test_data("ews/getstreamingevents-closed-no-notifications.xml"))).closed);
}

TEST(doorbell, an_error_frame_with_subscription_ids_is_resubscribe) {
    const auto news =
        read_doorbell(parse(testing::read_test_data("ews/getstreamingevents-error-invalidsubscription-errorsubscriptionids.xml")));
    ASSERT_TRUE(news.failure);
    EXPECT_EQ(news.failure->step, ews::next_step::resubscribe);
    EXPECT_TRUE(news.closed);
}

TEST(doorbell, a_fault_is_classified) {
    const auto news = read_doorbell(parse(testing::soap_fault("ErrorServerBusy")));
    ASSERT_TRUE(news.failure);
    EXPECT_EQ(news.failure->step, ews::next_step::retry_after);
}

TEST(doorbell, pull_events_give_the_last_watermark) {
    const auto news = read_doorbell(parse(testing::read_test_data("ews/getevents-response-two-newmail-watermarks.xml")));
    EXPECT_FALSE(news.last_watermark.empty());
    EXPECT_FALSE(news.more_events);
    EXPECT_EQ(news.folder_ids, std::vector<std::string>{"AQApAH"});
}

}  // namespace
}  // namespace ewstrigd::source
