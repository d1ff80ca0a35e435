#pragma once
// One EWS SOAP response -> its outcome: the SOAP fault, or the response
// messages of the operation (m:<Op>Response/m:ResponseMessages/m:<Op>ResponseMessage),
// each with ResponseClass, ResponseCode, MessageText, DescriptiveLinkKey and
// the MessageXml values (e.g. BackOffMilliseconds). Element layout follows
// messages.xsd `ResponseMessageType`; see reference/ews-protocol.md §2.1, §3.1.
//
// Pure and total: any input (truncated, non-XML, hostile) gives a value,
// never an exception or a crash. HTTP status and headers are not looked at
// here (see error_policy.hpp). The operation-specific parsers
// (notifications.hpp, subscribe.hpp, sync.hpp, items.hpp) start from a
// `response` and share its error type, `parse_error`.
//
// Thread-safety: a `response` is immutable after parse(); its `element`
// handles are valid as long as the response lives (moves keep them valid).

#include "ews/xml.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ewstrigd::ews {

// The one error type of the ews parsers: what is wrong, in words a user can
// act on, and where (byte offset) when the XML itself is malformed.
struct parse_error {
    std::string message;
    std::optional<std::size_t> offset;  // set for malformed XML only
};

template <class T>
using parse_result = std::variant<T, parse_error>;

// The misspelt SOAP namespace of many Microsoft documentation samples
// (ews-protocol.md §0, docs PR #359). Accepted for Envelope/Body/Fault only;
// real servers send ns::soap.
inline constexpr std::string_view soap_docs_https = "https://schemas.xmlsoap.org/soap/envelope/";

enum class response_class { success, warning, error };
std::string_view to_string(response_class c);

// One MessageXml entry: `t:Value Name="N"` gives {N, text}; any other element
// gives {local name, text}, or {local name, first attribute value} when it
// has no text (e.g. t:FieldURI FieldURI="meeting:..." -> {"FieldURI", "meeting:..."}).
struct message_xml_value {
    std::string name;
    std::string value;
};

// What a response message or a SOAP fault says about the outcome.
struct ews_status {
    response_class klass = response_class::success;
    std::string code;          // ResponseCode, trimmed; empty when the server sent none
    std::string message_text;  // trimmed
    std::vector<message_xml_value> message_xml;

    // The MessageXml value named `name`, if any.
    std::optional<std::string_view> value(std::string_view name) const;
    // BackOffMilliseconds from MessageXml when present and a valid number.
    std::optional<std::uint64_t> back_off_ms() const;
};

struct response_message : ews_status {
    std::string element_name;                  // e.g. "GetStreamingEventsResponseMessage"
    std::optional<std::string> descriptive_link_key;
    element node;                               // the m:...ResponseMessage element
};

// A SOAP 1.1 fault (HTTP 500 from Exchange). `code` is detail/e:ResponseCode
// when present, else the local part of faultcode ("a:ErrorServerBusy" ->
// "ErrorServerBusy"); klass is always error.
struct soap_fault : ews_status {
    std::string fault_code;    // faultcode as sent, trimmed
    std::string fault_string;  // faultstring, trimmed
};

class response {
public:
    // Parses one SOAP envelope. Errors: malformed XML (with offset), a root
    // that is not soap:Envelope, no soap:Body. A Body holding neither a Fault
    // nor an m:*Response element parses, with operation() empty.
    static parse_result<response> parse(std::string_view xml);

    // "GetStreamingEvents" for m:GetStreamingEventsResponse; empty when the
    // body has no messages-namespace response element (e.g. a request).
    const std::string& operation() const { return operation_; }
    // True when the body is a request (m:<Op> without the Response suffix).
    bool is_request() const { return is_request_; }
    const std::optional<soap_fault>& fault() const { return fault_; }
    const std::vector<response_message>& messages() const { return messages_; }
    element body_response() const { return body_response_; }

private:
    explicit response(document doc) : doc_(std::move(doc)) {}

    document doc_;
    std::string operation_;
    bool is_request_ = false;
    std::optional<soap_fault> fault_;
    std::vector<response_message> messages_;
    element body_response_;
};

// For the operation-specific parsers: nullopt when `r` is a response to one
// of `operations`, else the error to return (a SOAP fault names its code; a
// request or another operation's response says what the body holds).
std::optional<parse_error> expect_operation(const response& r, std::initializer_list<std::string_view> operations);

// Text helpers shared by the ews parsers.
std::string trimmed(std::string_view s);
// xs:boolean ("true"/"false"/"1"/"0", surrounding whitespace allowed); nullopt otherwise or when `e` is null.
std::optional<bool> xs_boolean(element e);
// xs:unsignedLong-ish decimal; nullopt when absent, empty or not a number.
std::optional<std::uint64_t> xs_unsigned(element e);

// Element name <-> enum tables, e.g. {"NewMailEvent", event_type::new_mail}.
template <class E, std::size_t N>
using name_table = std::array<std::pair<std::string_view, E>, N>;

// The value `e` names when it is a types-namespace element listed in `table`.
template <class E, std::size_t N>
std::optional<E> types_element_kind(const name_table<E, N>& table, element e) {
    if (e.namespace_uri() != ns::types) return std::nullopt;
    for (const auto& [name, value] : table) {
        if (e.local_name() == name) return value;
    }
    return std::nullopt;
}

// The name of `value` in `table` (empty if absent).
template <class E, std::size_t N>
std::string_view name_in(const name_table<E, N>& table, E value) {
    for (const auto& [name, v] : table) {
        if (v == value) return name;
    }
    return {};
}

}  // namespace ewstrigd::ews
