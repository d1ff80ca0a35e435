// Requests as real clients send them (the exchangelib captures in
// shared/reference/ews/requests-exchangelib/), answered by execute() and
// read back with the daemon's parsers.
#include "ews/items.hpp"
#include "ews/notifications.hpp"
#include "ews/subscribe.hpp"
#include "ews/sync.hpp"
#include "stream_frames.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ewstrigd::sim {
namespace {

using test::ok;
using test::parse_response;
using test::reply_body;
using test::run;
using test::sample_message;
using test::soap_request;

std::string captured(const std::string& name) {
    std::ifstream in(std::string(EWS_SIM_REFERENCE) + "/ews/requests-exchangelib/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_FALSE(ss.str().empty()) << name;
    return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
    return s;
}

const std::string inbox = "<t:DistinguishedFolderId Id=\"inbox\"/>";

std::string subscribe_streaming(store& st) {
    const auto subs = ok(ews::parse_subscribe(parse_response(reply_body(run(st, captured("03-Subscribe-Streaming.xml"))))));
    EXPECT_EQ(subs.size(), 1u);
    return subs.empty() ? std::string{} : subs[0].subscription_id;
}

TEST(operations, exchangelib_get_folder_root_and_inbox) {
    store st;
    for (const auto* file : {"01-GetFolder-root.xml", "02-GetFolder-inbox.xml"}) {
        const auto r = parse_response(reply_body(run(st, captured(file))));
        ASSERT_EQ(r.messages().size(), 1u) << file;
        EXPECT_EQ(r.messages()[0].code, "NoError");
        const auto folder = r.messages()[0].node.child(ews::ns::messages, "Folders").child(ews::ns::types, "Folder");
        EXPECT_TRUE(folder.child(ews::ns::types, "FolderId").attribute("Id")) << file;
    }
    EXPECT_NE(st.find_mailbox("user0@example.com"), nullptr);
}

TEST(operations, exchangelib_streaming_flow) {
    store st;
    const auto sid = subscribe_streaming(st);
    ASSERT_FALSE(sid.empty());
    const auto gse = replace_all(captured("04-GetStreamingEvents-one-id.xml"), "c3ViLTE=", sid);
    const auto outcome = run(st, gse);
    const auto* stream = std::get_if<stream_request>(&outcome);
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(stream->subscription_ids, std::vector<std::string>{sid});
    EXPECT_EQ(stream->connection_timeout, std::chrono::minutes(30));

    auto& mb = *st.find_mailbox("user0@example.com");
    const auto item_id = st.deliver(mb, mb.find_folder_by_name("inbox")->id, sample_message(), test::t0()).id;
    const auto events = ok(ews::parse_events(parse_response(poll_stream(st, stream->subscription_ids, test::t0()).frame)));
    ASSERT_EQ(events.size(), 1u);
    ASSERT_EQ(events[0].notifications.at(0).events.size(), 1u);  // exchangelib subscribed to NewMailEvent only
    EXPECT_EQ(events[0].notifications[0].events[0].item_id->id, item_id);

    // GetItem with exchangelib's 204 FieldURIs, MimeContent among them.
    const auto get = captured("05-GetItem.xml");
    const auto id_pos = get.find("<t:ItemId Id=\"");
    ASSERT_NE(id_pos, std::string::npos);
    const auto id_end = get.find("/>", id_pos);
    const auto request = get.substr(0, id_pos) + "<t:ItemId Id=\"" + item_id + "\"" + get.substr(id_end);
    const auto items = ok(ews::parse_items(parse_response(reply_body(run(st, request)))));
    ASSERT_EQ(items.size(), 1u);
    ASSERT_EQ(items[0].items.size(), 1u);
    const auto& item = items[0].items[0];
    EXPECT_EQ(item.subject, "Invoice 42");
    ASSERT_EQ(item.attachments.size(), 1u);
    EXPECT_EQ(item.attachments[0].name, "invoice-42.pdf");
    EXPECT_EQ(item.has_attachments, true);
    EXPECT_EQ(item.is_read, false);
    EXPECT_EQ(item.from->email_address, "billing@supplier.example");
    EXPECT_EQ(item.body->text, "Please pay & smile <now>");
    EXPECT_TRUE(item.mime_content);
}

TEST(operations, get_streaming_events_with_unknown_id_answers_an_error_message) {
    store st;
    const auto r = parse_response(reply_body(run(st, captured("04-GetStreamingEvents-one-id.xml"))));
    const auto events = ok(ews::parse_events(r));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].status.code, "ErrorSubscriptionNotFound");
    EXPECT_EQ(events[0].connection, ews::connection_status::closed);
}

TEST(operations, sync_folder_items_pages_and_reports_read_flags) {
    store st;
    auto& mb = st.open_mailbox("user0@example.com");
    for (int i = 0; i < 3; ++i) st.deliver(mb, mb.find_folder_by_name("inbox")->id, sample_message("m" + std::to_string(i)), test::t0());
    const auto sync = [&](const std::string& state) {
        return ok(ews::parse_sync_folder_items(parse_response(reply_body(run(
            st, soap_request("<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>"
                             "<m:SyncFolderId>" + inbox + "</m:SyncFolderId><m:SyncState>" + state +
                             "</m:SyncState><m:MaxChangesReturned>2</m:MaxChangesReturned></m:SyncFolderItems>"))))));
    };
    const auto first = sync("");
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].changes.size(), 2u);
    EXPECT_EQ(first[0].includes_last_item_in_range, false);
    const auto second = sync(first[0].sync_state);
    ASSERT_EQ(second[0].changes.size(), 1u);
    EXPECT_EQ(second[0].includes_last_item_in_range, true);

    const auto id = second[0].changes[0].item_id->id;
    const auto update = ok(ews::parse_items(parse_response(reply_body(run(
        st, soap_request("<m:UpdateItem MessageDisposition=\"SaveOnly\" ConflictResolution=\"AutoResolve\"><m:ItemChanges>"
                         "<t:ItemChange><t:ItemId Id=\"" + id + "\" ChangeKey=\"x\"/><t:Updates><t:SetItemField>"
                         "<t:FieldURI FieldURI=\"message:IsRead\"/><t:Message><t:IsRead>true</t:IsRead></t:Message>"
                         "</t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"))))));
    ASSERT_EQ(update.size(), 1u);
    EXPECT_EQ(update[0].status.code, "NoError");
    EXPECT_TRUE(st.find_item(mb, id)->is_read);

    const auto third = sync(second[0].sync_state);
    ASSERT_EQ(third[0].changes.size(), 1u);
    EXPECT_EQ(third[0].changes[0].kind, ews::change_kind::read_flag_change);
    EXPECT_EQ(third[0].changes[0].is_read, true);

    const auto bad = sync("garbage");
    EXPECT_EQ(bad[0].status.code, "ErrorInvalidSyncStateData");
}

TEST(operations, move_item_returns_the_new_id_and_find_item_lists_the_folder) {
    store st;
    auto& mb = st.open_mailbox("user0@example.com");
    const auto id = st.deliver(mb, mb.find_folder_by_name("inbox")->id, sample_message(), test::t0()).id;
    const auto moved = ok(ews::parse_items(parse_response(reply_body(run(
        st, soap_request("<m:MoveItem><m:ToFolderId><t:DistinguishedFolderId Id=\"deleteditems\"/></m:ToFolderId>"
                         "<m:ItemIds><t:ItemId Id=\"" + id + "\"/></m:ItemIds></m:MoveItem>"))))));
    ASSERT_EQ(moved.size(), 1u);
    ASSERT_EQ(moved[0].items.size(), 1u);
    const auto new_id = moved[0].items[0].id->id;
    EXPECT_NE(new_id, id);

    const auto found = ok(ews::parse_items(parse_response(reply_body(run(
        st, soap_request("<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape>"
                         "<m:IndexedPageItemView MaxEntriesReturned=\"10\" Offset=\"0\" BasePoint=\"Beginning\"/>"
                         "<m:ParentFolderIds><t:DistinguishedFolderId Id=\"deleteditems\"/></m:ParentFolderIds></m:FindItem>"))))));
    ASSERT_EQ(found.size(), 1u);
    ASSERT_EQ(found[0].items.size(), 1u);
    EXPECT_EQ(found[0].items[0].id->id, new_id);
    EXPECT_EQ(found[0].items[0].subject, "Invoice 42");
}

TEST(operations, pull_subscription_get_events_and_unsubscribe) {
    store st;
    const auto subs = ok(ews::parse_subscribe(parse_response(reply_body(run(
        st, soap_request("<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>" + inbox +
                         "</t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes>"
                         "<t:Timeout>10</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>"))))));
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_FALSE(subs[0].watermark.empty());
    auto& mb = *st.find_mailbox("user0@example.com");
    st.deliver(mb, mb.find_folder_by_name("inbox")->id, sample_message(), test::t0());
    const auto get_events = soap_request("<m:GetEvents><m:SubscriptionId>" + subs[0].subscription_id +
                                         "</m:SubscriptionId><m:Watermark>" + subs[0].watermark +
                                         "</m:Watermark></m:GetEvents>");
    const auto events = ok(ews::parse_events(parse_response(reply_body(run(st, get_events)))));
    ASSERT_EQ(events.size(), 1u);
    const auto& n = events[0].notifications.at(0);
    EXPECT_EQ(n.previous_watermark, subs[0].watermark);
    ASSERT_EQ(n.events.size(), 1u);
    EXPECT_EQ(n.events[0].type, ews::event_type::new_mail);
    EXPECT_FALSE(n.events[0].watermark.empty());

    const auto again = ok(ews::parse_events(parse_response(reply_body(run(st, get_events)))));
    EXPECT_EQ(again[0].notifications.at(0).events.at(0).type, ews::event_type::status);

    const auto unsub = soap_request("<m:Unsubscribe><m:SubscriptionId>" + subs[0].subscription_id +
                                    "</m:SubscriptionId></m:Unsubscribe>");
    EXPECT_EQ(parse_response(reply_body(run(st, unsub))).messages().at(0).code, "NoError");
    EXPECT_EQ(parse_response(reply_body(run(st, unsub))).messages().at(0).code, "ErrorSubscriptionNotFound");
}

TEST(operations, subscriptions_beyond_the_mailbox_limit_get_exceeded_subscription_count) {
    store st;
    st.set_subscription_limit(2);
    const auto subscribe = soap_request("<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds>" + inbox +
                                        "</t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType>"
                                        "</t:EventTypes></m:StreamingSubscriptionRequest></m:Subscribe>");
    const auto first = ok(ews::parse_subscribe(parse_response(reply_body(run(st, subscribe)))));
    ok(ews::parse_subscribe(parse_response(reply_body(run(st, subscribe)))));
    const auto third = parse_response(reply_body(run(st, subscribe)));
    EXPECT_EQ(third.messages().at(0).code, "ErrorExceededSubscriptionCount");
    // Unsubscribing frees a place.
    run(st, soap_request("<m:Unsubscribe><m:SubscriptionId>" + first.at(0).subscription_id +
                         "</m:SubscriptionId></m:Unsubscribe>"));
    EXPECT_EQ(parse_response(reply_body(run(st, subscribe))).messages().at(0).code, "NoError");
}

TEST(operations, unknown_operations_and_junk_get_soap_faults) {
    store st;
    const auto unknown = parse_response(reply_body(run(st, soap_request("<m:ResolveNames/>")), 500));
    ASSERT_TRUE(unknown.fault());
    EXPECT_EQ(unknown.fault()->code, "ErrorInvalidRequest");
    const auto junk = parse_response(reply_body(run(st, "<<<not xml"), 500));
    ASSERT_TRUE(junk.fault());
    EXPECT_EQ(junk.fault()->code, "ErrorInvalidRequest");
}

TEST(operations, mailbox_comes_from_impersonation_then_anchor_then_user) {
    const auto body = "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>" +
                      inbox + "</m:FolderIds></m:GetFolder>";
    const auto plain = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                       "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
                       "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><s:Body>" +
                       body + "</s:Body></s:Envelope>";
    EXPECT_EQ(std::get<ews_request>(parse_ews_request(test::soap_request(body, "Imp@Example.com"), {"u", "a@x"})).mailbox,
              "imp@example.com");
    EXPECT_EQ(std::get<ews_request>(parse_ews_request(plain, {"u@x", "Anchor@x"})).mailbox, "anchor@x");
    EXPECT_EQ(std::get<ews_request>(parse_ews_request(plain, {"u@x", ""})).mailbox, "u@x");
}

}  // namespace
}  // namespace ewstrigd::sim
