// ews_request_samples DIR: writes DIR/<name>.xml for every request builder
// in the variants ewstrigd sends, so validate_requests.cmake can check each
// against Microsoft's EWS schemas with xmllint. Values carry characters that
// need escaping so the escaped form is what gets validated.

#include "ews/create_item.hpp"
#include "ews/get_attachment.hpp"
#include "ews/requests.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace ews = ewstrigd::ews;

namespace {

// Mail out: every optional part present (full) or only the required ones.
ews::outgoing_message mail_sample(bool full) {
    ews::outgoing_message m;
    m.subject = "Re: Order <42> & more";
    m.body = full ? "<p>Thanks &amp; bye</p>" : "plain";
    m.html = full;
    m.to = {{"O'Brien", "buyer@example.com"}};
    if (!full) return m;
    m.cc = {{"", "cc@example.com"}};
    m.bcc = {{"", "audit@example.com"}};
    m.from = ews::mail_recipient{"Orders", "orders@example.com"};
    m.in_reply_to = "<abc@example.com>";
    m.references = "<x@example.com> <abc@example.com>";
    m.internet_headers = {{"X-Ewstrigd-Event", "evt-1/orders/0"}, {"Auto-Submitted", "auto-replied"}};
    m.attachments = {{"order.eml", "message/rfc822", "RnJvbTogYUBi"}, {"note.txt", "", "aGk="}};
    return m;
}

std::vector<std::pair<std::string, std::string>> samples() {
    const ews::request_context plain;
    ews::request_context impersonating;
    impersonating.server_version = "Exchange2016";
    impersonating.impersonate = "o'brien&co@example.com";
    const ews::folder_ref inbox = ews::distinguished_folder{"inbox", std::nullopt};
    const ews::folder_ref other_inbox = ews::distinguished_folder{"inbox", "\"shared\"@example.com"};
    const ews::folder_ref processed = ews::folder_id{"AAMkAD<&>=", "AQAAAA=="};
    const std::vector<ews::item_id> items{{"AAMkItem1=", "CQAAAA=="}, {"AAMkItem2&<>", std::nullopt}};
    const std::vector<ews::event_type> events{ews::event_type::new_mail, ews::event_type::created,
                                              ews::event_type::moved, ews::event_type::free_busy_changed};
    const std::vector<std::string> props{"item:Subject", "message:From", "item:DateTimeReceived", "message:IsRead"};

    return {
        {"subscribe-streaming", ews::soap_request(plain, ews::subscribe_streaming{{inbox, processed}, events})},
        {"subscribe-streaming-all-folders",
         ews::soap_request(plain, ews::subscribe_streaming{{}, events, true})},
        {"subscribe-streaming-impersonated",
         ews::soap_request(impersonating, ews::subscribe_streaming{{other_inbox}, {ews::event_type::new_mail}})},
        {"subscribe-pull", ews::soap_request(plain, ews::subscribe_pull{{inbox}, events, std::nullopt, 10})},
        {"subscribe-pull-watermark",
         ews::soap_request(plain, ews::subscribe_pull{{inbox}, events, "AAAAAGUhAAAAAAAAAQ==", 5000})},
        {"get-streaming-events",
         ews::soap_request(impersonating, ews::get_streaming_events{{"c3ViLTE=", "c3ViLTI=<&>"}, 30})},
        {"get-events", ews::soap_request(plain, ews::get_events{"c3ViLTI=", "d20tMA=="})},
        {"unsubscribe", ews::soap_request(plain, ews::unsubscribe{"c3ViLTE="})},
        {"sync-folder-items-initial", ews::soap_request(plain, ews::sync_folder_items{inbox, {}, std::nullopt, 512})},
        {"sync-folder-items-state",
         ews::soap_request(impersonating, ews::sync_folder_items{processed, {"message:IsRead"}, "H4sI<&\"'>==", 100})},
        {"get-item", ews::soap_request(plain, ews::get_item{items, props, false})},
        {"get-item-mime", ews::soap_request(impersonating, ews::get_item{items, {}, true})},
        {"get-folder", ews::soap_request(plain, ews::get_folder{{inbox, processed}, {"folder:DisplayName"}})},
        {"find-item", ews::soap_request(plain, ews::find_item{inbox, props, 50, 100})},
        {"find-folder", ews::soap_request(plain, ews::find_folder{inbox, {"folder:DisplayName"}, 100, 0})},
        {"find-folder-impersonated",
         ews::soap_request(impersonating, ews::find_folder{processed, {"folder:DisplayName"}, 10, 20})},
        {"create-folder", ews::soap_request(plain, ews::create_folder{inbox, "Processed"})},
        {"create-folder-impersonated",
         ews::soap_request(impersonating, ews::create_folder{processed, "Ärger & <Co>"})},
        {"move-item", ews::soap_request(impersonating, ews::move_item{items, processed})},
        {"move-item-distinguished", ews::soap_request(plain, ews::move_item{items, inbox, false})},
        {"mark-read", ews::soap_request(impersonating, ews::mark_read{items, true})},
        {"mark-unread", ews::soap_request(plain, ews::mark_read{{items.front()}, false})},
        {"send-reply", ews::soap_request(impersonating, ews::send_message{mail_sample(true)})},
        {"send-plain", ews::soap_request(plain, ews::send_message{mail_sample(false), processed})},
        {"find-by-header",
         ews::soap_request(plain, ews::find_by_header{ews::distinguished_folder{"sentitems", std::nullopt},
                                                      "X-Ewstrigd-Event", "evt<&>/orders/0"})},
        {"get-attachment", ews::soap_request(impersonating, ews::get_attachment{{"AAMkAtt1=", "AAMkAtt2<&>"}})},
    };
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: ews_request_samples DIR\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    for (const auto& [name, text] : samples()) {
        std::ofstream out(dir / (name + ".xml"), std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) {
            std::cerr << "cannot write " << (dir / name).string() << "\n";
            return 1;
        }
    }
    return 0;
}
