#pragma once
// SOAP envelopes shaped like Exchange 2016's (15.1.1591.10, Version
// V2017_07_11: the real sample getstreamingevents-closed-no-notifications.xml):
// `s:Envelope` + `h:ServerVersionInfo` for ordinary responses, the unprefixed
// `Envelope` + `soap11:` Header/Body of streaming frames, and SOAP faults as
// in soapfault-errorserverbusy-backoffmilliseconds.xml. Pure.
//
// Every function returns a complete XML fragment; text passed in `inner`
// arguments must already be well-formed XML.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::sim {

// Outcome of one response message (messages.xsd ResponseMessageType).
struct message_status {
    std::string code = "NoError";   // ResponseCode
    std::string text;               // MessageText; empty for success
    bool ok() const { return code == "NoError"; }
};

// <m:{op}ResponseMessage ResponseClass=...> MessageText? ResponseCode DescriptiveLinkKey? {inner} </...>
std::string response_message(std::string_view operation, const message_status& status, std::string_view inner);

// A whole response document: XML declaration, s:Envelope, ServerVersionInfo,
// <m:{op}Response><m:ResponseMessages>{messages}</m:ResponseMessages></m:{op}Response>.
std::string response_document(std::string_view operation, std::string_view messages);

// One streaming frame (GetStreamingEventsResponse) with the unprefixed
// Envelope root and no XML declaration; the first frame of a response is
// preceded by xml_declaration.
std::string streaming_frame(std::string_view messages);
inline constexpr std::string_view xml_declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

// A SOAP 1.1 fault document (sent with HTTP 500): faultcode a:{code},
// detail/e:ResponseCode + e:Message and t:MessageXml with `values`
// (t:Value Name=...) or, for `raw_message_xml`, those children verbatim.
std::string soap_fault(std::string_view code, std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& values = {},
                       std::string_view raw_message_xml = {});

// `name` element in the t: namespace with escaped `text`.
std::string t_element(std::string_view name, std::string_view text);
// `name` element in the m: namespace with escaped `text`.
std::string m_element(std::string_view name, std::string_view text);
// <t:{name} Id=".." ChangeKey=".."/> (ChangeKey omitted when empty).
std::string t_id_element(std::string_view name, std::string_view id, std::string_view change_key);

}  // namespace ewstrigd::sim
