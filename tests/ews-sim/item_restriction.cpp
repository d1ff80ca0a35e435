#include "item_restriction.hpp"

#include "ascii.hpp"
#include "internet_headers.hpp"

#include <optional>
#include <vector>

namespace ewstrigd::sim {
namespace {

using ews::ns::types;
using filter_result = std::variant<item_filter, message_status>;

// A nested restriction deeper than this is refused (the XML parser bounds depth too).
constexpr int max_depth = 16;

message_status unsupported(std::string_view what) {
    return {"ErrorUnsupportedQueryFilter",
            "The restriction contains a query filter that ews-sim does not evaluate: " + std::string(what) + "."};
}

// The property a comparison reads, as a function of the item (nullopt: the item lacks it).
using property_reader = std::function<std::optional<std::string>(const stored_item&)>;

std::optional<property_reader> read_property(ews::element path) {
    if (auto header = internet_header_name(path)) {
        return [name = *header](const stored_item& item) { return header_value(item.msg, name); };
    }
    if (!path.is(types, "FieldURI")) return std::nullopt;
    const auto uri = path.attribute("FieldURI").value_or("");
    if (uri == "item:Subject") return [](const stored_item& item) { return std::optional(item.msg.subject); };
    if (uri == "message:InternetMessageId") {
        return [](const stored_item& item) { return std::optional(item.msg.internet_message_id); };
    }
    return std::nullopt;
}

filter_result read_filter(ews::element e, int depth);

filter_result read_comparison(ews::element e, bool equal) {
    const auto path = e.first_child();
    const auto property = read_property(path);
    if (!property) return unsupported("the property path of t:" + std::string(e.local_name()));
    const auto constant = e.child(types, "FieldURIOrConstant").child(types, "Constant");
    const auto value = constant.attribute("Value");
    if (!value) return unsupported("a comparison with something other than t:Constant");
    return item_filter{[property = *property, wanted = ascii_lower(*value), equal](const stored_item& item) {
        const auto v = property(item);
        return (v && ascii_lower(*v) == wanted) == equal;
    }};
}

filter_result read_combination(ews::element e, bool all, int depth) {
    std::vector<item_filter> parts;
    for (auto c = e.first_child(); c; c = c.next_sibling()) {
        auto part = read_filter(c, depth + 1);
        if (auto* err = std::get_if<message_status>(&part)) return *err;
        parts.push_back(std::move(std::get<item_filter>(part)));
    }
    return item_filter{[parts = std::move(parts), all](const stored_item& item) {
        for (const auto& p : parts) {
            if (p(item) != all) return !all;
        }
        return all;
    }};
}

filter_result read_filter(ews::element e, int depth) {
    if (depth > max_depth) return unsupported("nesting deeper than " + std::to_string(max_depth));
    if (e.is(types, "IsEqualTo")) return read_comparison(e, true);
    if (e.is(types, "IsNotEqualTo")) return read_comparison(e, false);
    if (e.is(types, "And")) return read_combination(e, true, depth);
    if (e.is(types, "Or")) return read_combination(e, false, depth);
    if (e.is(types, "Not")) {
        auto inner = read_filter(e.first_child(), depth + 1);
        if (auto* err = std::get_if<message_status>(&inner)) return *err;
        return item_filter{[inner = std::move(std::get<item_filter>(inner))](const stored_item& item) {
            return !inner(item);
        }};
    }
    return unsupported("t:" + std::string(e.local_name()));
}

}  // namespace

std::variant<item_filter, message_status> read_restriction(ews::element restriction) {
    if (!restriction) return item_filter{[](const stored_item&) { return true; }};
    return read_filter(restriction.first_child(), 0);
}

}  // namespace ewstrigd::sim
