#pragma once
// Namespace-aware reading of XML documents over stock RapidXML 1.13, which
// knows nothing of namespaces. Elements are found by (namespace URI, local
// name), never by prefix: servers choose prefixes freely (`t:`, `m:`, a
// default namespace, or the same URI under two prefixes).
//
// Untrusted input: parse() never throws for malformed text and rejects
// documents nested deeper than `max_depth` (RapidXML parses recursively).
// Namespace prefixes are resolved lazily from the `xmlns` / `xmlns:p`
// attributes in scope; an undeclared prefix resolves to no namespace, so such
// an element matches no namespaced lookup.
//
// Not thread-safe per document; distinct documents are independent.

#include <rapidxml/rapidxml.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ewstrigd::ews {

namespace ns {
inline constexpr std::string_view soap = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view types = "http://schemas.microsoft.com/exchange/services/2006/types";
inline constexpr std::string_view messages = "http://schemas.microsoft.com/exchange/services/2006/messages";
inline constexpr std::string_view errors = "http://schemas.microsoft.com/exchange/services/2006/errors";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";
}  // namespace ns

// A non-owning handle to an element of a `document`; valid while the document
// lives. A default-constructed (or not-found) element is null: every accessor
// on it returns an empty value, so lookups can be chained without checks.
class element {
public:
    element() = default;
    explicit element(const rapidxml::xml_node<char>* node) : node_(node) {}

    explicit operator bool() const { return node_ != nullptr; }

    std::string_view local_name() const;
    std::string_view prefix() const;
    // URI bound to prefix() in scope; empty when unbound or no default namespace.
    std::string_view namespace_uri() const;
    bool is(std::string_view ns_uri, std::string_view local) const;

    // Character data of the direct children (text and CDATA, entities
    // decoded), concatenated; child elements' text is not included.
    std::string text() const;

    // Value of an unprefixed attribute (such attributes have no namespace).
    std::optional<std::string_view> attribute(std::string_view local) const;
    // Value of a prefixed attribute in namespace `ns_uri`, e.g. xsi:nil.
    std::optional<std::string_view> attribute(std::string_view ns_uri, std::string_view local) const;

    // First direct child element matching, or null.
    element child(std::string_view ns_uri, std::string_view local) const;
    // All direct child elements matching, in document order.
    std::vector<element> children(std::string_view ns_uri, std::string_view local) const;
    // First matching element below this one (depth-first, document order), or null.
    element descendant(std::string_view ns_uri, std::string_view local) const;

    // Iteration over child elements of any name: first_child().next_sibling()...
    element first_child() const;
    element next_sibling() const;
    element parent() const;

    const rapidxml::xml_node<char>* native() const { return node_; }

private:
    // URI bound to `prefix` at this element (walking up), empty when unbound.
    std::string_view resolve(std::string_view prefix) const;

    const rapidxml::xml_node<char>* node_ = nullptr;
};

struct xml_error {
    std::string message;     // e.g. "expected >"
    std::size_t offset = 0;  // byte offset into the input where parsing stopped
};

// An immutable parsed document owning a private copy of the input text.
// Movable, not copyable.
class document {
public:
    static constexpr std::size_t max_depth = 256;

    // Parses `text` (entities decoded, closing tags validated).
    static std::variant<document, xml_error> parse(std::string_view text);

    document(document&&) noexcept;
    document& operator=(document&&) noexcept;
    ~document();

    // The document (root) element; never null for a parsed document.
    element root() const;

private:
    struct impl;
    explicit document(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace ewstrigd::ews
