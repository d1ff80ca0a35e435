#include "internet_headers.hpp"

#include "ascii.hpp"
#include "ews/requests.hpp"
#include "soap_writer.hpp"

namespace ewstrigd::sim {

std::optional<std::string> internet_header_name(ews::element uri) {
    if (!uri.is(ews::ns::types, "ExtendedFieldURI")) return std::nullopt;
    const auto set = uri.attribute("DistinguishedPropertySetId");
    const auto name = uri.attribute("PropertyName");
    const auto type = uri.attribute("PropertyType");
    if (!set || *set != "InternetHeaders" || !name || name->empty() || !type || *type != "String") return std::nullopt;
    return std::string(*name);
}

bool valid_header_field(std::string_view name, std::string_view value) {
    for (const char c : name) {
        if (c <= ' ' || c > '~' || c == ':') return false;
    }
    return !name.empty() && value.find_first_of("\r\n") == std::string_view::npos;
}

const char* const invalid_header_text =
    "An InternetHeaders property needs a header name without spaces or ':' and a one-line value.";

std::optional<std::string> header_value(const message& m, std::string_view name) {
    const auto wanted = ascii_lower(name);
    for (const auto& [n, v] : m.headers) {
        if (ascii_lower(n) == wanted) return v;
    }
    return std::nullopt;
}

std::string internet_header_property_xml(std::string_view name, std::string_view value) {
    return "<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId=\"InternetHeaders\" PropertyName=\"" +
           ews::xml_escape(name) + "\" PropertyType=\"String\"/>" + t_element("Value", value) +
           "</t:ExtendedProperty>";
}

}  // namespace ewstrigd::sim
