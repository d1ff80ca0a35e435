#include "actions/event_json.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace ewstrigd::actions {
namespace {

using json = nlohmann::json;

json address(const match::mail_address& a) { return {{"name", a.name}, {"email", a.email}}; }

json addresses(const std::vector<match::mail_address>& list) {
    json out = json::array();
    for (const auto& a : list) out.push_back(address(a));
    return out;
}

}  // namespace

std::string event_json(const job& j, int indent) {
    const match::message m = message_of(j);
    json attachments = json::array();
    for (const auto& a : m.attachments) {
        attachments.push_back(
            {{"name", a.name}, {"size", a.size}, {"content_type", a.content_type}, {"inline", a.is_inline}});
    }
    json doc = {{"event_id", j.event_id},
                {"mailbox", j.mailbox},
                {"folder", m.folder},
                {"trigger", j.trigger},
                {"action_index", j.action_index},
                {"item_id", m.item_id},
                {"subject", m.subject},
                {"from", address(m.from)},
                {"to", addresses(m.to)},
                {"cc", addresses(m.cc)},
                {"received", m.received ? json(match::format_utc(*m.received)) : json(nullptr)},
                {"importance", match::importance_name(m.importance_level)},
                {"is_read", m.is_read},
                {"categories", m.categories},
                {"has_attachments", m.has_attachments || !m.attachments.empty()},
                {"attachments", std::move(attachments)},
                {"captures", j.data.captures}};
    return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // An empty key is legal HMAC; HMAC() wants a non-null pointer for it.
    static const unsigned char empty = 0;
    const void* k = key.empty() ? static_cast<const void*>(&empty) : static_cast<const void*>(key.data());
    if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), mac, &len) == nullptr) {
        return {};
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex += digits[mac[i] >> 4];
        hex += digits[mac[i] & 0xF];
    }
    return hex;
}

}  // namespace ewstrigd::actions
