#pragma once
// Internal to ews/: how the request builders (requests.cpp, create_item.cpp)
// write markup. Element and attribute names are our own literals; every
// value goes through xml_escape.

#include "ews/requests.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ewstrigd::ews {

// Appends markup to one string.
class writer {
public:
    writer& open(std::string_view qname) { out_ += '<'; out_ += qname; out_ += '>'; return *this; }
    writer& close(std::string_view qname) { out_ += "</"; out_ += qname; out_ += '>'; return *this; }
    // <qname a="v" ...> or, when `empty`, <qname a="v" .../>
    writer& tag(std::string_view qname, std::initializer_list<std::pair<std::string_view, std::string_view>> attrs,
                bool empty) {
        out_ += '<';
        out_ += qname;
        for (const auto& [name, value] : attrs) {
            out_ += ' ';
            out_ += name;
            out_ += "=\"";
            out_ += xml_escape(value);
            out_ += '"';
        }
        out_ += empty ? "/>" : ">";
        return *this;
    }
    // Character data inside the element opened last.
    writer& content(std::string_view value) { out_ += xml_escape(value); return *this; }
    writer& text(std::string_view qname, std::string_view value) { return open(qname).content(value).close(qname); }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// t:DistinguishedFolderId (with its t:Mailbox when another mailbox's) or t:FolderId.
void write_folder(writer& w, const folder_ref& f);

// t:ExtendedFieldURI naming the internet header `name` (how Exchange maps
// X- headers and the like to MAPI named properties).
void write_header_uri(writer& w, std::string_view name);

}  // namespace ewstrigd::ews
