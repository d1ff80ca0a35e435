#pragma once
// The one kind of extended property the simulator models: the
// PS_INTERNET_HEADERS named properties (t:ExtendedFieldURI
// DistinguishedPropertySetId="InternetHeaders" PropertyName="X-..."
// PropertyType="String"). As in Exchange, such a property IS the internet
// header of that name: setting it on CreateItem puts the header into the sent
// mail, and reading it returns the header of a stored message. Pure.
#include "ews/xml.hpp"
#include "store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::sim {

// The header name a t:ExtendedFieldURI names, or nullopt when it is not an
// InternetHeaders String property with a PropertyName.
std::optional<std::string> internet_header_name(ews::element extended_field_uri);

// A header the simulator can write: an RFC 5322 field name (printable ASCII
// without ':' or space) and a one-line value. Else Exchange-style
// ErrorInvalidExtendedPropertyValue.
bool valid_header_field(std::string_view name, std::string_view value);
extern const char* const invalid_header_text;

// The value of header `name` of `m` (case-insensitive; the first one), or nullopt.
std::optional<std::string> header_value(const message& m, std::string_view name);

// <t:ExtendedProperty><t:ExtendedFieldURI .../><t:Value>..</t:Value></t:ExtendedProperty>
std::string internet_header_property_xml(std::string_view name, std::string_view value);

}  // namespace ewstrigd::sim
