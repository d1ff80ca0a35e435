// ews_source against a scripted http::client: what is sent, and what each
// answer leads to. Real Exchange samples from tests/data/ews where they exist.

#include "auth/static_credentials.hpp"
#include "source/ews_source.hpp"
#include "source/stream_hub.hpp"
#include "source_fakes.hpp"
#include "test_support.hpp"
#include "util/base64.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ewstrigd::source {
namespace {

namespace net = boost::asio;
using testing::drain;
using testing::ews_response;
using testing::read_test_data;
using testing::response_message;
using testing::scripted_reply;

// The ParentFolderId of the items in getstreamingevents-created-newmail-modified.xml.
const std::string sample_inbox_id =
    "AQMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwAuAAADUkllSq5hlEyRPjFSL6H4JQEA2RgAmUKUoEqcjZHsWHtm+wAAAgENAAAA";
const std::string sample_subscription_id =
    "JgBjbzFwcjA2bWIyMjIubmFtcHJkMDYucHJvZC5vdXRsb29rLmNvbRAAAAAUeGk+7JFdSaFM8/NI/gQQpVdgZX6H0Ag=";

scripted_reply ok_reply(std::string body) { return scripted_reply{200, std::move(body), {}, {}, {}, false}; }
scripted_reply stream_reply(std::vector<std::string> chunks) { return scripted_reply{200, {}, std::move(chunks), {}, {}, false}; }
scripted_reply status_reply(unsigned status, std::string body = {}) { return scripted_reply{status, std::move(body), {}, {}, {}, false}; }
scripted_reply hanging_reply() {
    scripted_reply r;
    r.hang = true;
    return r;
}

config::mailbox_config mailbox(config::watch_mode mode = config::watch_mode::streaming) {
    config::mailbox_config mb;
    mb.id = "invoices";
    mb.address = "invoices@contoso.com";
    mb.ews_url = "https://ews.example/EWS/Exchange.asmx";
    mb.auth.edit().kind = config::auth_kind::basic;
    mb.watch.edit().mode = mode;
    mb.watch.edit().poll_interval = std::chrono::seconds{0};
    return mb;
}

std::string sync_response(const std::string& state, bool last, const std::vector<std::string>& created) {
    std::string changes;
    for (const auto& id : created)
        changes += "<t:Create><t:Message><t:ItemId Id=\"" + id + "\" ChangeKey=\"CQ==\"/></t:Message></t:Create>";
    changes += "<t:Delete><t:ItemId Id=\"gone\"/></t:Delete>";
    return ews_response("SyncFolderItems",
                        response_message("SyncFolderItems", "<m:SyncState>" + state +
                                                                "</m:SyncState><m:IncludesLastItemInRange>" +
                                                                (last ? "true" : "false") +
                                                                "</m:IncludesLastItemInRange><m:Changes>" + changes +
                                                                "</m:Changes>"));
}

std::string item_message(const std::string& id, const std::string& subject) {
    return response_message("GetItem", "<m:Items><t:Message><t:ItemId Id=\"" + id + "\"/><t:Subject>" + subject +
                                           "</t:Subject><t:From><t:Mailbox><t:Name>Billing</t:Name><t:EmailAddress>"
                                           "billing@supplier.example</t:EmailAddress></t:Mailbox></t:From>"
                                           "<t:IsRead>false</t:IsRead></t:Message></m:Items>");
}

std::string item_not_found() { return response_message("GetItem", "<m:Items/>", "ErrorItemNotFound"); }

class source_test : public ::testing::Test {
protected:
    explicit source_test(config::watch_mode mode = config::watch_mode::streaming, ews_source_options options = {})
        : src(ioc.get_executor(), mailbox(mode), client, credentials, {}, options) {}

    // Starts a listen recording rings and the outcome.
    void listen(std::vector<std::string> folders) {
        listened.reset();
        src.async_listen(std::move(folders), [this](const std::string& f) { rings.push_back(f); },
                         net::bind_cancellation_slot(cancel.slot(), [this](outcome o) {
                             EXPECT_FALSE(listened) << "completed twice";
                             listened = std::move(o);
                         }));
    }

    outcome sync(std::string folder, std::optional<std::string> state, folder_changes& changes) {
        std::optional<outcome> result;
        src.async_sync(std::move(folder), std::move(state), [&](outcome o, folder_changes c) {
            result = std::move(o);
            changes = std::move(c);
        });
        drain(ioc);
        EXPECT_TRUE(result) << "sync did not complete";
        return result.value_or(outcome{ews::next_step::permanent, {}, "lost", "lost"});
    }

    outcome done_op(const std::function<void(std::function<void(outcome)>)>& start) {
        std::optional<outcome> result;
        start([&](outcome o) { result = std::move(o); });
        drain(ioc);
        EXPECT_TRUE(result) << "operation did not complete";
        return result.value_or(outcome{ews::next_step::permanent, {}, "lost", "lost"});
    }

    net::io_context ioc;
    testing::fake_client client{ioc};
    testing::fake_credentials credentials{ioc};
    ews_source src;
    net::cancellation_signal cancel;
    std::vector<std::string> rings;
    std::optional<outcome> listened;
};

TEST_F(source_test, subscribe_then_stream_rings_the_folder_of_the_new_mail) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(testing::get_folder_response("sent-items-id")));
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    const auto notification = read_test_data("ews/getstreamingevents-created-newmail-modified.xml");
    // Split inside the notification: frames do not arrive whole.
    client.script.push_back(stream_reply({notification.substr(0, 700), notification.substr(700),
                                          read_test_data("ews/getstreamingevents-closed-no-notifications.xml")}));
    listen({"inbox", "sentitems"});
    drain(ioc);

    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::proceed) << listened->reason;  // Closed: listen again
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "GetFolder", "Subscribe", "GetStreamingEvents"}));
    // Once per folder for the new subscription, then the folder the notification names.
    EXPECT_EQ(rings, (std::vector<std::string>{"inbox", "sentitems", "inbox"}));
    EXPECT_EQ(src.subscription_id(), sample_subscription_id);

    const auto& subscribe = client.requests[2].body;
    for (const char* e : {"NewMailEvent", "CreatedEvent", "ModifiedEvent", "MovedEvent"})
        EXPECT_NE(subscribe.find(std::string{"<t:EventType>"} + e + "</t:EventType>"), std::string::npos) << e;
    EXPECT_NE(subscribe.find("StreamingSubscriptionRequest"), std::string::npos);
    EXPECT_NE(subscribe.find(sample_inbox_id), std::string::npos);
    const auto& stream = client.requests[3];
    EXPECT_NE(stream.body.find("<m:ConnectionTimeout>29</m:ConnectionTimeout>"), std::string::npos);
    EXPECT_NE(stream.body.find(sample_subscription_id), std::string::npos);
    EXPECT_GT(stream.timeouts.idle, std::chrono::seconds{60});  // keep-alives come every ~45 s
    EXPECT_EQ(stream.timeouts.total, std::chrono::milliseconds{0});
    EXPECT_EQ(stream.url, "https://ews.example/EWS/Exchange.asmx");
}

TEST_F(source_test, keep_alives_ring_nothing_and_a_live_subscription_is_reused) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    client.script.push_back(stream_reply({testing::keep_alive_frame(), testing::keep_alive_frame(),
                                          read_test_data("ews/getstreamingevents-closed-no-notifications.xml")}));
    listen({"inbox"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::proceed);
    EXPECT_EQ(rings, std::vector<std::string>{"inbox"});  // the new-subscription ring only

    client.script.push_back(stream_reply({testing::keep_alive_frame(),
                                          read_test_data("ews/getstreamingevents-closed-no-notifications.xml")}));
    rings.clear();
    listen({"inbox"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::proceed);
    EXPECT_TRUE(rings.empty());
    EXPECT_EQ(client.operations().back(), "GetStreamingEvents");
    EXPECT_EQ(client.requests.size(), 4u);  // no second GetFolder or Subscribe
}

TEST_F(source_test, an_error_frame_for_the_subscription_means_resubscribe) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    client.script.push_back(
        stream_reply({read_test_data("ews/getstreamingevents-error-invalidsubscription-errorsubscriptionids.xml")}));
    listen({"inbox"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::resubscribe);
    EXPECT_EQ(listened->code, "ErrorInvalidSubscription");
    EXPECT_FALSE(src.subscription_id());

    // The next listen subscribes anew (folder ids cached) and rings again.
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    client.script.push_back(stream_reply({read_test_data("ews/getstreamingevents-closed-no-notifications.xml")}));
    rings.clear();
    listen({"inbox"});
    drain(ioc);
    EXPECT_EQ(client.operations(),
              (std::vector<std::string>{"GetFolder", "Subscribe", "GetStreamingEvents", "Subscribe", "GetStreamingEvents"}));
    EXPECT_EQ(rings, std::vector<std::string>{"inbox"});
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::proceed);
}

TEST_F(source_test, subscription_not_found_fault_means_resubscribe) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    client.script.push_back(status_reply(500, testing::soap_fault("ErrorSubscriptionNotFound")));
    listen({"inbox"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::resubscribe);
    EXPECT_EQ(listened->code, "ErrorSubscriptionNotFound");
    EXPECT_FALSE(src.subscription_id());
}

TEST_F(source_test, a_stream_without_frames_for_too_long_is_transient) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    scripted_reply idle = stream_reply({testing::keep_alive_frame()});
    idle.ec = make_error_code(boost::system::errc::timed_out);
    client.script.push_back(idle);
    listen({"inbox"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::transient);
    EXPECT_EQ(listened->code, "stream-idle");
    EXPECT_TRUE(src.subscription_id());  // the subscription may well be alive
}

TEST_F(source_test, http_401_invalidates_and_retries_once_with_fresh_credentials) {
    client.script.push_back(status_reply(401));
    client.script.push_back(ok_reply(testing::get_folder_response("inbox-id")));
    client.script.push_back(ok_reply(sync_response("state-1", true, {"item-1"})));
    folder_changes changes;
    const auto o = sync("inbox", std::nullopt, changes);
    EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
    EXPECT_EQ(credentials.invalidated, 1u);
    ASSERT_EQ(client.requests.size(), 3u);
    EXPECT_EQ(std::get<http::bearer_auth>(client.requests[0].auth).token, "token-0");
    EXPECT_EQ(std::get<http::bearer_auth>(client.requests[1].auth).token, "token-1");
    EXPECT_EQ(client.operation(1), "GetFolder");
    EXPECT_EQ(changes.created, std::vector<std::string>{"item-1"});
}

TEST_F(source_test, http_401_twice_means_reauthenticate) {
    client.script.push_back(status_reply(401));
    client.script.push_back(status_reply(401));
    folder_changes changes;
    const auto o = sync("inbox", std::nullopt, changes);
    EXPECT_EQ(o.step, ews::next_step::reauthenticate);
    EXPECT_EQ(o.code, "HTTP 401");
    EXPECT_EQ(credentials.invalidated, 2u);
    EXPECT_EQ(client.requests.size(), 2u);  // no third try
}

TEST_F(source_test, no_credentials_means_the_providers_explanation) {
    credentials.fail = auth::credential_failure{auth::failure_kind::interaction_required, std::nullopt,
                                                "run `ewstrigd login invoices`"};
    folder_changes changes;
    const auto o = sync("inbox", std::nullopt, changes);
    EXPECT_EQ(o.step, ews::next_step::permanent);
    EXPECT_EQ(o.reason, "run `ewstrigd login invoices`");
    EXPECT_TRUE(client.requests.empty());

    credentials.fail = auth::credential_failure{auth::failure_kind::transient, std::chrono::milliseconds{5000},
                                                "the token endpoint is unreachable"};
    const auto again = sync("inbox", std::nullopt, changes);
    EXPECT_EQ(again.step, ews::next_step::reauthenticate);
    EXPECT_EQ(again.delay, std::chrono::milliseconds{5000});
}

TEST_F(source_test, server_busy_means_retry_after_its_back_off) {
    client.script.push_back(status_reply(500, read_test_data("ews/soapfault-errorserverbusy-backoffmilliseconds.xml")));
    folder_changes changes;
    const auto o = sync("inbox", std::nullopt, changes);
    EXPECT_EQ(o.step, ews::next_step::retry_after);
    EXPECT_EQ(o.code, "ErrorServerBusy");
    EXPECT_EQ(o.delay, std::chrono::milliseconds{297749});
}

TEST_F(source_test, http_503_retry_after_header_is_honoured) {
    auto busy = status_reply(503);
    busy.headers.push_back({"Retry-After", "17"});
    client.script.push_back(busy);
    folder_changes changes;
    const auto o = sync("inbox", std::nullopt, changes);
    EXPECT_EQ(o.step, ews::next_step::retry_after);
    EXPECT_EQ(o.delay, std::chrono::seconds{17});
}

TEST_F(source_test, sync_pages_report_more_and_the_created_ids) {
    client.script.push_back(ok_reply(testing::get_folder_response("inbox-id")));
    client.script.push_back(ok_reply(sync_response("state-1", false, {"a", "b"})));
    client.script.push_back(ok_reply(sync_response("state-2", true, {"c"})));
    folder_changes first;
    EXPECT_EQ(sync("inbox", std::nullopt, first).step, ews::next_step::proceed);
    EXPECT_EQ(first.sync_state, "state-1");
    EXPECT_TRUE(first.more);
    EXPECT_EQ(first.created, (std::vector<std::string>{"a", "b"}));  // deletes are not "created"
    folder_changes second;
    EXPECT_EQ(sync("Inbox", first.sync_state, second).step, ews::next_step::proceed);  // same folder, cached id
    EXPECT_EQ(second.sync_state, "state-2");
    EXPECT_FALSE(second.more);
    EXPECT_EQ(second.created, std::vector<std::string>{"c"});

    ASSERT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "SyncFolderItems", "SyncFolderItems"}));
    const auto& initial = client.requests[1].body;
    EXPECT_EQ(initial.find("<m:SyncState>"), std::string::npos);
    EXPECT_NE(initial.find("<t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>"), std::string::npos);  // no extra properties
    EXPECT_NE(initial.find("<m:MaxChangesReturned>512</m:MaxChangesReturned>"), std::string::npos);
    EXPECT_NE(initial.find("Id=\"inbox-id\""), std::string::npos);
    EXPECT_NE(client.requests[2].body.find("<m:SyncState>state-1</m:SyncState>"), std::string::npos);
}

TEST_F(source_test, sync_of_the_real_sample_lists_its_create) {
    client.script.push_back(ok_reply(testing::get_folder_response("inbox-id")));
    client.script.push_back(ok_reply(read_test_data("ews/syncfolderitems-response-create-meetingrequest.xml")));
    folder_changes changes;
    EXPECT_EQ(sync("inbox", std::nullopt, changes).step, ews::next_step::proceed);
    EXPECT_EQ(changes.sync_state, "H4sIAAAAA=");
    EXPECT_EQ(changes.created, std::vector<std::string>{"AQApAHRwA=="});
}

// The doorbell and the first sync of a mailbox resolve its folders at the
// same time: one GetFolder serves both; when it fails, the other asks anew.
class source_folder_lookup_test : public source_test {
protected:
    std::vector<ews::next_step> two_first_syncs_at_once() {
        std::vector<ews::next_step> steps;
        for (int i = 0; i < 2; ++i)
            src.async_sync("inbox", std::nullopt, [&steps](outcome o, folder_changes) { steps.push_back(o.step); });
        drain(ioc);
        return steps;
    }
};

TEST_F(source_folder_lookup_test, concurrent_first_uses_of_a_folder_share_one_get_folder) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(sync_response("s1", true, {})));
    client.script.push_back(ok_reply(sync_response("s1", true, {})));
    const auto steps = two_first_syncs_at_once();
    EXPECT_EQ(steps, (std::vector<ews::next_step>{ews::next_step::proceed, ews::next_step::proceed}));
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "SyncFolderItems", "SyncFolderItems"}));
}

TEST_F(source_folder_lookup_test, a_failed_shared_get_folder_is_asked_again_by_the_one_that_waited) {
    client.script.push_back(status_reply(503));
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(sync_response("s1", true, {})));
    const auto steps = two_first_syncs_at_once();
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_NE(steps[0], ews::next_step::proceed);  // the 503: retried by its own caller's policy
    EXPECT_EQ(steps[1], ews::next_step::proceed);
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "GetFolder", "SyncFolderItems"}));
}

TEST_F(source_test, invalid_sync_state_means_resync_and_never_an_empty_state) {
    client.script.push_back(ok_reply(testing::get_folder_response("inbox-id")));
    client.script.push_back(ok_reply(read_test_data("ews/syncfolderitems-error-invalidsyncstatedata.xml")));
    folder_changes changes;
    const auto o = sync("inbox", std::string{"truncated"}, changes);
    EXPECT_EQ(o.step, ews::next_step::resync);
    EXPECT_EQ(o.code, "ErrorInvalidSyncStateData");

    // A success without a SyncState is not passed on as one.
    client.script.push_back(ok_reply(sync_response("", true, {"x"})));
    folder_changes empty;
    const auto bad = sync("inbox", std::string{"s"}, empty);
    EXPECT_NE(bad.step, ews::next_step::proceed);
}

TEST_F(source_test, a_missing_watched_folder_is_permanent) {
    client.script.push_back(ok_reply(testing::get_folder_response("root-id")));
    client.script.push_back(ok_reply(ews_response(
        "FindFolder", response_message("FindFolder", "<m:RootFolder IncludesLastItemInRange=\"true\" "
                                                     "TotalItemsInView=\"0\"><t:Folders/></m:RootFolder>"))));
    folder_changes changes;
    const auto o = sync("Projects/2026", std::nullopt, changes);
    EXPECT_EQ(o.step, ews::next_step::permanent);
    EXPECT_NE(o.reason.find("Projects"), std::string::npos);
    EXPECT_NE(client.requests[0].body.find("Id=\"msgfolderroot\""), std::string::npos);
}

class source_fetch_test : public source_test {
protected:
    static ews_source_options small_batches() {
        ews_source_options o;
        o.fetch_batch = 2;
        return o;
    }
    source_fetch_test() : source_test(config::watch_mode::streaming, small_batches()) {}
};

TEST_F(source_fetch_test, fetch_batches_ids_and_leaves_out_missing_items) {
    client.script.push_back(
        ok_reply(ews_response("GetItem", item_message("id-1", "Invoice 1") + item_not_found())));
    client.script.push_back(ok_reply(ews_response("GetItem", item_message("id-3", "Invoice 3"))));
    std::optional<outcome> result;
    std::vector<match::message> messages;
    message_fields fields;
    fields.attachments = true;
    src.async_fetch({"id-1", "id-2", "id-3"}, fields, "inbox", [&](outcome o, std::vector<match::message> m) {
        result = std::move(o);
        messages = std::move(m);
    });
    drain(ioc);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->step, ews::next_step::proceed) << result->reason;
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].item_id, "id-1");
    EXPECT_EQ(messages[0].subject, "Invoice 1");
    EXPECT_EQ(messages[0].from.email, "billing@supplier.example");
    EXPECT_EQ(messages[0].folder, "inbox");
    EXPECT_EQ(messages[1].item_id, "id-3");

    ASSERT_EQ(client.requests.size(), 2u);
    const auto& first = client.requests[0].body;
    EXPECT_NE(first.find("Id=\"id-1\""), std::string::npos);
    EXPECT_NE(first.find("Id=\"id-2\""), std::string::npos);
    EXPECT_EQ(first.find("Id=\"id-3\""), std::string::npos);
    EXPECT_NE(first.find("item:Attachments"), std::string::npos);
    EXPECT_EQ(first.find("item:Body"), std::string::npos);  // not asked for
    EXPECT_EQ(first.find("IncludeMimeContent"), std::string::npos);
    EXPECT_NE(first.find("message:IsRead"), std::string::npos);
}

TEST_F(source_fetch_test, fetch_fails_on_other_item_errors) {
    client.script.push_back(ok_reply(ews_response(
        "GetItem", response_message("GetItem", "<m:Items/>", "ErrorMailboxStoreUnavailable"))));
    std::optional<outcome> result;
    src.async_fetch({"id-1"}, {}, "inbox", [&](outcome o, std::vector<match::message>) { result = std::move(o); });
    drain(ioc);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->step, ews::next_step::transient);
    EXPECT_EQ(result->code, "ErrorMailboxStoreUnavailable");
}

TEST_F(source_test, fetch_of_nothing_completes_without_a_request_and_not_inline) {
    bool done = false;
    src.async_fetch({}, {}, "inbox", [&](outcome o, std::vector<match::message> m) {
        EXPECT_EQ(o.step, ews::next_step::proceed);
        EXPECT_TRUE(m.empty());
        done = true;
    });
    EXPECT_FALSE(done);  // never inside the initiating call
    drain(ioc);
    EXPECT_TRUE(done);
    EXPECT_TRUE(client.requests.empty());
}

TEST_F(source_test, fetch_mime_returns_the_decoded_message) {
    const std::string mime = "Subject: hi\r\n\r\nbody\r\n";
    client.script.push_back(ok_reply(ews_response(
        "GetItem", response_message("GetItem", "<m:Items><t:Message><t:MimeContent CharacterSet=\"UTF-8\">"
                                               "U3ViamVjdDogaGkNCg0KYm9keQ0K</t:MimeContent><t:ItemId Id=\"id-1\"/>"
                                               "</t:Message></m:Items>"))));
    std::optional<outcome> result;
    std::string bytes;
    src.async_fetch_mime("id-1", [&](outcome o, std::string b) {
        result = std::move(o);
        bytes = std::move(b);
    });
    drain(ioc);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->step, ews::next_step::proceed) << result->reason;
    EXPECT_EQ(bytes, mime);
    EXPECT_NE(client.requests[0].body.find("<t:IncludeMimeContent>true</t:IncludeMimeContent>"), std::string::npos);
}

TEST_F(source_test, fetch_original_returns_the_base64_without_line_breaks_and_its_size) {
    const auto reply = [](const std::string& content) {
        return ok_reply(ews_response("GetItem", response_message("GetItem", "<m:Items><t:Message><t:MimeContent>" +
                                                                                content + "</t:MimeContent>"
                                                                                          "</t:Message></m:Items>")));
    };
    client.script.push_back(reply("U3ViamVjdDogaGkNCg0K\r\nYm9keQ0K\r\n"));
    client.script.push_back(reply("U3ViamVjdDogaGk*"));
    std::vector<std::pair<outcome, util::base64_text>> results;
    for (int i = 0; i < 2; ++i) {
        src.async_fetch_original("id-1", [&](outcome o, util::base64_text t) { results.emplace_back(o, t); });
        drain(ioc);
    }
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].first.step, ews::next_step::proceed) << results[0].first.reason;
    EXPECT_EQ(results[0].second.text, "U3ViamVjdDogaGkNCg0KYm9keQ0K");
    EXPECT_EQ(results[0].second.decoded_size, std::string("Subject: hi\r\n\r\nbody\r\n").size());
    EXPECT_EQ(results[1].first.step, ews::next_step::transient);
    EXPECT_EQ(results[1].first.reason, "GetItem sent no base64 MimeContent");
}

TEST_F(source_test, mark_read_sends_update_item_and_a_gone_item_is_permanent) {
    client.script.push_back(ok_reply(read_test_data("ews/updateitem-response.xml")));
    EXPECT_EQ(done_op([&](auto h) { src.async_mark_read("id-1", true, h); }).step, ews::next_step::proceed);
    EXPECT_EQ(client.operation(0), "UpdateItem");
    EXPECT_NE(client.requests[0].body.find("<t:IsRead>true</t:IsRead>"), std::string::npos);

    client.script.push_back(ok_reply(ews_response("UpdateItem", response_message("UpdateItem", "", "ErrorItemNotFound"))));
    const auto gone = done_op([&](auto h) { src.async_mark_read("id-1", false, h); });
    EXPECT_EQ(gone.step, ews::next_step::permanent);
}

TEST_F(source_test, move_with_create_finds_creates_and_moves) {
    client.script.push_back(ok_reply(testing::get_folder_response("inbox-id")));
    client.script.push_back(ok_reply(ews_response(
        "FindFolder", response_message("FindFolder", "<m:RootFolder IncludesLastItemInRange=\"true\"><t:Folders>"
                                                     "<t:Folder><t:FolderId Id=\"other-id\"/><t:DisplayName>Other"
                                                     "</t:DisplayName></t:Folder></t:Folders></m:RootFolder>"))));
    client.script.push_back(ok_reply(ews_response(
        "CreateFolder",
        response_message("CreateFolder", "<m:Folders><t:Folder><t:FolderId Id=\"processed-id\"/></t:Folder></m:Folders>"))));
    client.script.push_back(ok_reply(read_test_data("ews/moveitem-response.xml")));
    const auto o = done_op([&](auto h) { src.async_move("id-1", "Inbox/Processed", true, h); });
    EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "FindFolder", "CreateFolder", "MoveItem"}));
    EXPECT_NE(client.requests[1].body.find("Traversal=\"Shallow\""), std::string::npos);
    EXPECT_NE(client.requests[2].body.find("<t:DisplayName>Processed</t:DisplayName>"), std::string::npos);
    EXPECT_NE(client.requests[2].body.find("Id=\"inbox-id\""), std::string::npos);
    EXPECT_NE(client.requests[3].body.find("Id=\"processed-id\""), std::string::npos);

    // The path is cached now, whatever its spelling.
    client.script.push_back(ok_reply(read_test_data("ews/moveitem-response.xml")));
    EXPECT_EQ(done_op([&](auto h) { src.async_move("id-2", "inbox/processed", false, h); }).step,
              ews::next_step::proceed);
    EXPECT_EQ(client.operations().size(), 5u);
}

TEST_F(source_test, move_to_an_existing_folder_matches_its_name_case_insensitively) {
    client.script.push_back(ok_reply(testing::get_folder_response("inbox-id")));
    client.script.push_back(ok_reply(ews_response(
        "FindFolder", response_message("FindFolder", "<m:RootFolder IncludesLastItemInRange=\"true\"><t:Folders>"
                                                     "<t:Folder><t:FolderId Id=\"processed-id\"/><t:DisplayName>"
                                                     "PROCESSED</t:DisplayName></t:Folder></t:Folders></m:RootFolder>"))));
    client.script.push_back(ok_reply(ews_response("MoveItem", response_message("MoveItem", "", "ErrorItemNotFound"))));
    const auto o = done_op([&](auto h) { src.async_move("id-1", "Inbox/Processed", false, h); });
    EXPECT_EQ(o.step, ews::next_step::permanent);  // the item is gone
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "FindFolder", "MoveItem"}));
    EXPECT_NE(client.requests[2].body.find("Id=\"processed-id\""), std::string::npos);
}

TEST_F(source_test, cancelling_a_listen_cancels_the_stream_and_completes_cancelled) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml")));
    client.script.push_back(hanging_reply());
    listen({"inbox"});
    drain(ioc);
    ASSERT_FALSE(listened);  // the stream is open
    cancel.emit(net::cancellation_type::total);
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::transient);
    EXPECT_EQ(listened->code, "cancelled");
    EXPECT_EQ(client.aborted, 1u);
    // A late emission after completion is harmless.
    cancel.emit(net::cancellation_type::terminal);
    drain(ioc);
}

class source_poll_test : public source_test {
protected:
    source_poll_test() : source_test(config::watch_mode::poll) {}
};

TEST_F(source_poll_test, poll_rings_every_folder_each_interval_without_requests) {
    listen({"inbox", "Inbox/Processed"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::proceed);
    EXPECT_EQ(rings, (std::vector<std::string>{"inbox", "Inbox/Processed"}));
    EXPECT_TRUE(client.requests.empty());
}

class source_pull_test : public source_test {
protected:
    source_pull_test() : source_test(config::watch_mode::pull) {}
};

TEST_F(source_pull_test, pull_subscribes_then_get_events_from_the_watermark) {
    client.script.push_back(ok_reply(testing::get_folder_response("AQApAH")));  // ParentFolderId in the sample
    client.script.push_back(ok_reply(read_test_data("ews/subscribe-pull-response-watermark.xml")));
    client.script.push_back(ok_reply(read_test_data("ews/getevents-response-two-newmail-watermarks.xml")));
    listen({"inbox"});
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->step, ews::next_step::proceed) << listened->reason;
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "Subscribe", "GetEvents"}));
    EXPECT_NE(client.requests[1].body.find("PullSubscriptionRequest"), std::string::npos);
    EXPECT_EQ(rings, (std::vector<std::string>{"inbox", "inbox"}));  // new subscription, then the events
}

TEST(static_credentials_in_source, a_rejected_password_stops_with_the_explanation) {
    net::io_context ioc;
    testing::fake_client client{ioc};
    config::mailbox_config mb = mailbox();
    mb.auth.edit().username = "CORP\\svc";
    mb.auth.edit().password = config::secret{"hunter2"};
    auth::static_credentials credentials(ioc.get_executor(), *mb.auth);
    ews_source src(ioc.get_executor(), mb, client, credentials);
    client.script.push_back(status_reply(401));
    std::optional<outcome> result;
    src.async_mark_read("id-1", true, [&](outcome o) { result = std::move(o); });
    drain(ioc);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->step, ews::next_step::permanent);
    EXPECT_NE(result->reason.find("rejected the password for CORP\\svc"), std::string::npos);
    EXPECT_EQ(result->reason.find("hunter2"), std::string::npos);
    EXPECT_EQ(client.requests.size(), 1u);
    EXPECT_EQ(std::get<http::basic_auth>(client.requests[0].auth).username, "CORP\\svc");
}

// Sources of one server share one copy of its URL and TLS settings; each
// still sends to its own server.
TEST(ews_source_endpoint, each_source_sends_to_its_own_server) {
    net::io_context ioc;
    testing::fake_client client{ioc};
    testing::fake_credentials credentials{ioc};
    auto on_premises = mailbox();
    on_premises.id = "archive";
    on_premises.ews_url = "https://mail.corp.example/EWS/Exchange.asmx";
    on_premises.tls.edit().ca_file = "/etc/ewstrigd/corp-ca.pem";
    ews_source cloud(ioc.get_executor(), mailbox(), client, credentials);
    ews_source corp(ioc.get_executor(), on_premises, client, credentials);
    ews_source cloud_too(ioc.get_executor(), mailbox(), client, credentials);
    for (auto* src : {&cloud, &corp, &cloud_too}) {
        client.script.push_back(status_reply(500));
        src->async_mark_read("id-1", true, [](outcome) {});
        drain(ioc);
    }
    ASSERT_EQ(client.requests.size(), 3u);
    EXPECT_EQ(client.requests[0].url, "https://ews.example/EWS/Exchange.asmx");
    EXPECT_EQ(client.requests[0].tls.ca_file, "");
    EXPECT_EQ(client.requests[1].url, "https://mail.corp.example/EWS/Exchange.asmx");
    EXPECT_EQ(client.requests[1].tls.ca_file, "/etc/ewstrigd/corp-ca.pem");
    EXPECT_EQ(client.requests[2].url, "https://ews.example/EWS/Exchange.asmx");
    EXPECT_EQ(client.requests[2].tls.ca_file, "");
}

// App-only streaming mailboxes join the hub's grouped connection: after
// GetFolder and Subscribe the listen is a record in the hub (no coroutine of
// the source waits on it) that the group's stream rings and ends.
stream_hub_options source_grouped_test_options() {
    stream_hub_options o;
    o.join_delay = std::chrono::milliseconds{0};
    return o;
}

config::mailbox_config app_mailbox() {
    auto mb = mailbox();
    mb.auth.edit().kind = config::auth_kind::oauth_app;
    return mb;
}

scripted_reply subscribed_on_backend() {
    auto r = ok_reply(read_test_data("ews/subscribe-streaming-response-affinity-anchor.xml"));
    r.headers.push_back({"Set-Cookie", "X-BackEndOverrideCookie=backend-7~1941962753; path=/"});
    return r;
}

class source_grouped_test : public ::testing::Test {
protected:
    static ews_source_options grouped(stream_hub& hub) {
        ews_source_options o;
        o.hub = &hub;
        return o;
    }
    static std::string frame(const std::string& inner, const std::string& code = "NoError") {
        return ews_response("GetStreamingEvents", response_message("GetStreamingEvents", inner, code));
    }
    static std::string new_mail_frame() {
        return frame("<m:Notifications><m:Notification><t:SubscriptionId>" + sample_subscription_id +
                     "</t:SubscriptionId><t:NewMailEvent><t:TimeStamp>2026-11-29T06:00:00Z</t:TimeStamp>"
                     "<t:ItemId Id=\"item-1\"/><t:ParentFolderId Id=\"" + sample_inbox_id +
                     "\"/></t:NewMailEvent></m:Notification></m:Notifications>");
    }
    static std::string subscription_gone_frame() {
        return frame("<m:ErrorSubscriptionIds><m:SubscriptionId>" + sample_subscription_id +
                         "</m:SubscriptionId></m:ErrorSubscriptionIds>",
                     "ErrorSubscriptionNotFound");
    }

    void listen() {
        listened.reset();
        src.async_listen({"inbox"}, [this](const std::string& f) { rings.push_back(f); },
                         net::bind_cancellation_slot(cancel.slot(), [this](outcome o) {
                             EXPECT_FALSE(listened) << "completed twice";
                             listened = std::move(o);
                         }));
    }

    net::io_context ioc;
    testing::fake_client client{ioc};
    testing::fake_credentials credentials{ioc};
    stream_hub hub{ioc.get_executor(), source_grouped_test_options()};
    ews_source src{ioc.get_executor(), app_mailbox(), client, credentials, {}, grouped(hub)};
    net::cancellation_signal cancel;
    std::vector<std::string> rings;
    std::optional<outcome> listened;
};

TEST_F(source_grouped_test, the_group_stream_rings_the_folder_and_a_lost_subscription_ends_the_listen) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(subscribed_on_backend());
    client.script.push_back(stream_reply({new_mail_frame()}));          // then a normal end: reconnect at once
    client.script.push_back(stream_reply({subscription_gone_frame()}));
    listen();
    drain(ioc);
    ASSERT_TRUE(listened) << "the listen did not end with its subscription";
    EXPECT_EQ(listened->step, ews::next_step::resubscribe);
    EXPECT_EQ(rings, (std::vector<std::string>{"inbox", "inbox"}));  // after Subscribe, then the new mail
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetFolder", "Subscribe", "GetStreamingEvents",
                                                             "GetStreamingEvents"}));
    EXPECT_FALSE(src.subscription_id()) << "a lost subscription must be forgotten";
    EXPECT_EQ(hub.members(), 0u);
    // The next listen subscribes anew, without resolving the folder again.
    client.script.push_back(subscribed_on_backend());
    client.script.push_back(hanging_reply());
    listen();
    drain(ioc);
    EXPECT_FALSE(listened);
    EXPECT_EQ(hub.members(), 1u);
    EXPECT_EQ(client.operation(4), "Subscribe");
    cancel.emit(net::cancellation_type::terminal);
    drain(ioc);
}

TEST_F(source_grouped_test, sources_sharing_their_settings_keep_their_own_idle_limit) {
    auto patient_mailbox = app_mailbox();
    patient_mailbox.id = "patient";
    patient_mailbox.address = "patient@contoso.com";
    auto options = grouped(hub);
    options.stream_idle = std::chrono::seconds{300};
    ews_source patient{ioc.get_executor(), patient_mailbox, client, credentials, {}, options};
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(subscribed_on_backend());
    client.script.push_back(hanging_reply());
    listen();
    drain(ioc);
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(subscribed_on_backend());
    client.script.push_back(status_reply(503));  // its group backs off: one hanging request at a time here
    net::cancellation_signal cancel_patient;
    patient.async_listen({"inbox"}, [](const std::string&) {},
                         net::bind_cancellation_slot(cancel_patient.slot(), [](outcome) {}));
    drain(ioc);
    EXPECT_EQ(hub.members(), 2u);
    EXPECT_EQ(hub.groups().size(), 2u) << "a limit of its own is a group of its own";
    ASSERT_EQ(client.requests.size(), 6u);
    EXPECT_EQ(client.operation(2), "GetStreamingEvents");
    EXPECT_EQ(client.requests[2].timeouts.idle, std::chrono::seconds{120});
    EXPECT_EQ(client.operation(5), "GetStreamingEvents");
    EXPECT_EQ(client.requests[5].timeouts.idle, std::chrono::seconds{300});
    cancel.emit(net::cancellation_type::terminal);
    cancel_patient.emit(net::cancellation_type::terminal);
    drain(ioc);
    EXPECT_EQ(hub.members(), 0u);
}

TEST_F(source_grouped_test, cancelling_a_joined_listen_leaves_the_group_and_completes_cancelled) {
    client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
    client.script.push_back(subscribed_on_backend());
    client.script.push_back(hanging_reply());
    listen();
    drain(ioc);
    ASSERT_FALSE(listened);
    ASSERT_EQ(hub.members(), 1u);
    cancel.emit(net::cancellation_type::terminal);
    drain(ioc);
    ASSERT_TRUE(listened);
    EXPECT_EQ(listened->code, "cancelled");
    EXPECT_EQ(hub.members(), 0u);
    EXPECT_EQ(client.aborted, 1u) << "the group's stream, carrying nobody, must end";
}

// Stop may come at any moment of a grouped listen: while it resolves,
// subscribes, between the preparation and the join, or once joined. The
// listen completes whenever it comes (a lost cancellation would keep the
// watcher's stop waiting for ever).
TEST(source_grouped_cancel, a_cancellation_at_any_step_of_a_grouped_listen_completes_it) {
    bool joined_once = false;
    for (int steps = 0; steps < 200 && !joined_once; ++steps) {
        net::io_context ioc;
        testing::fake_client client{ioc};
        testing::fake_credentials credentials{ioc};
        stream_hub hub{ioc.get_executor(), source_grouped_test_options()};
        ews_source_options options;
        options.hub = &hub;
        ews_source src{ioc.get_executor(), app_mailbox(), client, credentials, {}, options};
        client.script.push_back(ok_reply(testing::get_folder_response(sample_inbox_id)));
        client.script.push_back(subscribed_on_backend());
        client.script.push_back(hanging_reply());
        net::cancellation_signal cancel;
        std::optional<outcome> listened;
        src.async_listen({"inbox"}, [](const std::string&) {},
                         net::bind_cancellation_slot(cancel.slot(), [&](outcome o) { listened = std::move(o); }));
        for (int i = 0; i < steps; ++i) {
            ioc.restart();
            ioc.poll_one();
        }
        joined_once = hub.members() == 1;
        // From the loop, as the watcher's stop() does (co_spawn's cancellation runs inline there).
        net::post(ioc, [&cancel] { cancel.emit(net::cancellation_type::terminal); });
        drain(ioc);
        ASSERT_TRUE(listened) << "cancelled after " << steps << " steps, the listen never completed";
        EXPECT_EQ(hub.members(), 0u);
    }
    EXPECT_TRUE(joined_once) << "the listen never joined the hub";
}

TEST(ews_source_context, oauth_app_impersonates_and_anchors_the_mailbox) {
    net::io_context ioc;
    testing::fake_client client{ioc};
    testing::fake_credentials credentials{ioc};
    config::mailbox_config mb = mailbox();
    mb.auth.edit().kind = config::auth_kind::oauth_app;
    ews_source src(ioc.get_executor(), mb, client, credentials);
    client.script.push_back(ok_reply(read_test_data("ews/updateitem-response.xml")));
    src.async_mark_read("id-1", true, [](outcome) {});
    drain(ioc);
    ASSERT_EQ(client.requests.size(), 1u);
    EXPECT_NE(client.requests[0].body.find("<t:PrimarySmtpAddress>invoices@contoso.com</t:PrimarySmtpAddress>"),
              std::string::npos);
    bool anchored = false;
    for (const auto& h : client.requests[0].headers) anchored |= h.name == "X-AnchorMailbox" && h.value == "invoices@contoso.com";
    EXPECT_TRUE(anchored);
}

}  // namespace
}  // namespace ewstrigd::source
