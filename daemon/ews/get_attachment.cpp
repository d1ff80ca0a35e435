#include "ews/get_attachment.hpp"

#include "ews/xml_writer.hpp"

namespace ewstrigd::ews {

std::string soap_request(const request_context& ctx, const get_attachment& r) {
    writer w;
    w.open("m:GetAttachment").open("m:AttachmentIds");
    for (const auto& id : r.attachment_ids) w.tag("t:AttachmentId", {{"Id", id}}, true);
    w.close("m:AttachmentIds").close("m:GetAttachment");
    return soap_envelope(ctx, w.take());
}

parse_result<std::vector<attachments_message>> parse_attachments(const response& r) {
    if (auto err = expect_operation(r, {"GetAttachment"})) return *std::move(err);
    std::vector<attachments_message> out;
    for (const auto& rm : r.messages()) {
        attachments_message m{rm, {}};
        const element list = rm.node.child(ns::messages, "Attachments");
        for (element a = list.first_child(); a; a = a.next_sibling()) {
            if (a.namespace_uri() != ns::types) continue;
            attachment_content c{attachment_of(a), std::nullopt};
            if (const element content = a.child(ns::types, "Content")) c.content_base64 = content.text();
            m.attachments.push_back(std::move(c));
        }
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ewstrigd::ews
