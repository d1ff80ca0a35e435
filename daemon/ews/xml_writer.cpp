#include "ews/xml_writer.hpp"

namespace ewstrigd::ews {

void write_folder(writer& w, const folder_ref& f) {
    if (const auto* d = std::get_if<distinguished_folder>(&f)) {
        w.tag("t:DistinguishedFolderId", {{"Id", d->id}}, !d->mailbox);
        if (d->mailbox) w.open("t:Mailbox").text("t:EmailAddress", *d->mailbox).close("t:Mailbox").close("t:DistinguishedFolderId");
        return;
    }
    const auto& id = std::get<folder_id>(f);
    if (id.change_key) w.tag("t:FolderId", {{"Id", id.id}, {"ChangeKey", *id.change_key}}, true);
    else w.tag("t:FolderId", {{"Id", id.id}}, true);
}

void write_header_uri(writer& w, std::string_view name) {
    w.tag("t:ExtendedFieldURI",
          {{"DistinguishedPropertySetId", "InternetHeaders"}, {"PropertyName", name}, {"PropertyType", "String"}}, true);
}

}  // namespace ewstrigd::ews
