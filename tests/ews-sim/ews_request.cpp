#include "ews_request.hpp"

#include "ascii.hpp"
#include "ews/response.hpp"

#include <algorithm>

namespace ewstrigd::sim {
namespace {

std::string lower_trimmed(std::string_view s) { return ascii_lower(ews::trimmed(s)); }

std::string impersonated(ews::element header) {
    const auto sid = header.child(ews::ns::types, "ExchangeImpersonation").child(ews::ns::types, "ConnectingSID");
    for (const auto* name : {"SmtpAddress", "PrimarySmtpAddress", "PrincipalName"}) {
        if (auto e = sid.child(ews::ns::types, name)) return lower_trimmed(e.text());
    }
    return {};
}

}  // namespace

std::variant<ews_request, request_fault> parse_ews_request(std::string_view xml, const caller& who) {
    auto parsed = ews::document::parse(xml);
    if (auto* err = std::get_if<ews::xml_error>(&parsed)) {
        return request_fault{"ErrorInvalidRequest", "The request is invalid: " + err->message + " at offset " +
                                                        std::to_string(err->offset) + "."};
    }
    auto doc = std::move(std::get<ews::document>(parsed));
    const auto root = doc.root();
    if (!root.is(ews::ns::soap, "Envelope")) {
        return request_fault{"ErrorInvalidRequest", "The request is invalid: the root element is not soap:Envelope."};
    }
    const auto body = root.child(ews::ns::soap, "Body");
    const auto op = body.first_child();
    if (!op) return request_fault{"ErrorInvalidRequest", "The request is invalid: the SOAP body is empty."};
    if (op.namespace_uri() != ews::ns::messages) {
        return request_fault{"ErrorSchemaValidation",
                             "The request failed schema validation: The element '" + std::string(op.local_name()) +
                                 "' is not in namespace '" + std::string(ews::ns::messages) + "'."};
    }
    ews_request r{std::move(doc), {}, std::string(op.local_name()), {}};
    r.operation_element = op;
    r.mailbox = impersonated(r.doc.root().child(ews::ns::soap, "Header"));
    if (r.mailbox.empty()) r.mailbox = lower_trimmed(who.anchor_mailbox);
    if (r.mailbox.empty()) r.mailbox = lower_trimmed(who.user);
    return r;
}

}  // namespace ewstrigd::sim
