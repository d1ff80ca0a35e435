#pragma once
// An incoming EWS SOAP request: the operation (local name of the first
// element in soap:Body, as Exchange dispatches without SOAPAction) and the
// mailbox it acts on, chosen like Exchange does: ExchangeImpersonation's
// ConnectingSID, else the X-AnchorMailbox header, else the authenticated
// user's own mailbox. Pure; elements match on (namespace URI, local name).
#include "ews/xml.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace ewstrigd::sim {

// What the HTTP layer knows about the caller.
struct caller {
    std::string user;            // Basic user name or a verified JWT's name claim (auth.hpp); may be empty
    std::string anchor_mailbox;  // X-AnchorMailbox header; may be empty
};

struct ews_request {
    ews::document doc;
    ews::element operation_element;  // m:<Op>, valid while `doc` lives
    std::string operation;
    std::string mailbox;  // lower-case SMTP address; empty when nothing named one
};

// Why a request could not be read: sent back as a SOAP fault (HTTP 500).
struct request_fault {
    std::string code;     // ErrorInvalidRequest, ErrorSchemaValidation, ...
    std::string message;
};

std::variant<ews_request, request_fault> parse_ews_request(std::string_view xml, const caller& who);

}  // namespace ewstrigd::sim
