#pragma once
// FindItem's m:Restriction, the part the simulator evaluates: t:IsEqualTo and
// t:IsNotEqualTo of a t:ExtendedFieldURI (InternetHeaders String property,
// internet_headers.hpp) or t:FieldURI item:Subject / message:InternetMessageId
// against t:FieldURIOrConstant/t:Constant Value (compared ASCII
// case-insensitively, as Exchange compares strings), and t:And, t:Or, t:Not
// of those. Anything else is ErrorUnsupportedQueryFilter rather than a
// silently unfiltered answer. Pure.
#include "ews/xml.hpp"
#include "soap_writer.hpp"
#include "store.hpp"

#include <functional>
#include <variant>

namespace ewstrigd::sim {

using item_filter = std::function<bool(const stored_item&)>;

// The filter of m:Restriction `restriction` (null element: every item).
std::variant<item_filter, message_status> read_restriction(ews::element restriction);

}  // namespace ewstrigd::sim
