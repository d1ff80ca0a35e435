#include "soap_writer.hpp"

#include "ews/requests.hpp"

namespace ewstrigd::sim {
namespace {

using ews::xml_escape;

constexpr std::string_view ns_m = "http://schemas.microsoft.com/exchange/services/2006/messages";
constexpr std::string_view ns_t = "http://schemas.microsoft.com/exchange/services/2006/types";
constexpr std::string_view ns_xsd_xsi =
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
constexpr std::string_view version_attributes =
    "MajorVersion=\"15\" MinorVersion=\"1\" MajorBuildNumber=\"1591\" MinorBuildNumber=\"10\" Version=\"V2017_07_11\"";

std::string response_root(std::string_view operation, std::string_view messages) {
    std::string out;
    out += "<m:";
    out += operation;
    out += "Response ";
    out += ns_xsd_xsi;
    out += " xmlns:m=\"";
    out += ns_m;
    out += "\" xmlns:t=\"";
    out += ns_t;
    out += "\"><m:ResponseMessages>";
    out += messages;
    out += "</m:ResponseMessages></m:";
    out += operation;
    out += "Response>";
    return out;
}

std::string prefixed_element(std::string_view prefix, std::string_view name, std::string_view text) {
    std::string qname(prefix);
    qname += name;
    return "<" + qname + ">" + xml_escape(text) + "</" + qname + ">";
}

}  // namespace

std::string t_element(std::string_view name, std::string_view text) { return prefixed_element("t:", name, text); }

std::string m_element(std::string_view name, std::string_view text) { return prefixed_element("m:", name, text); }

std::string t_id_element(std::string_view name, std::string_view id, std::string_view change_key) {
    std::string out = "<t:";
    out += name;
    out += " Id=\"";
    out += xml_escape(id);
    out += '"';
    if (!change_key.empty()) {
        out += " ChangeKey=\"";
        out += xml_escape(change_key);
        out += '"';
    }
    out += "/>";
    return out;
}

std::string response_message(std::string_view operation, const message_status& status, std::string_view inner) {
    std::string out = "<m:";
    out += operation;
    out += "ResponseMessage ResponseClass=\"";
    out += status.ok() ? "Success" : "Error";
    out += "\">";
    if (!status.ok()) out += m_element("MessageText", status.text);
    out += m_element("ResponseCode", status.code);
    if (!status.ok()) out += "<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>";
    out += inner;
    out += "</m:";
    out += operation;
    out += "ResponseMessage>";
    return out;
}

std::string response_document(std::string_view operation, std::string_view messages) {
    std::string out(xml_declaration);
    out += "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><h:ServerVersionInfo ";
    out += version_attributes;
    out += " xmlns:h=\"";
    out += ns_t;
    out += "\" xmlns=\"";
    out += ns_t;
    out += "\" ";
    out += ns_xsd_xsi;
    out += "/></s:Header><s:Body ";
    out += ns_xsd_xsi;
    out += '>';
    out += response_root(operation, messages);
    out += "</s:Body></s:Envelope>";
    return out;
}

std::string streaming_frame(std::string_view messages) {
    std::string out =
        "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        "<soap11:Header xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\"><ServerVersionInfo ";
    out += ns_xsd_xsi;
    out += ' ';
    out += version_attributes;
    out += " xmlns=\"";
    out += ns_t;
    out += "\"/></soap11:Header><soap11:Body xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\">";
    out += response_root("GetStreamingEvents", messages);
    out += "</soap11:Body></Envelope>";
    return out;
}

std::string soap_fault(std::string_view code, std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& values,
                       std::string_view raw_message_xml) {
    std::string out(xml_declaration);
    out += "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
           "<faultcode xmlns:a=\"";
    out += ns_t;
    out += "\">a:";
    out += xml_escape(code);
    out += "</faultcode><faultstring xml:lang=\"en-US\">";
    out += xml_escape(message);
    out += "</faultstring><detail><e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">";
    out += xml_escape(code);
    out += "</e:ResponseCode><e:Message xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">";
    out += xml_escape(message);
    out += "</e:Message>";
    if (!values.empty() || !raw_message_xml.empty()) {
        out += "<t:MessageXml xmlns:t=\"";
        out += ns_t;
        out += "\">";
        for (const auto& [name, value] : values) {
            out += "<t:Value Name=\"";
            out += xml_escape(name);
            out += "\">";
            out += xml_escape(value);
            out += "</t:Value>";
        }
        out += raw_message_xml;
        out += "</t:MessageXml>";
    }
    out += "</detail></s:Fault></s:Body></s:Envelope>";
    return out;
}

}  // namespace ewstrigd::sim
