#include "actions/payload.hpp"

#include "match/template.hpp"

#include <nlohmann/json.hpp>

#include <exception>

namespace ewstrigd::actions {
namespace {

using json = nlohmann::json;

constexpr int payload_version = 1;

json address_json(const match::mail_address& a) { return {{"name", a.name}, {"email", a.email}}; }

json addresses_json(const std::vector<match::mail_address>& list) {
    json out = json::array();
    for (const auto& a : list) out.push_back(address_json(a));
    return out;
}

// Reads fields of one JSON object, remembering the first problem with its path.
class reader {
public:
    explicit reader(std::string* error) : error_(error) {}
    bool ok() const { return ok_; }

    void fail(const std::string& path, const std::string& what) {
        if (ok_ && error_ != nullptr) *error_ = path + ": " + what;
        ok_ = false;
    }

    const json* field(const json& obj, const std::string& path, const char* key, bool required) {
        const auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) fail(path + key, "missing");
            return nullptr;
        }
        return &*it;
    }

    void text(const json& obj, const std::string& path, const char* key, std::string& out, bool required = false) {
        const json* v = field(obj, path, key, required);
        if (v == nullptr) return;
        if (!v->is_string()) return fail(path + key, "expected a string");
        out = v->get<std::string>();
    }

    void boolean(const json& obj, const std::string& path, const char* key, bool& out) {
        const json* v = field(obj, path, key, false);
        if (v == nullptr) return;
        if (!v->is_boolean()) return fail(path + key, "expected true or false");
        out = v->get<bool>();
    }

    void address(const json& v, const std::string& path, match::mail_address& out) {
        if (!v.is_object()) return fail(path, "expected an object with name and email");
        text(v, path + ".", "name", out.name);
        text(v, path + ".", "email", out.email);
    }

    void addresses(const json& obj, const std::string& path, const char* key, std::vector<match::mail_address>& out) {
        const json* v = field(obj, path, key, false);
        if (v == nullptr) return;
        if (!v->is_array()) return fail(path + key, "expected a list");
        for (std::size_t i = 0; i < v->size() && ok_; ++i) {
            out.emplace_back();
            address((*v)[i], path + key + "[" + std::to_string(i) + "]", out.back());
        }
    }

private:
    std::string* error_;
    bool ok_ = true;
};

void read_message(reader& r, const json& m, match::message& out) {
    const std::string p = "message.";
    r.text(m, p, "item_id", out.item_id);
    r.text(m, p, "subject", out.subject);
    if (const json* from = r.field(m, p, "from", false)) r.address(*from, p + "from", out.from);
    r.addresses(m, p, "to", out.to);
    r.addresses(m, p, "cc", out.cc);
    r.text(m, p, "body", out.body);
    if (const json* list = r.field(m, p, "attachments", false)) {
        if (!list->is_array()) return r.fail(p + "attachments", "expected a list");
        for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
            const std::string ap = p + "attachments[" + std::to_string(i) + "]";
            const json& a = (*list)[i];
            if (!a.is_object()) return r.fail(ap, "expected an object");
            match::attachment att;
            r.text(a, ap + ".", "name", att.name);
            r.text(a, ap + ".", "content_type", att.content_type);
            r.boolean(a, ap + ".", "inline", att.is_inline);
            if (const json* size = r.field(a, ap + ".", "size", false)) {
                if (!size->is_number_unsigned()) return r.fail(ap + ".size", "expected a byte count");
                att.size = size->get<std::uint64_t>();
            }
            out.attachments.push_back(std::move(att));
        }
    }
    r.boolean(m, p, "has_attachments", out.has_attachments);
    if (const json* imp = r.field(m, p, "importance", false)) {
        const std::string s = imp->is_string() ? imp->get<std::string>() : std::string();
        if (s == "low") out.importance_level = match::importance::low;
        else if (s == "normal") out.importance_level = match::importance::normal;
        else if (s == "high") out.importance_level = match::importance::high;
        else return r.fail(p + "importance", "expected low, normal or high");
    }
    if (const json* cats = r.field(m, p, "categories", false)) {
        if (!cats->is_array()) return r.fail(p + "categories", "expected a list");
        for (std::size_t i = 0; i < cats->size(); ++i) {
            if (!(*cats)[i].is_string()) return r.fail(p + "categories[" + std::to_string(i) + "]", "expected a string");
            out.categories.push_back((*cats)[i].get<std::string>());
        }
    }
    r.boolean(m, p, "is_read", out.is_read);
    if (const json* rec = r.field(m, p, "received", false)) {
        if (!rec->is_number_integer()) return r.fail(p + "received", "expected seconds since 1970 (an integer)");
        out.received = std::chrono::sys_seconds{std::chrono::seconds{rec->get<std::int64_t>()}};
    }
    if (const json* headers = r.field(m, p, "headers", false)) {
        if (!headers->is_array()) return r.fail(p + "headers", "expected a list");
        for (std::size_t i = 0; i < headers->size(); ++i) {
            const json& h = (*headers)[i];
            if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string()) {
                return r.fail(p + "headers[" + std::to_string(i) + "]", "expected [name, value]");
            }
            out.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
        }
    }
    r.text(m, p, "folder", out.folder);
}

}  // namespace

std::string encode_payload(const payload& p) {
    const auto& m = p.message;
    json attachments = json::array();
    for (const auto& a : m.attachments) {
        attachments.push_back(
            {{"name", a.name}, {"size", a.size}, {"content_type", a.content_type}, {"inline", a.is_inline}});
    }
    json headers = json::array();
    for (const auto& [name, value] : m.headers) headers.push_back(json::array({name, value}));
    json msg = {{"item_id", m.item_id},
                {"subject", m.subject},
                {"from", address_json(m.from)},
                {"to", addresses_json(m.to)},
                {"cc", addresses_json(m.cc)},
                {"body", m.body},
                {"attachments", std::move(attachments)},
                {"has_attachments", m.has_attachments},
                {"importance", match::importance_name(m.importance_level)},
                {"categories", m.categories},
                {"is_read", m.is_read},
                {"headers", std::move(headers)},
                {"folder", m.folder}};
    if (m.received) msg["received"] = m.received->time_since_epoch().count();
    json doc = {{"v", payload_version}, {"message", std::move(msg)}, {"captures", p.captures}};
    // Mail text is untrusted: invalid UTF-8 becomes U+FFFD instead of an exception.
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<payload> decode_payload(std::string_view text, payload_error* error) {
    std::string why;
    auto failed = [&](std::string message) -> std::optional<payload> {
        if (error != nullptr) error->message = std::move(message);
        return std::nullopt;
    };
    try {
        const json doc = json::parse(text, nullptr, false);
        if (doc.is_discarded()) return failed("payload: not valid JSON");
        if (!doc.is_object()) return failed("payload: expected a JSON object");
        const auto v = doc.find("v");
        if (v == doc.end() || !v->is_number_integer()) return failed("v: missing payload version");
        if (v->get<std::int64_t>() != payload_version) {
            return failed("v: payload version " + v->dump() + " is not supported (this ewstrigd reads version 1)");
        }
        payload out;
        reader r(&why);
        const json* m = r.field(doc, "", "message", true);
        if (m != nullptr && !m->is_object()) r.fail("message", "expected an object");
        else if (m != nullptr) read_message(r, *m, out.message);
        if (const json* c = r.ok() ? r.field(doc, "", "captures", false) : nullptr) {
            if (!c->is_object()) r.fail("captures", "expected an object");
            for (auto it = c->begin(); r.ok() && it != c->end(); ++it) {
                if (!it->is_string()) r.fail("captures." + it.key(), "expected a string");
                else out.captures.emplace(it.key(), it->get<std::string>());
            }
        }
        if (!r.ok()) return failed(why);
        return out;
    } catch (const std::exception& e) {  // allocation failure and the like: still never throws
        return failed(std::string("payload: ") + e.what());
    }
}

}  // namespace ewstrigd::actions
