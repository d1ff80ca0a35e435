#include "ews/xml.hpp"

#include <rapidxml/rapidxml.hpp>

#include <utility>

namespace ewstrigd::ews {
namespace {

using node_t = rapidxml::xml_node<char>;
using attr_t = rapidxml::xml_attribute<char>;

std::string_view name_of(const node_t* n) { return {n->name(), n->name_size()}; }
std::string_view name_of(const attr_t* a) { return {a->name(), a->name_size()}; }
std::string_view value_of(const attr_t* a) { return {a->value(), a->value_size()}; }

std::pair<std::string_view, std::string_view> split_qname(std::string_view qname) {
    const auto colon = qname.find(':');
    if (colon == std::string_view::npos) return {{}, qname};
    return {qname.substr(0, colon), qname.substr(colon + 1)};
}

const node_t* first_element(const node_t* n) {
    while (n != nullptr && n->type() != rapidxml::node_element) n = n->next_sibling();
    return n;
}

// RapidXML recurses once per nesting level, so a hostile document could
// exhaust the stack. This scan over-estimates the element depth in O(n)
// (it does not need to be exact, only never to under-count) without parsing.
bool nesting_exceeds(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    std::size_t i = 0;
    const auto skip_past = [&](std::string_view end) {
        const auto at = text.find(end, i);
        i = at == std::string_view::npos ? text.size() : at + end.size();
    };
    while ((i = text.find('<', i)) != std::string_view::npos) {
        const std::string_view rest = text.substr(i);
        if (rest.starts_with("<!--")) { i += 4; skip_past("-->"); continue; }
        if (rest.starts_with("<![CDATA[")) { i += 9; skip_past("]]>"); continue; }
        if (rest.starts_with("<!") || rest.starts_with("<?")) { ++i; skip_past(">"); continue; }
        if (rest.starts_with("</")) {
            if (depth > 0) --depth;
            ++i;
            skip_past(">");
            continue;
        }
        if (++depth > limit) return true;
        // Find the end of the start tag; '>' may appear inside quoted attribute values.
        char quote = 0;
        for (++i; i < text.size(); ++i) {
            const char c = text[i];
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                if (text[i - 1] == '/') --depth;
                break;
            }
        }
    }
    return false;
}

}  // namespace

// ---- element ----

std::string_view element::local_name() const {
    return node_ == nullptr ? std::string_view{} : split_qname(name_of(node_)).second;
}

std::string_view element::prefix() const {
    return node_ == nullptr ? std::string_view{} : split_qname(name_of(node_)).first;
}

std::string_view element::resolve(std::string_view pfx) const {
    if (pfx == "xml") return ns::xml;
    for (const node_t* n = node_; n != nullptr && n->type() == rapidxml::node_element; n = n->parent()) {
        for (const attr_t* a = n->first_attribute(); a != nullptr; a = a->next_attribute()) {
            const auto [apfx, local] = split_qname(name_of(a));
            if (pfx.empty() ? (apfx.empty() && local == "xmlns") : (apfx == "xmlns" && local == pfx))
                return value_of(a);
        }
    }
    return {};
}

std::string_view element::namespace_uri() const {
    return node_ == nullptr ? std::string_view{} : resolve(prefix());
}

bool element::is(std::string_view ns_uri, std::string_view local) const {
    // Compare the cheap local name first; namespace resolution walks ancestors.
    return node_ != nullptr && local_name() == local && namespace_uri() == ns_uri;
}

std::string element::text() const {
    std::string out;
    if (node_ == nullptr) return out;
    for (const node_t* n = node_->first_node(); n != nullptr; n = n->next_sibling()) {
        if (n->type() == rapidxml::node_data || n->type() == rapidxml::node_cdata)
            out.append(n->value(), n->value_size());
    }
    return out;
}

std::optional<std::string_view> element::attribute(std::string_view local) const {
    if (node_ == nullptr) return std::nullopt;
    for (const attr_t* a = node_->first_attribute(); a != nullptr; a = a->next_attribute()) {
        if (name_of(a) == local) return value_of(a);
    }
    return std::nullopt;
}

std::optional<std::string_view> element::attribute(std::string_view ns_uri, std::string_view local) const {
    if (node_ == nullptr) return std::nullopt;
    for (const attr_t* a = node_->first_attribute(); a != nullptr; a = a->next_attribute()) {
        const auto [apfx, alocal] = split_qname(name_of(a));
        if (!apfx.empty() && apfx != "xmlns" && alocal == local && resolve(apfx) == ns_uri) return value_of(a);
    }
    return std::nullopt;
}

element element::first_child() const {
    return element{node_ == nullptr ? nullptr : first_element(node_->first_node())};
}

element element::next_sibling() const {
    return element{node_ == nullptr ? nullptr : first_element(node_->next_sibling())};
}

element element::parent() const {
    const node_t* p = node_ == nullptr ? nullptr : node_->parent();
    return element{p != nullptr && p->type() == rapidxml::node_element ? p : nullptr};
}

element element::child(std::string_view ns_uri, std::string_view local) const {
    for (element c = first_child(); c; c = c.next_sibling()) {
        if (c.is(ns_uri, local)) return c;
    }
    return {};
}

std::vector<element> element::children(std::string_view ns_uri, std::string_view local) const {
    std::vector<element> out;
    for (element c = first_child(); c; c = c.next_sibling()) {
        if (c.is(ns_uri, local)) out.push_back(c);
    }
    return out;
}

element element::descendant(std::string_view ns_uri, std::string_view local) const {
    // Iterative pre-order walk: no recursion, and it never leaves this subtree.
    element cur = first_child();
    while (cur) {
        if (cur.is(ns_uri, local)) return cur;
        if (element down = cur.first_child()) { cur = down; continue; }
        while (cur && cur.native() != node_) {
            if (element next = cur.next_sibling()) { cur = next; break; }
            cur = cur.parent();
        }
        if (!cur || cur.native() == node_) return {};
    }
    return {};
}

// ---- document ----

struct document::impl {
    std::string buffer;  // RapidXML parses in place and keeps pointers into it
    rapidxml::xml_document<char> doc;
};

document::document(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
document::document(document&&) noexcept = default;
document& document::operator=(document&&) noexcept = default;
document::~document() = default;

element document::root() const { return element{first_element(impl_->doc.first_node())}; }

std::variant<document, xml_error> document::parse(std::string_view text) {
    if (nesting_exceeds(text, max_depth))
        return xml_error{"elements nested deeper than " + std::to_string(max_depth), 0};
    // Not make_unique<impl>(): value-initialisation would zero RapidXML's 64 KiB static pool on every
    // parse (three documents per new mail); the pool needs no zeroing.
    std::unique_ptr<impl> p{new impl};
    p->buffer.assign(text);  // std::string keeps the terminating NUL RapidXML needs
    try {
        p->doc.parse<rapidxml::parse_validate_closing_tags>(p->buffer.data());
    } catch (const rapidxml::parse_error& e) {
        const char* where = e.where<char>();
        const std::size_t offset = where == nullptr ? 0 : static_cast<std::size_t>(where - p->buffer.data());
        return xml_error{e.what(), offset};
    }
    if (first_element(p->doc.first_node()) == nullptr) return xml_error{"no root element", text.size()};
    return document{std::move(p)};
}

}  // namespace ewstrigd::ews
