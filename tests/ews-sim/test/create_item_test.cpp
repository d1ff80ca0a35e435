// CreateItem for mail (issue 7): sending, saving, reply/reply-all/forward,
// delivery into simulator mailboxes, InternetHeaders extended properties and
// the FindItem restriction on them. Requests are written like the ones
// exchangelib and ews-javascript-api send; replies are read back with the
// daemon's response parser.
#include "mime_writer.hpp"

#include "sim_test_util.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::sim {
namespace {

using ews::ns::types;
using test::parse_response;
using test::reply_body;
using test::run;
using test::soap_request;

const std::string sender = "user0@example.com";

std::string mailbox_xml(std::string_view address) {
    return "<t:Mailbox><t:EmailAddress>" + std::string(address) + "</t:EmailAddress></t:Mailbox>";
}

std::string header_property(std::string_view name, std::string_view value) {
    return "<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId=\"InternetHeaders\" PropertyName=\"" +
           std::string(name) + "\" PropertyType=\"String\"/><t:Value>" + std::string(value) +
           "</t:Value></t:ExtendedProperty>";
}

std::string header_uri(std::string_view name) {
    return "<t:ExtendedFieldURI DistinguishedPropertySetId=\"InternetHeaders\" PropertyName=\"" + std::string(name) +
           "\" PropertyType=\"String\"/>";
}

// A t:Message in types.xsd order (ItemType fields, then MessageType fields).
std::string message_xml_request(std::string_view subject, std::string_view to, std::string_view extra_item = "",
                                std::string_view extra_message = "") {
    return "<t:Message><t:Subject>" + std::string(subject) + "</t:Subject><t:Body BodyType=\"Text\">Hello there</t:Body>" +
           std::string(extra_item) + (to.empty() ? "" : "<t:ToRecipients>" + mailbox_xml(to) + "</t:ToRecipients>") +
           std::string(extra_message) + "</t:Message>";
}

std::string create_request(std::string_view items, std::string_view disposition = "SendAndSaveCopy",
                           std::string_view saved_folder = "sentitems") {
    std::string op = "<m:CreateItem";
    if (!disposition.empty()) op += " MessageDisposition=\"" + std::string(disposition) + "\"";
    op += ">";
    if (!saved_folder.empty()) {
        op += "<m:SavedItemFolderId><t:DistinguishedFolderId Id=\"" + std::string(saved_folder) +
              "\"/></m:SavedItemFolderId>";
    }
    return op + "<m:Items>" + std::string(items) + "</m:Items></m:CreateItem>";
}

struct create_item : ::testing::Test {
    store st;

    create_item() {
        st.open_mailbox(sender);
        st.open_mailbox("user1@example.com");
    }

    // The response codes of a CreateItem with `items`.
    std::vector<std::string> create(std::string_view items, std::string_view disposition = "SendAndSaveCopy",
                                    std::string_view saved_folder = "sentitems") {
        const auto r = parse_response(reply_body(run(st, soap_request(create_request(items, disposition, saved_folder),
                                                                      sender))));
        std::vector<std::string> codes;
        for (const auto& m : r.messages()) codes.push_back(m.code);
        return codes;
    }

    // The SOAP fault code of a CreateItem answered with HTTP 500.
    std::string create_fault(std::string_view items, std::string_view disposition = "SendAndSaveCopy") {
        const auto r =
            parse_response(reply_body(run(st, soap_request(create_request(items, disposition), sender)), 500));
        return r.fault() ? r.fault()->code : std::string("(no fault)");
    }

    std::vector<const stored_item*> items_in(std::string_view address, std::string_view folder_name) {
        std::vector<const stored_item*> out;
        auto* mb = st.find_mailbox(address);
        if (!mb) return out;
        const auto* f = mb->find_folder_by_name(folder_name);
        for (const auto& [id, item] : mb->items) {
            if (item.folder_id == f->id) out.push_back(&item);
        }
        return out;
    }

    // An admin-style delivery into user0's Inbox, the message the responses refer to.
    const stored_item& received(message m) {
        auto& mb = *st.find_mailbox(sender);
        return st.deliver(mb, mb.find_folder_by_name("inbox")->id, std::move(m), test::t0());
    }

    // The one response message of `op_xml` run as user0.
    ews::response call(const std::string& op_xml) { return parse_response(reply_body(run(st, soap_request(op_xml, sender)))); }
};

// The customer's order, with test::sample_message's PDF attachment.
message order_mail() {
    auto m = test::sample_message("Order 7");
    m.from = {"Customer", "customer@example.com"};
    m.to = {{"Me", sender}, {"", "colleague@example.com"}};
    m.cc = {{"", "boss@example.com"}};
    m.body = "Please ship.";
    m.internet_message_id = "<order-7@example.com>";
    m.headers = {{"References", "<earlier@example.com>"}};
    return m;
}

TEST_F(create_item, send_and_save_copy_delivers_to_simulator_mailboxes_and_keeps_a_copy) {
    auto& rcpt = *st.find_mailbox("user1@example.com");
    subscribe_request all_folders;
    all_folders.kind = subscription_kind::pull;
    all_folders.all_folders = true;
    const auto* sub = std::get<subscription*>(st.subscribe(rcpt, all_folders, test::t0()));
    const auto items =
        message_xml_request("Ack", "User1@Example.com",
                            "<t:Attachments><t:FileAttachment><t:Name>a.txt</t:Name><t:ContentType>text/plain"
                            "</t:ContentType><t:Content>aGVsbG8=</t:Content></t:FileAttachment></t:Attachments>" +
                                header_property("X-Ewstrigd-Event", "ev-1"),
                            "<t:CcRecipients>" + mailbox_xml("far@elsewhere.test") + "</t:CcRecipients>"
                            "<t:BccRecipients>" + mailbox_xml("hidden@example.com") + "</t:BccRecipients>");
    EXPECT_EQ(create(items), std::vector<std::string>{"NoError"});

    const auto inbox = items_in("user1@example.com", "inbox");
    ASSERT_EQ(inbox.size(), 1u);
    const auto& got = inbox[0]->msg;
    EXPECT_EQ(got.subject, "Ack");
    EXPECT_EQ(got.from.email, sender);
    EXPECT_TRUE(got.bcc.empty());
    EXPECT_FALSE(inbox[0]->is_read);
    EXPECT_EQ(got.attachments.at(0).content, "hello");
    const auto mime = mime_text(*inbox[0]);
    EXPECT_NE(mime.find("\r\nX-Ewstrigd-Event: ev-1\r\n"), std::string::npos) << mime;
    EXPECT_EQ(mime.find("hidden@example.com"), std::string::npos) << "Bcc must not show in delivered mail";
    EXPECT_EQ(sub->pending.size(), 3u);  // Created, NewMail, Modified(inbox)

    // A Bcc recipient in an accepted domain gets a mailbox; the outside one is only recorded.
    EXPECT_EQ(items_in("hidden@example.com", "inbox").size(), 1u);
    EXPECT_EQ(st.find_mailbox("far@elsewhere.test"), nullptr);
    const auto& sent = st.find_mailbox(sender)->sent;
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].delivered_to, (std::vector<std::string>{"user1@example.com", "hidden@example.com"}));
    EXPECT_EQ(sent[0].external, std::vector<std::string>{"far@elsewhere.test"});

    const auto copy = items_in(sender, "sentitems");
    ASSERT_EQ(copy.size(), 1u);
    EXPECT_TRUE(copy[0]->is_read);
    EXPECT_EQ(copy[0]->msg.bcc.at(0).email, "hidden@example.com");
    EXPECT_EQ(copy[0]->msg.internet_message_id, got.internet_message_id);
    EXPECT_TRUE(items_in(sender, "inbox").empty());
}

TEST_F(create_item, send_only_keeps_no_copy_and_save_only_makes_an_unsent_draft) {
    EXPECT_EQ(create(message_xml_request("Once", "user1@example.com"), "SendOnly", ""),
              std::vector<std::string>{"NoError"});
    EXPECT_TRUE(items_in(sender, "sentitems").empty());
    EXPECT_EQ(items_in("user1@example.com", "inbox").size(), 1u);

    const auto r = call(create_request(message_xml_request("Draft", ""), "SaveOnly", ""));
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_EQ(r.messages()[0].code, "NoError");
    const auto id = r.messages()[0].node.descendant(types, "ItemId").attribute("Id").value_or("");
    const auto drafts = items_in(sender, "drafts");
    ASSERT_EQ(drafts.size(), 1u);
    EXPECT_EQ(drafts[0]->id, id);
    EXPECT_TRUE(drafts[0]->msg.is_draft);
    EXPECT_EQ(st.find_mailbox(sender)->sent.size(), 1u) << "a draft is not sent";
}

TEST_F(create_item, internet_header_properties_read_back_and_find_the_sent_copy) {
    ASSERT_EQ(create(message_xml_request("First", "user1@example.com", header_property("X-Ewstrigd-Event", "ev-1")) +
                     message_xml_request("Second", "user1@example.com", header_property("X-Ewstrigd-Event", "ev-2"))),
              (std::vector<std::string>{"NoError", "NoError"}));
    const auto find = [&](std::string_view restriction) {
        return call("<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
                    "<t:AdditionalProperties><t:FieldURI FieldURI=\"item:Subject\"/>" +
                    header_uri("X-Ewstrigd-Event") + "</t:AdditionalProperties></m:ItemShape>" +
                    std::string(restriction) +
                    "<m:ParentFolderIds><t:DistinguishedFolderId Id=\"sentitems\"/></m:ParentFolderIds></m:FindItem>");
    };
    const auto equal_to = [](std::string_view value) {
        return "<m:Restriction><t:IsEqualTo>" + header_uri("X-Ewstrigd-Event") +
               "<t:FieldURIOrConstant><t:Constant Value=\"" + std::string(value) +
               "\"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>";
    };
    const auto hit = find(equal_to("ev-2"));
    ASSERT_EQ(hit.messages().size(), 1u);
    const auto found = hit.messages()[0].node.descendant(types, "Items").children(types, "Message");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].child(types, "Subject").text(), "Second");
    const auto prop = found[0].child(types, "ExtendedProperty");
    EXPECT_EQ(prop.child(types, "ExtendedFieldURI").attribute("PropertyName"), "X-Ewstrigd-Event");
    EXPECT_EQ(prop.child(types, "Value").text(), "ev-2");

    EXPECT_TRUE(find(equal_to("ev-3")).messages()[0].node.descendant(types, "Items").children(types, "Message").empty());
    EXPECT_EQ(find("").messages()[0].node.descendant(types, "Items").children(types, "Message").size(), 2u);
    const auto unsupported = find("<m:Restriction><t:Contains ContainmentMode=\"Substring\">"
                                  "<t:FieldURI FieldURI=\"item:Subject\"/><t:Constant Value=\"S\"/></t:Contains>"
                                  "</m:Restriction>");
    EXPECT_EQ(unsupported.messages()[0].code, "ErrorUnsupportedQueryFilter");

    // GetItem on the delivered copy: the header as extended property and in InternetMessageHeaders.
    const auto* delivered = items_in("user1@example.com", "inbox").at(0);
    const auto get = parse_response(reply_body(run(
        st, soap_request("<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>"
                         "<t:FieldURI FieldURI=\"item:InternetMessageHeaders\"/>" + header_uri("x-ewstrigd-event") +
                             "</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id=\"" + delivered->id +
                             "\"/></m:ItemIds></m:GetItem>",
                         "user1@example.com"))));
    const auto msg = get.messages().at(0).node.descendant(types, "Message");
    EXPECT_EQ(msg.child(types, "ExtendedProperty").child(types, "Value").text(), "ev-1");
    EXPECT_EQ(msg.child(types, "InternetMessageHeaders").child(types, "InternetMessageHeader").attribute("HeaderName"),
              "X-Ewstrigd-Event");
}

TEST_F(create_item, reply_goes_to_the_sender_quotes_the_original_and_threads) {
    const auto& original = received(order_mail());
    EXPECT_EQ(create("<t:ReplyToItem><t:ReferenceItemId Id=\"" + original.id + "\" ChangeKey=\"" +
                     original.change_key() + "\"/><t:NewBodyContent BodyType=\"Text\">Shipped today."
                     "</t:NewBodyContent></t:ReplyToItem>"),
              std::vector<std::string>{"NoError"});
    const auto got = items_in("customer@example.com", "inbox");
    ASSERT_EQ(got.size(), 1u);
    const auto& m = got[0]->msg;
    EXPECT_EQ(m.subject, "RE: Order 7");
    EXPECT_EQ(m.from.email, sender);
    ASSERT_EQ(m.to.size(), 1u);
    EXPECT_TRUE(m.cc.empty());
    EXPECT_TRUE(m.attachments.empty());
    EXPECT_TRUE(m.body.starts_with("Shipped today.\r\n\r\n________________________________\r\nFrom: Customer <customer@"))
        << m.body;
    EXPECT_TRUE(m.body.ends_with("Subject: Order 7\r\n\r\nPlease ship.")) << m.body;
    const auto mime = mime_text(*got[0]);
    EXPECT_NE(mime.find("In-Reply-To: <order-7@example.com>\r\n"), std::string::npos) << mime;
    EXPECT_NE(mime.find("References: <earlier@example.com> <order-7@example.com>\r\n"), std::string::npos) << mime;
    EXPECT_TRUE(items_in("colleague@example.com", "inbox").empty());
}

TEST_F(create_item, reply_honours_reply_to_and_does_not_stack_prefixes) {
    auto m = order_mail();
    m.subject = "Re: Order 7";
    m.headers.emplace_back("Reply-To", "Orders Desk <orders@example.com>");
    const auto& original = received(m);
    EXPECT_EQ(create("<t:ReplyToItem><t:ReferenceItemId Id=\"" + original.id + "\"/></t:ReplyToItem>"),
              std::vector<std::string>{"NoError"});
    const auto got = items_in("orders@example.com", "inbox");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]->msg.subject, "Re: Order 7");
    EXPECT_TRUE(items_in("customer@example.com", "inbox").empty());
}

TEST_F(create_item, reply_all_adds_to_and_cc_without_the_replying_mailbox) {
    const auto& original = received(order_mail());
    EXPECT_EQ(create("<t:ReplyAllToItem><t:ReferenceItemId Id=\"" + original.id + "\"/><t:NewBodyContent "
                     "BodyType=\"HTML\">&lt;p&gt;On it&lt;/p&gt;</t:NewBodyContent></t:ReplyAllToItem>"),
              std::vector<std::string>{"NoError"});
    const auto copy = items_in(sender, "sentitems");
    ASSERT_EQ(copy.size(), 1u);
    const auto& m = copy[0]->msg;
    std::vector<std::string> to;
    for (const auto& a : m.to) to.push_back(a.email);
    EXPECT_EQ(to, (std::vector<std::string>{"customer@example.com", "colleague@example.com"}));
    ASSERT_EQ(m.cc.size(), 1u);
    EXPECT_EQ(m.cc[0].email, "boss@example.com");
    EXPECT_TRUE(m.body_is_html);
    EXPECT_TRUE(m.body.starts_with("<p>On it</p><hr")) << m.body;
    EXPECT_NE(m.body.find("Please ship."), std::string::npos);
    for (const auto* who : {"customer@example.com", "colleague@example.com", "boss@example.com"}) {
        EXPECT_EQ(items_in(who, "inbox").size(), 1u) << who;
    }
    EXPECT_TRUE(items_in(sender, "inbox").size() == 1u) << "only the original, no copy to the replier";
}

TEST_F(create_item, forward_keeps_attachments_and_needs_recipients) {
    const auto& original = received(order_mail());
    const auto forward = [&](std::string_view recipients) {
        return create("<t:ForwardItem>" + std::string(recipients) + "<t:ReferenceItemId Id=\"" + original.id +
                      "\"/><t:NewBodyContent BodyType=\"Text\">FYI</t:NewBodyContent></t:ForwardItem>");
    };
    EXPECT_EQ(forward(""), std::vector<std::string>{"ErrorInvalidRecipients"});
    EXPECT_EQ(forward("<t:ToRecipients>" + mailbox_xml("accounting@example.com") + "</t:ToRecipients>"),
              std::vector<std::string>{"NoError"});
    const auto got = items_in("accounting@example.com", "inbox");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]->msg.subject, "FW: Order 7");
    ASSERT_EQ(got[0]->msg.attachments.size(), 1u);
    EXPECT_EQ(got[0]->msg.attachments[0].content, "%PDF-1.4 fake");
    EXPECT_TRUE(items_in("customer@example.com", "inbox").empty());
}

TEST_F(create_item, bad_references_and_recipients_are_refused_per_item) {
    const auto& original = received(order_mail());
    EXPECT_EQ(create("<t:ReplyToItem><t:ReferenceItemId Id=\"aXRlbTpub25lOjk5\"/></t:ReplyToItem>"
                     "<t:ReplyToItem><t:Subject>x</t:Subject></t:ReplyToItem>" +
                     message_xml_request("Nobody", "") + message_xml_request("Bad", "not-an-address") +
                     "<t:ForwardItem><t:ToRecipients>" + mailbox_xml("a@example.com") +
                     "</t:ToRecipients><t:ReferenceItemId Id=\"" + original.id + "\"/></t:ForwardItem>"),
              (std::vector<std::string>{"ErrorItemNotFound", "ErrorMissingInformationReferenceItemId",
                                        "ErrorInvalidRecipients", "ErrorInvalidRecipients", "NoError"}));
    EXPECT_EQ(create(message_xml_request("x", "user1@example.com"), ""),
              std::vector<std::string>{"ErrorMessageDispositionRequired"});
    EXPECT_EQ(create(message_xml_request("x", "user1@example.com", header_property("Bad Name", "v"))),
              std::vector<std::string>{"ErrorInvalidExtendedPropertyValue"});
    EXPECT_EQ(create("<t:Message><t:ExtendedProperty><t:ExtendedFieldURI PropertyTag=\"0x1000\" "
                     "PropertyType=\"String\"/><t:Value>v</t:Value></t:ExtendedProperty></t:Message>"),
              std::vector<std::string>{"ErrorInvalidExtendedProperty"});
    EXPECT_EQ(create("<t:CalendarItem><t:Subject>x</t:Subject></t:CalendarItem>"),
              std::vector<std::string>{"ErrorInvalidRequest"});
    EXPECT_EQ(create(message_xml_request("x", "user1@example.com"), "SendAndSaveCopy", "nosuchfolder"),
              std::vector<std::string>{"ErrorFolderNotFound"});
    EXPECT_EQ(st.find_mailbox(sender)->sent.size(), 1u) << "only the forward went out";
}

TEST_F(create_item, schema_violations_fail_the_whole_request_before_anything_is_sent) {
    const auto& original = received(order_mail());
    const auto good = message_xml_request("Fine", "user1@example.com");
    EXPECT_EQ(create_fault(good + message_xml_request("x", "user1@example.com",
                                                      "<t:Attachments><t:FileAttachment><t:Name>a</t:Name>"
                                                      "<t:Content>@@not base64@@</t:Content></t:FileAttachment>"
                                                      "</t:Attachments>")),
              "ErrorSchemaValidation");
    EXPECT_EQ(create_fault(good + "<t:ReplyToItem><t:ReferenceItemId Id=\"" + original.id + "\"/>" +
                           header_property("X-Ewstrigd-Event", "ev") + "</t:ReplyToItem>"),
              "ErrorSchemaValidation");
    EXPECT_EQ(create_fault(good, "SendLater"), "ErrorSchemaValidation");
    EXPECT_TRUE(st.find_mailbox(sender)->sent.empty());
    EXPECT_TRUE(items_in("user1@example.com", "inbox").empty());
}

TEST_F(create_item, send_as_needs_the_own_address_or_an_allowed_one) {
    const auto from = [](std::string_view address) {
        return "<t:From>" + mailbox_xml(address) + "</t:From>";
    };
    EXPECT_EQ(create(message_xml_request("x", "user1@example.com", "", from("USER0@example.com"))),
              std::vector<std::string>{"NoError"});
    EXPECT_EQ(create(message_xml_request("x", "user1@example.com", "", from("shop@example.com"))),
              std::vector<std::string>{"ErrorSendAsDenied"});
    st.allow_send_as("Shop@example.com");
    EXPECT_EQ(create(message_xml_request("x", "user1@example.com", "", from("shop@example.com"))),
              std::vector<std::string>{"NoError"});
    const auto inbox = items_in("user1@example.com", "inbox");
    ASSERT_EQ(inbox.size(), 2u);
    EXPECT_EQ(st.find_mailbox(sender)->sent.back().msg.from.email, "shop@example.com");
}

// The EWS Managed API's way, and the Exchange-correct way to mark a reply with a header: a SaveOnly draft,
// UpdateItem of the InternetHeaders property, CreateAttachment, then SendItem.
TEST_F(create_item, draft_reply_updated_attached_and_sent_with_send_item) {
    const auto& original = received(order_mail());
    const auto saved = call(create_request("<t:ReplyToItem><t:ReferenceItemId Id=\"" + original.id +
                                               "\"/><t:NewBodyContent BodyType=\"Text\">Done.</t:NewBodyContent>"
                                               "</t:ReplyToItem>",
                                           "SaveOnly", ""));
    ASSERT_EQ(saved.messages().at(0).code, "NoError");
    const auto draft_id = std::string(saved.messages()[0].node.descendant(types, "ItemId").attribute("Id").value_or(""));
    ASSERT_EQ(items_in(sender, "drafts").size(), 1u);

    const auto set_header = [&](std::string_view name, std::string_view value) {
        return call("<m:UpdateItem MessageDisposition=\"SaveOnly\" ConflictResolution=\"AutoResolve\"><m:ItemChanges>"
                    "<t:ItemChange><t:ItemId Id=\"" + draft_id + "\"/><t:Updates><t:SetItemField>" +
                    header_uri(name) + "<t:Message>" + header_property(name, value) +
                    "</t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>")
            .messages()
            .at(0)
            .code;
    };
    EXPECT_EQ(set_header("X-Ewstrigd-Event", "ev-7"), "NoError");
    EXPECT_EQ(set_header("Bad Name", "v"), "ErrorInvalidExtendedPropertyValue");

    const auto attached = call("<m:CreateAttachment><m:ParentItemId Id=\"" + draft_id +
                               "\"/><m:Attachments><t:FileAttachment><t:Name>label.txt</t:Name><t:Content>bGFiZWw="
                               "</t:Content></t:FileAttachment></m:Attachments></m:CreateAttachment>");
    ASSERT_EQ(attached.messages().at(0).code, "NoError");
    const auto att = attached.messages()[0].node.descendant(types, "AttachmentId");
    EXPECT_EQ(att.attribute("RootItemId"), draft_id);
    EXPECT_EQ(att.attribute("RootItemChangeKey"), st.find_item(*st.find_mailbox(sender), draft_id)->change_key());

    const auto send = [&](std::string_view id) {
        return call("<m:SendItem SaveItemToFolder=\"true\"><m:ItemIds><t:ItemId Id=\"" + std::string(id) +
                    "\"/></m:ItemIds><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"sentitems\"/>"
                    "</m:SavedItemFolderId></m:SendItem>")
            .messages()
            .at(0)
            .code;
    };
    EXPECT_EQ(send(draft_id), "NoError");
    EXPECT_EQ(send(draft_id), "ErrorItemNotFound") << "a sent draft is gone";
    EXPECT_TRUE(items_in(sender, "drafts").empty());
    const auto got = items_in("customer@example.com", "inbox");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]->msg.subject, "RE: Order 7");
    EXPECT_EQ(got[0]->msg.attachments.at(0).content, "label");
    const auto mime = mime_text(*got[0]);
    EXPECT_NE(mime.find("\r\nX-Ewstrigd-Event: ev-7\r\n"), std::string::npos) << mime;
    EXPECT_NE(mime.find("\r\nIn-Reply-To: <order-7@example.com>\r\n"), std::string::npos) << mime;
    EXPECT_EQ(items_in(sender, "sentitems").size(), 1u);

    // A draft without recipients cannot be sent, and stays.
    const auto empty = call(create_request(message_xml_request("No one", ""), "SaveOnly", ""));
    const auto empty_id = empty.messages().at(0).node.descendant(types, "ItemId").attribute("Id").value_or("");
    EXPECT_EQ(send(empty_id), "ErrorInvalidRecipients");
    EXPECT_EQ(items_in(sender, "drafts").size(), 1u);
}

TEST_F(create_item, odd_requests_get_answers_not_crashes) {
    for (const std::string op :
         {"<m:CreateItem MessageDisposition=\"SendOnly\"/>",
          "<m:CreateItem MessageDisposition=\"SendOnly\"><m:Items>text</m:Items></m:CreateItem>",
          "<m:CreateItem MessageDisposition=\"SendOnly\"><m:Items><t:Message><t:ToRecipients><t:Mailbox/>"
          "</t:ToRecipients><t:From/></t:Message></m:Items></m:CreateItem>",
          "<m:CreateItem MessageDisposition=\"SendOnly\"><m:Items><t:ForwardItem><t:ReferenceItemId/></t:ForwardItem>"
          "</m:Items></m:CreateItem>",
          "<m:CreateAttachment/>", "<m:SendItem/>", "<m:SendItem><m:ItemIds><t:ItemId/></m:ItemIds></m:SendItem>",
          "<m:FindItem><m:Restriction><t:Not/></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId "
          "Id=\"inbox\"/></m:ParentFolderIds></m:FindItem>",
          "<m:FindItem><m:Restriction><t:IsEqualTo/></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId "
          "Id=\"inbox\"/></m:ParentFolderIds></m:FindItem>"}) {
        const auto outcome = run(st, soap_request(op, sender));
        const auto* reply = std::get_if<soap_reply>(&outcome);
        ASSERT_NE(reply, nullptr) << op;
        EXPECT_TRUE(reply->status == 200 || reply->status == 500) << op;
        const auto r = parse_response(reply->body);  // well-formed: fails the test otherwise
        for (const auto& m : r.messages()) EXPECT_NE(m.code, "NoError") << op;
    }
    EXPECT_TRUE(st.find_mailbox(sender)->sent.empty());
}

TEST_F(create_item, html_body_keeps_its_type) {
    EXPECT_EQ(create("<t:Message><t:Subject>H</t:Subject><t:Body BodyType=\"HTML\">&lt;b&gt;bold&lt;/b&gt;</t:Body>"
                     "<t:ToRecipients>" + mailbox_xml("user1@example.com") + "</t:ToRecipients></t:Message>"),
              std::vector<std::string>{"NoError"});
    const auto* item = items_in("user1@example.com", "inbox").at(0);
    const auto get = parse_response(reply_body(run(
        st, soap_request("<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>"
                         "<t:FieldURI FieldURI=\"item:Body\"/></t:AdditionalProperties></m:ItemShape><m:ItemIds>"
                         "<t:ItemId Id=\"" + item->id + "\"/></m:ItemIds></m:GetItem>",
                         "user1@example.com"))));
    const auto body = get.messages().at(0).node.descendant(types, "Body");
    EXPECT_EQ(body.attribute("BodyType"), "HTML");
    EXPECT_EQ(body.text(), "<b>bold</b>");
    EXPECT_NE(mime_text(*item).find("Content-Type: text/html"), std::string::npos);
}

}  // namespace
}  // namespace ewstrigd::sim
