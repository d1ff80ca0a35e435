#include "delivery.hpp"

#include "base64.hpp"
#include "mail/message_file.hpp"

#include <nlohmann/json.hpp>

namespace ewstrigd::sim {
namespace {

using nlohmann::json;

// "Name <a@b>" or "a@b".
mail_address parse_address(std::string_view s) {
    const auto lt = s.find('<');
    const auto gt = s.rfind('>');
    if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) return {"", std::string(s)};
    auto name = std::string(s.substr(0, lt));
    while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
    while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
    return {name, std::string(s.substr(lt + 1, gt - lt - 1))};
}

std::string importance_name(std::string_view s) {
    if (s == "high" || s == "High") return "High";
    if (s == "low" || s == "Low") return "Low";
    return "Normal";
}

std::vector<mail_address> address_list(const json& j, const char* key) {
    std::vector<mail_address> out;
    if (!j.contains(key)) return out;
    const auto& v = j[key];
    if (v.is_string()) {
        out.push_back(parse_address(v.get<std::string>()));
        return out;
    }
    for (const auto& a : v) out.push_back(parse_address(a.get<std::string>()));
    return out;
}

std::string string_or(const json& j, const char* key, std::string fallback) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::move(fallback);
}

}  // namespace

std::variant<message, std::string> message_from_json(std::string_view text) {
    const auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::string("body is not a JSON object");
    message m;
    try {
        m.from = parse_address(string_or(j, "from", "sender@example.com"));
        m.to = address_list(j, "to");
        m.cc = address_list(j, "cc");
        m.subject = string_or(j, "subject", "");
        m.body = string_or(j, "body", "");
        m.importance = importance_name(string_or(j, "importance", "normal"));
        if (j.contains("headers")) {
            for (const auto& [name, value] : j["headers"].items()) m.headers.emplace_back(name, value.get<std::string>());
        }
        if (j.contains("attachments")) {
            for (const auto& a : j["attachments"]) {
                attachment att;
                att.name = string_or(a, "name", "attachment");
                att.content_type = string_or(a, "content_type", "application/octet-stream");
                const auto content = base64_decode(string_or(a, "content_base64", ""));
                if (!content) return "attachment \"" + att.name + "\": content_base64 is not valid base64";
                att.content = *content;
                att.size = att.content.size();
                m.attachments.push_back(std::move(att));
            }
        }
    } catch (const json::exception& e) {
        return std::string("bad field type: ") + e.what();
    }
    return m;
}

std::variant<message, std::string> message_from_rfc822(std::string_view bytes) {
    auto parsed = mail::parse_eml(bytes);
    if (auto* err = std::get_if<mail::read_error>(&parsed)) return err->message;
    const auto& p = std::get<match::message>(parsed);
    message m;
    m.raw_mime = std::string(bytes);
    m.subject = p.subject;
    m.from = {p.from.name, p.from.email};
    for (const auto& a : p.to) m.to.push_back({a.name, a.email});
    for (const auto& a : p.cc) m.cc.push_back({a.name, a.email});
    m.body = p.body;
    m.importance = p.importance_level == match::importance::high  ? "High"
                   : p.importance_level == match::importance::low ? "Low"
                                                                  : "Normal";
    for (const auto& [name, value] : p.headers) {
        if (name == "Message-ID" || name == "Message-Id") m.internet_message_id = value;
        m.headers.emplace_back(name, value);
    }
    for (const auto& a : p.attachments) {
        attachment att;
        att.name = a.name;
        att.content_type = a.content_type;
        att.size = a.size;
        att.is_inline = a.is_inline;
        m.attachments.push_back(std::move(att));
    }
    return m;
}

}  // namespace ewstrigd::sim
