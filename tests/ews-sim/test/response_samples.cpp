// Writes the mail requests (issue 7) as clients send them and ews-sim's
// answers to them into a directory, one file each, for
// validate_responses.cmake to check against Microsoft's schemas with xmllint:
// the answers must be what a strict client can parse.
//
// SOAP faults (bad base64 and other schema violations) are left out: the
// envelope schema has no Fault, and their requests are invalid on purpose;
// create_item_test.cpp covers them.
//
// usage: ews_sim_response_samples OUT_DIR
#include "sim_test_util.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace ewstrigd::sim {
namespace {

using ews::ns::types;

const std::string sender = "user0@example.com";

std::string header_uri() {
    return "<t:ExtendedFieldURI DistinguishedPropertySetId=\"InternetHeaders\" PropertyName=\"X-Ewstrigd-Event\" "
           "PropertyType=\"String\"/>";
}

std::string header_property(std::string_view value) {
    return "<t:ExtendedProperty>" + header_uri() + "<t:Value>" + std::string(value) + "</t:Value></t:ExtendedProperty>";
}

std::string recipients(std::string_view element, std::string_view address) {
    return "<t:" + std::string(element) + "><t:Mailbox><t:Name>Someone</t:Name><t:EmailAddress>" +
           std::string(address) + "</t:EmailAddress></t:Mailbox></t:" + std::string(element) + ">";
}

class sample_writer {
public:
    explicit sample_writer(std::filesystem::path dir) : dir_(std::move(dir)) {}

    // Runs `body` as `mailbox`, writes request and response; returns the response.
    std::string exchange(const std::string& name, const std::string& body, const std::string& mailbox = sender) {
        const auto request = test::soap_request(body, mailbox);
        const auto outcome = test::run(st, request);
        const auto& reply = std::get<soap_reply>(outcome);
        write(name + ".request.xml", request);
        write(name + ".response.xml", reply.body);
        return reply.body;
    }

    store st;

private:
    void write(const std::string& file, const std::string& text) {
        std::ofstream out(dir_ / file, std::ios::binary);
        out << text;
        if (!out) throw std::runtime_error("cannot write " + file);
    }

    std::filesystem::path dir_;
};

// The Id attribute of the first t:ItemId in `xml`.
std::string first_item_id(const std::string& xml) {
    const auto r = test::parse_response(xml);
    return std::string(r.messages().at(0).node.descendant(types, "ItemId").attribute("Id").value_or(""));
}

void write_samples(const std::filesystem::path& dir) {
    sample_writer w(dir);
    auto& me = w.st.open_mailbox(sender);
    w.st.open_mailbox("user1@example.com");
    auto original = test::sample_message("Order 7");
    original.from = {"Customer", "customer@example.com"};
    original.headers = {{"References", "<earlier@example.com>"}};
    const auto original_id = w.st.deliver(me, me.find_folder_by_name("inbox")->id, original, test::t0()).id;

    const auto attachment = "<t:Attachments><t:FileAttachment><t:Name>a.txt</t:Name><t:ContentType>text/plain"
                            "</t:ContentType><t:Content>aGVsbG8=</t:Content></t:FileAttachment></t:Attachments>";
    w.exchange("createitem-send-and-save-copy",
               "<m:CreateItem MessageDisposition=\"SendAndSaveCopy\"><m:SavedItemFolderId><t:DistinguishedFolderId "
               "Id=\"sentitems\"/></m:SavedItemFolderId><m:Items><t:Message><t:Subject>Ack</t:Subject><t:Body "
               "BodyType=\"HTML\">&lt;p&gt;ok&lt;/p&gt;</t:Body>" + std::string(attachment) +
                   "<t:InReplyTo>&lt;order-7@example.com&gt;</t:InReplyTo>" + header_property("ev-1") +
                   recipients("ToRecipients", "user1@example.com") + recipients("CcRecipients", "far@elsewhere.test") +
                   recipients("BccRecipients", "audit@example.com") +
                   "<t:From><t:Mailbox><t:EmailAddress>user0@example.com</t:EmailAddress></t:Mailbox></t:From>"
                   "<t:References>&lt;order-7@example.com&gt;</t:References></t:Message></m:Items></m:CreateItem>");
    const auto draft = first_item_id(w.exchange(
        "createitem-saveonly-reply",
        "<m:CreateItem MessageDisposition=\"SaveOnly\"><m:Items><t:ReplyToItem><t:ReferenceItemId Id=\"" + original_id +
            "\"/><t:NewBodyContent BodyType=\"Text\">Done.</t:NewBodyContent></t:ReplyToItem></m:Items></m:CreateItem>"));
    w.exchange("updateitem-internet-header",
               "<m:UpdateItem MessageDisposition=\"SaveOnly\" ConflictResolution=\"AutoResolve\"><m:ItemChanges>"
               "<t:ItemChange><t:ItemId Id=\"" + draft + "\"/><t:Updates><t:SetItemField>" + header_uri() +
                   "<t:Message>" + header_property("ev-2") +
                   "</t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>");
    w.exchange("createattachment", "<m:CreateAttachment><m:ParentItemId Id=\"" + draft +
                                       "\"/><m:Attachments><t:FileAttachment><t:Name>b.txt</t:Name><t:Content>"
                                       "aGk=</t:Content></t:FileAttachment></m:Attachments></m:CreateAttachment>");
    w.exchange("senditem", "<m:SendItem SaveItemToFolder=\"true\"><m:ItemIds><t:ItemId Id=\"" + draft +
                               "\"/></m:ItemIds><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"sentitems\"/>"
                               "</m:SavedItemFolderId></m:SendItem>");
    w.exchange("createitem-forward-reply-all-errors",
               "<m:CreateItem MessageDisposition=\"SendOnly\"><m:Items><t:ForwardItem>" +
                   recipients("ToRecipients", "accounting@example.com") + "<t:ReferenceItemId Id=\"" + original_id +
                   "\"/></t:ForwardItem><t:ReplyAllToItem><t:ReferenceItemId Id=\"" + original_id +
                   "\"/></t:ReplyAllToItem><t:ReplyToItem><t:ReferenceItemId Id=\"bm9uZQ==\"/></t:ReplyToItem>"
                   "<t:Message><t:Subject>nobody</t:Subject></t:Message></m:Items></m:CreateItem>");
    const auto all_properties = "<m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:IncludeMimeContent>true"
                                "</t:IncludeMimeContent><t:AdditionalProperties><t:FieldURI FieldURI=\"item:Body\"/>" +
                                header_uri() + "</t:AdditionalProperties></m:ItemShape>";
    w.exchange("finditem-sentitems-by-header",
               "<m:FindItem Traversal=\"Shallow\">" + all_properties +
                   "<m:Restriction><t:IsEqualTo>" + header_uri() +
                   "<t:FieldURIOrConstant><t:Constant Value=\"ev-1\"/></t:FieldURIOrConstant></t:IsEqualTo>"
                   "</m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id=\"sentitems\"/></m:ParentFolderIds>"
                   "</m:FindItem>");
    w.exchange("finditem-unsupported-restriction",
               "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>"
               "<m:Restriction><t:Exists><t:FieldURI FieldURI=\"item:Subject\"/></t:Exists></m:Restriction>"
               "<m:ParentFolderIds><t:DistinguishedFolderId Id=\"sentitems\"/></m:ParentFolderIds></m:FindItem>");
    // Every copy: the sender's (with Bcc), the recipients' and the drafts.
    std::string ids;
    for (const auto& [address, mb] : w.st.mailboxes()) {
        for (const auto& [id, item] : mb.items) {
            if (address == sender) ids += "<t:ItemId Id=\"" + id + "\"/>";
        }
    }
    w.exchange("getitem-all-properties", "<m:GetItem>" + all_properties + "<m:ItemIds>" + ids + "</m:ItemIds></m:GetItem>");
    const auto* rcpt = w.st.find_mailbox("user1@example.com");
    w.exchange("getitem-delivered",
               "<m:GetItem>" + all_properties + "<m:ItemIds><t:ItemId Id=\"" + rcpt->items.begin()->first +
                   "\"/></m:ItemIds></m:GetItem>",
               "user1@example.com");
}

}  // namespace
}  // namespace ewstrigd::sim

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: ews_sim_response_samples OUT_DIR\n";
        return 2;
    }
    try {
        std::filesystem::create_directories(argv[1]);
        ewstrigd::sim::write_samples(argv[1]);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
