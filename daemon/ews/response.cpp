#include "ews/response.hpp"

#include <charconv>

namespace ewstrigd::ews {
namespace {

constexpr std::string_view whitespace = " \t\r\n";

bool in_soap(element e, std::string_view local) {
    return e.local_name() == local && (e.namespace_uri() == ns::soap || e.namespace_uri() == soap_docs_https);
}

element soap_child(element parent, std::string_view local) {
    for (element c = parent.first_child(); c; c = c.next_sibling()) {
        if (in_soap(c, local)) return c;
    }
    return {};
}

std::string_view without_suffix(std::string_view s, std::string_view suffix) {
    return s.ends_with(suffix) ? s.substr(0, s.size() - suffix.size()) : std::string_view{};
}

std::string_view without_prefix(std::string_view qname) {
    const auto colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// MessageXml lives in the messages namespace inside a response message but in
// the types namespace inside a fault's detail (ews-protocol.md §3.1), so it is
// found by the caller and only its children are read here.
std::vector<message_xml_value> message_xml_of(element message_xml) {
    std::vector<message_xml_value> out;
    for (element v = message_xml.first_child(); v; v = v.next_sibling()) {
        if (v.is(ns::types, "Value")) {
            out.push_back({std::string{v.attribute("Name").value_or("")}, trimmed(v.text())});
            continue;
        }
        std::string value = trimmed(v.text());
        if (value.empty() && v.native()->first_attribute() != nullptr) {
            const auto* a = v.native()->first_attribute();
            value.assign(a->value(), a->value_size());
        }
        out.push_back({std::string{v.local_name()}, std::move(value)});
    }
    return out;
}

std::optional<std::uint64_t> decimal(std::string_view v) {
    std::uint64_t out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
    return out;
}

response_class class_of(std::string_view attr) {
    if (attr == "Error") return response_class::error;
    if (attr == "Warning") return response_class::warning;
    return response_class::success;
}

response_message message_of(element rm) {
    response_message m;
    m.element_name = std::string{rm.local_name()};
    m.klass = class_of(rm.attribute("ResponseClass").value_or("Success"));
    m.code = trimmed(rm.child(ns::messages, "ResponseCode").text());
    m.message_text = trimmed(rm.child(ns::messages, "MessageText").text());
    if (const element key = rm.child(ns::messages, "DescriptiveLinkKey")) m.descriptive_link_key = trimmed(key.text());
    m.message_xml = message_xml_of(rm.child(ns::messages, "MessageXml"));
    m.node = rm;
    return m;
}

soap_fault fault_of(element fault) {
    // faultcode/faultstring/detail are unqualified (SOAP 1.1 §4.4); Exchange
    // puts its ResponseCode, padded with whitespace, in detail/e:ResponseCode.
    soap_fault f;
    f.klass = response_class::error;
    f.fault_code = trimmed(fault.child({}, "faultcode").text());
    f.fault_string = trimmed(fault.child({}, "faultstring").text());
    const element detail = fault.child({}, "detail");
    f.code = trimmed(detail.child(ns::errors, "ResponseCode").text());
    if (f.code.empty()) f.code = std::string{without_prefix(f.fault_code)};
    f.message_text = trimmed(detail.child(ns::errors, "Message").text());
    if (f.message_text.empty()) f.message_text = f.fault_string;
    f.message_xml = message_xml_of(detail.child(ns::types, "MessageXml"));
    return f;
}

}  // namespace

std::string_view to_string(response_class c) {
    switch (c) {
    case response_class::success: return "Success";
    case response_class::warning: return "Warning";
    case response_class::error: return "Error";
    }
    return "Success";
}

std::optional<parse_error> expect_operation(const response& r, std::initializer_list<std::string_view> operations) {
    if (r.fault()) return parse_error{"SOAP fault " + r.fault()->code + ": " + r.fault()->message_text, {}};
    std::string names;
    for (const auto op : operations) {
        if (!r.is_request() && r.operation() == op) return std::nullopt;
        names += (names.empty() ? "" : "/") + std::string{op};
    }
    if (r.operation().empty()) return parse_error{"not a " + names + " response: the SOAP body holds no EWS response", {}};
    return parse_error{"not a " + names + " response: the SOAP body holds " + (r.is_request() ? "a request, " : "") +
                           "<" + r.operation() + (r.is_request() ? "" : "Response") + ">",
                       {}};
}

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(whitespace);
    if (first == std::string_view::npos) return {};
    return std::string{s.substr(first, s.find_last_not_of(whitespace) - first + 1)};
}

std::optional<bool> xs_boolean(element e) {
    if (!e) return std::nullopt;
    const std::string v = trimmed(e.text());
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    return std::nullopt;
}

std::optional<std::uint64_t> xs_unsigned(element e) { return decimal(trimmed(e.text())); }

std::optional<std::string_view> ews_status::value(std::string_view name) const {
    for (const auto& v : message_xml) {
        if (v.name == name) return v.value;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> ews_status::back_off_ms() const {
    const auto v = value("BackOffMilliseconds");
    return v ? decimal(*v) : std::nullopt;
}

parse_result<response> response::parse(std::string_view xml) {
    auto parsed = document::parse(xml);
    if (const auto* err = std::get_if<xml_error>(&parsed))
        return parse_error{"malformed XML at byte " + std::to_string(err->offset) + ": " + err->message, err->offset};
    response r{std::move(std::get<document>(parsed))};

    const element envelope = r.doc_.root();
    if (!in_soap(envelope, "Envelope"))
        return parse_error{"not a SOAP response: root element is <" + std::string{envelope.local_name()} + ">", {}};
    const element body = soap_child(envelope, "Body");
    if (!body) return parse_error{"SOAP envelope has no Body", {}};
    if (const element fault = soap_child(body, "Fault")) {
        r.fault_ = fault_of(fault);
        return r;
    }
    for (element op = body.first_child(); op; op = op.next_sibling()) {
        if (op.namespace_uri() != ns::messages) continue;
        const auto name = without_suffix(op.local_name(), "Response");
        r.body_response_ = op;
        r.is_request_ = name.empty();
        r.operation_ = std::string{name.empty() ? op.local_name() : name};
        break;
    }
    // One response message per requested id; their element names vary with
    // the operation, so take every child of m:ResponseMessages.
    const element list = r.body_response_.child(ns::messages, "ResponseMessages");
    for (element rm = list.first_child(); rm; rm = rm.next_sibling()) {
        if (rm.namespace_uri() == ns::messages) r.messages_.push_back(message_of(rm));
    }
    return r;
}

}  // namespace ewstrigd::ews
