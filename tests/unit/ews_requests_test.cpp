// Request builders against requests captured from real clients
// (../shared/reference/ews/requests-*/, see SOURCES.md and the READMEs
// there), compared as element trees: (namespace, local name, attributes,
// text) — never as strings, since prefixes and formatting differ.
// Schema validity of every builder is checked by tests/ews_schema.

#include "ews/requests.hpp"
#include "ews/xml.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

namespace ews = ewstrigd::ews;
namespace ns = ewstrigd::ews::ns;
using ewstrigd::testing::read_reference;

namespace {

ews::document parse(const std::string& text) {
    auto r = ews::document::parse(text);
    if (auto* err = std::get_if<ews::xml_error>(&r)) {
        ADD_FAILURE() << "parse failed at " << err->offset << ": " << err->message << "\n" << text;
        return std::get<ews::document>(ews::document::parse("<empty/>"));
    }
    return std::move(std::get<ews::document>(r));
}

ews::document captured(const std::string& name) { return parse(read_reference("ews/" + name)); }

ews::element body_of(const ews::document& d) { return d.root().child(ns::soap, "Body").first_child(); }
ews::element header_of(const ews::document& d) { return d.root().child(ns::soap, "Header"); }

// One element without its children: {ns}name[attr=value ...]"text".
std::string head(ews::element e) {
    std::string out = "{" + std::string(e.namespace_uri()) + "}" + std::string(e.local_name());
    std::vector<std::string> attrs;
    for (auto* a = e.native()->first_attribute(); a != nullptr; a = a->next_attribute()) {
        const std::string_view name{a->name(), a->name_size()};
        if (name != "xmlns" && !name.starts_with("xmlns:")) attrs.push_back(std::string(name) + "=" + std::string(a->value(), a->value_size()));
    }
    std::sort(attrs.begin(), attrs.end());
    for (const auto& a : attrs) out += " " + a;
    std::string text = e.text();
    text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n' || c == '\t'; }), text.end());
    return out + " \"" + text + "\"";
}

// The whole subtree, children in document order.
std::string outline(ews::element e, int indent = 0) {
    std::string out = std::string(static_cast<std::size_t>(indent), ' ') + head(e) + "\n";
    for (auto c = e.first_child(); c; c = c.next_sibling()) out += outline(c, indent + 2);
    return out;
}

// True when `ours` is `theirs` with some optional elements left out: same
// head, and our children match a subsequence of theirs, recursively.
bool embeds(ews::element theirs, ews::element ours) {
    if (head(theirs) != head(ours)) return false;
    auto t = theirs.first_child();
    for (auto o = ours.first_child(); o; o = o.next_sibling()) {
        while (t && !embeds(t, o)) t = t.next_sibling();
        if (!t) return false;
        t = t.next_sibling();
    }
    return true;
}

const ews::folder_ref inbox = ews::distinguished_folder{"inbox", std::nullopt};

void expect_same_body(const std::string& ours, const std::string& capture) {
    const auto mine = parse(ours);
    const auto theirs = captured(capture);
    EXPECT_EQ(outline(body_of(mine)), outline(body_of(theirs))) << capture;
}

void expect_body_embedded(const std::string& ours, const std::string& capture) {
    const auto mine = parse(ours);
    const auto theirs = captured(capture);
    EXPECT_TRUE(embeds(body_of(theirs), body_of(mine))) << capture << "\nours:\n"
                                                        << outline(body_of(mine)) << "theirs:\n"
                                                        << outline(body_of(theirs));
}

}  // namespace

TEST(ews_requests, subscribe_matches_ews_javascript_api) {
    using ews::event_type;
    const ews::request_context ctx;
    expect_same_body(ews::soap_request(ctx, ews::subscribe_streaming{{inbox}, {event_type::new_mail, event_type::created}}),
                     "requests-ews-javascript-api/Subscribe-Streaming.xml");
    expect_same_body(ews::soap_request(ctx, ews::subscribe_streaming{{}, {event_type::new_mail, event_type::created, event_type::moved}, true}),
                     "requests-ews-javascript-api/Subscribe-Streaming-AllFolders.xml");
    expect_same_body(ews::soap_request(ctx, ews::subscribe_pull{{inbox}, {event_type::new_mail}, std::nullopt, 10}),
                     "requests-ews-javascript-api/Subscribe-Pull.xml");
}

TEST(ews_requests, streaming_and_pull_operations_match_ews_javascript_api) {
    const ews::request_context ctx;
    expect_same_body(ews::soap_request(ctx, ews::get_streaming_events{{"c3ViLTE="}, 1}),
                     "requests-ews-javascript-api/GetStreamingEvents.xml");
    expect_same_body(ews::soap_request(ctx, ews::get_streaming_events{{"c3ViLTE=", "c3ViLTI="}, 30}),
                     "requests-ews-javascript-api/GetStreamingEvents-TwoSubscriptions.xml");
    expect_same_body(ews::soap_request(ctx, ews::get_events{"c3ViLTI=", "d20tMA=="}),
                     "requests-ews-javascript-api/GetEvents.xml");
    expect_same_body(ews::soap_request(ctx, ews::unsubscribe{"c3ViLTE="}), "requests-ews-javascript-api/Unsubscribe.xml");
}

TEST(ews_requests, sync_folder_items_matches_ews_javascript_api) {
    const ews::request_context ctx;
    // Theirs adds the optional SyncScope NormalItems (the server default).
    expect_body_embedded(ews::soap_request(ctx, ews::sync_folder_items{inbox, {}, std::nullopt, 512}),
                         "requests-ews-javascript-api/SyncFolderItems-Initial-IdOnly.xml");
    const auto with_state = parse(ews::soap_request(ctx, ews::sync_folder_items{inbox, {}, "H4sIAAAAAAAEAO29B2AcSZ", 100}));
    const auto theirs = captured("requests-ews-javascript-api/SyncFolderItems-WithSyncState.xml");
    for (const auto* name : {"SyncFolderId", "SyncState", "MaxChangesReturned"}) {
        EXPECT_EQ(outline(body_of(with_state).child(ns::messages, name)), outline(body_of(theirs).child(ns::messages, name)))
            << name;
    }
}

TEST(ews_requests, exchangelib_impersonated_streaming_matches) {
    ews::request_context ctx;
    ctx.server_version = "Exchange2016";
    ctx.impersonate = "user0@example.com";
    const auto ours = parse(ews::soap_request(ctx, ews::get_streaming_events{{"c3ViLTE="}, 30}));
    const auto theirs = captured("requests-exchangelib/04-GetStreamingEvents-one-id.xml");
    EXPECT_EQ(outline(body_of(ours)), outline(body_of(theirs)));
    // Theirs adds TimeZoneContext; RequestServerVersion and impersonation are the same.
    EXPECT_TRUE(embeds(header_of(theirs), header_of(ours))) << outline(header_of(ours));

    // exchangelib adds RoutingType/MailboxType to the folder's Mailbox.
    const ews::folder_ref their_inbox = ews::distinguished_folder{"inbox", "user0@example.com"};
    expect_body_embedded(ews::soap_request(ctx, ews::subscribe_streaming{{their_inbox}, {ews::event_type::new_mail}}),
                         "requests-exchangelib/03-Subscribe-Streaming.xml");
}

TEST(ews_requests, get_folder_matches_exchangelib) {
    ews::request_context ctx;
    ctx.impersonate = "user0@example.com";
    const std::vector<std::string> props{"folder:ChildFolderCount", "folder:DisplayName", "folder:EffectiveRights",
                                         "folder:FolderClass", "folder:FolderId", "folder:ParentFolderId",
                                         "folder:PermissionSet", "folder:TotalCount", "folder:UnreadCount"};
    expect_body_embedded(ews::soap_request(ctx, ews::get_folder{{ews::distinguished_folder{"inbox", "user0@example.com"}}, props}),
                         "requests-exchangelib/02-GetFolder-inbox.xml");
}

TEST(ews_requests, find_item_paging_matches_ews_javascript_api) {
    const auto ours = parse(ews::soap_request(ews::request_context{}, ews::find_item{inbox, {}, 10, 0}));
    const auto theirs = captured("requests-ews-javascript-api/FindItem.xml");
    EXPECT_EQ(head(body_of(ours)), head(body_of(theirs)));  // Traversal="Shallow"
    for (const auto* name : {"IndexedPageItemView", "ParentFolderIds"}) {
        EXPECT_EQ(outline(body_of(ours).child(ns::messages, name)), outline(body_of(theirs).child(ns::messages, name)))
            << name;
    }
    EXPECT_EQ(body_of(ours).child(ns::messages, "ItemShape").child(ns::types, "BaseShape").text(), "IdOnly");
}

TEST(ews_requests, get_item_ids_match_and_shape_holds_only_what_was_asked) {
    const ews::request_context ctx;
    const auto ours = parse(ews::soap_request(ctx, ews::get_item{{{"aXRlbS0x", "CQAAAA=="}}, {}, false}));
    const auto theirs = captured("requests-ews-javascript-api/GetItem-ItemBind.xml");
    EXPECT_EQ(outline(body_of(ours).child(ns::messages, "ItemIds")), outline(body_of(theirs).child(ns::messages, "ItemIds")));
    EXPECT_EQ(outline(body_of(ours).child(ns::messages, "ItemShape")),
              "{" + std::string(ns::messages) + "}ItemShape \"\"\n  {" + std::string(ns::types) + "}BaseShape \"IdOnly\"\n");

    const auto with_mime = parse(ews::soap_request(ctx, ews::get_item{{{"aXRlbS0x", std::nullopt}}, {"item:Subject", "message:IsRead"}, true}));
    const auto shape = body_of(with_mime).child(ns::messages, "ItemShape");
    EXPECT_EQ(shape.child(ns::types, "IncludeMimeContent").text(), "true");
    std::vector<std::string> fields;
    for (auto f : shape.child(ns::types, "AdditionalProperties").children(ns::types, "FieldURI"))
        fields.emplace_back(f.attribute("FieldURI").value_or(""));
    EXPECT_EQ(fields, (std::vector<std::string>{"item:Subject", "message:IsRead"}));
}

TEST(ews_requests, move_item_matches_the_documented_request) {
    const auto ours = ews::soap_request(ews::request_context{},
                                        ews::move_item{{{"AAAtAEF/swbAAA=", "EwAAABYA/s4b"}}, ews::distinguished_folder{"drafts", std::nullopt}, false});
    expect_same_body(ours, "requests/moveitem-request.xml");
}

TEST(ews_requests, mark_read_is_update_item_set_item_field) {
    // Same shape as the documented UpdateItem (which sets item:Sensitivity).
    const auto ours = parse(ews::soap_request(ews::request_context{}, ews::mark_read{{{"AAAtAEFkb...", "CQAAABYAAAB..."}}, true}));
    const auto theirs = captured("requests/updateitem-request-setitemfield.xml");
    const auto update = body_of(ours);
    EXPECT_EQ(update.attribute("MessageDisposition"), "SaveOnly");
    EXPECT_EQ(update.attribute("ConflictResolution"), "AlwaysOverwrite");
    const auto change = update.child(ns::messages, "ItemChanges").child(ns::types, "ItemChange");
    const auto their_change = body_of(theirs).child(ns::messages, "ItemChanges").child(ns::types, "ItemChange");
    EXPECT_EQ(outline(change.child(ns::types, "ItemId")), outline(their_change.child(ns::types, "ItemId")));
    const auto set = change.child(ns::types, "Updates").child(ns::types, "SetItemField");
    EXPECT_EQ(set.child(ns::types, "FieldURI").attribute("FieldURI"), "message:IsRead");
    EXPECT_EQ(set.child(ns::types, "Message").child(ns::types, "IsRead").text(), "true");
}

TEST(ews_requests, header_has_version_and_impersonation) {
    ews::request_context ctx;
    auto doc = parse(ews::soap_request(ctx, ews::unsubscribe{"x"}));
    EXPECT_EQ(header_of(doc).child(ns::types, "RequestServerVersion").attribute("Version"), "Exchange2013_SP1");
    EXPECT_FALSE(header_of(doc).child(ns::types, "ExchangeImpersonation"));
    ctx.impersonate = "a@b.example";
    doc = parse(ews::soap_request(ctx, ews::unsubscribe{"x"}));
    EXPECT_EQ(header_of(doc).child(ns::types, "ExchangeImpersonation").child(ns::types, "ConnectingSID")
                  .child(ns::types, "PrimarySmtpAddress").text(),
              "a@b.example");
}

TEST(ews_requests, values_are_escaped_and_round_trip) {
    const std::string nasty = "a<b>&c\"d'e\tf</m:SyncState>";
    ews::request_context ctx;
    ctx.impersonate = nasty;
    const auto text = ews::soap_request(ctx, ews::sync_folder_items{ews::folder_id{nasty, nasty}, {}, nasty, 5});
    EXPECT_EQ(text.find(nasty), std::string::npos);
    const auto doc = parse(text);
    const auto sync = body_of(doc);
    EXPECT_EQ(sync.child(ns::messages, "SyncState").text(), nasty);
    const auto folder = sync.child(ns::messages, "SyncFolderId").child(ns::types, "FolderId");
    EXPECT_EQ(folder.attribute("Id"), nasty);
    EXPECT_EQ(folder.attribute("ChangeKey"), nasty);
    EXPECT_EQ(header_of(doc).descendant(ns::types, "PrimarySmtpAddress").text(), nasty);
}

TEST(ews_requests, xml_escape_drops_characters_xml_cannot_carry) {
    EXPECT_EQ(ews::xml_escape(std::string_view("a\x01\x1f\0b", 5)), "ab");
    EXPECT_EQ(ews::xml_escape("<&>\"'\r\n"), "&lt;&amp;&gt;&quot;&apos;&#13;&#10;");
    EXPECT_EQ(ews::xml_escape("ünïcødé"), "ünïcødé");
}

TEST(ews_requests, numbers_are_clamped_to_the_schema_ranges) {
    const ews::request_context ctx;
    auto value = [](const std::string& text, std::string_view local) {
        return parse(text).root().descendant(ns::messages, local).text();
    };
    EXPECT_EQ(value(ews::soap_request(ctx, ews::get_streaming_events{{"s"}, 0}), "ConnectionTimeout"), "1");
    EXPECT_EQ(value(ews::soap_request(ctx, ews::get_streaming_events{{"s"}, 45}), "ConnectionTimeout"), "30");
    EXPECT_EQ(value(ews::soap_request(ctx, ews::sync_folder_items{inbox, {}, std::nullopt, 1000}), "MaxChangesReturned"), "512");
    const auto pull = parse(ews::soap_request(ctx, ews::subscribe_pull{{inbox}, {ews::event_type::new_mail}, "w", 0}));
    EXPECT_EQ(pull.root().descendant(ns::types, "Timeout").text(), "1");
    EXPECT_EQ(pull.root().descendant(ns::types, "Watermark").text(), "w");
}

TEST(ews_requests, status_events_are_not_subscribed) {
    const auto doc = parse(ews::soap_request(ews::request_context{},
                                             ews::subscribe_streaming{{inbox}, {ews::event_type::status, ews::event_type::new_mail}}));
    const auto types = doc.root().descendant(ns::types, "EventTypes").children(ns::types, "EventType");
    ASSERT_EQ(types.size(), 1u);
    EXPECT_EQ(types[0].text(), "NewMailEvent");
}

TEST(ews_requests, http_headers_follow_the_captured_clients) {
    using headers = std::vector<ews::http_header>;
    const headers content_type{{"Content-Type", "text/xml; charset=utf-8"}};
    EXPECT_EQ(ews::http_headers(ews::request_context{}, ews::operation::get_item), content_type);

    ews::request_context ctx;
    ctx.impersonate = "user0@example.com";
    auto expected = content_type;
    expected.emplace_back("X-AnchorMailbox", "user0@example.com");
    EXPECT_EQ(ews::http_headers(ctx, ews::operation::get_item), expected);

    ctx.anchor_mailbox = "anchor@example.com\r\nX-Evil: 1";
    ctx.server_affinity = true;
    ctx.backend_override_cookie = "CO1PR06MB222.namprd06.prod.outlook.com~1941996295";
    EXPECT_EQ(ews::http_headers(ctx, ews::operation::get_streaming_events),
              (headers{content_type[0],
                       {"X-AnchorMailbox", "anchor@example.comX-Evil: 1"},
                       {"X-PreferServerAffinity", "true"},
                       {"Cookie", "X-BackEndOverrideCookie=CO1PR06MB222.namprd06.prod.outlook.com~1941996295"}}));
    // Affinity only on the subscription traffic; no SOAPAction anywhere.
    const auto get_item = ews::http_headers(ctx, ews::operation::get_item);
    EXPECT_EQ(get_item.size(), 2u);
    const auto get_events = ews::http_headers(ctx, ews::operation::get_events);
    EXPECT_EQ(get_events.size(), 3u);
    for (const auto& h : get_events) EXPECT_NE(h.first, "SOAPAction");
}
