#include "request_reader.hpp"

#include "ews/response.hpp"
#include "internet_headers.hpp"

#include <charconv>

namespace ewstrigd::sim {

const folder* resolve_folder(op_context& ctx, ews::element folder_id) {
    if (folder_id.is(ews::ns::types, "FolderId")) {
        const auto id = folder_id.attribute("Id");
        return id ? ctx.mb.find_folder(*id) : nullptr;
    }
    if (folder_id.is(ews::ns::types, "DistinguishedFolderId")) {
        const auto id = folder_id.attribute("Id");
        if (!id) return nullptr;
        auto* mb = &ctx.mb;
        const auto owner = ews::trimmed(
            folder_id.child(ews::ns::types, "Mailbox").child(ews::ns::types, "EmailAddress").text());
        if (!owner.empty()) mb = &ctx.st.open_mailbox(owner);
        for (const auto& f : mb->folders) {
            if (!f.distinguished.empty() && f.distinguished == *id) return &f;
        }
    }
    return nullptr;
}

item_shape read_item_shape(ews::element shape) {
    item_shape s;
    const auto base = ews::trimmed(shape.child(ews::ns::types, "BaseShape").text());
    if (base == "Default") s.base_shape = item_shape::base::default_shape;
    if (base == "AllProperties") s.base_shape = item_shape::base::all_properties;
    s.include_mime_content = ews::xs_boolean(shape.child(ews::ns::types, "IncludeMimeContent")).value_or(false);
    for (auto f : child_elements(shape.child(ews::ns::types, "AdditionalProperties"))) {
        if (auto uri = f.attribute("FieldURI")) s.fields.emplace(*uri);
        if (auto header = internet_header_name(f)) s.internet_headers.push_back(std::move(*header));
    }
    return s;
}

std::optional<std::uint64_t> number_attribute(ews::element e, std::string_view name) {
    const auto v = e.attribute(name);
    if (!v) return std::nullopt;
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || p != v->data() + v->size()) return std::nullopt;
    return n;
}

std::vector<ews::element> child_elements(ews::element parent) {
    std::vector<ews::element> out;
    for (auto c = parent.first_child(); c; c = c.next_sibling()) out.push_back(c);
    return out;
}

}  // namespace ewstrigd::sim
