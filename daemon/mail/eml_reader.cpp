// parse_eml: RFC 5322 / MIME text -> match::message, with GMime 3.

#include "mail/html_text.hpp"
#include "mail/message_file.hpp"
#include "util/text.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::mail {
namespace {

using match::find_header;
using util::trimmed;

struct gobject_unref {
    void operator()(void* p) const { g_object_unref(p); }
};
template <class T>
using gobject_ptr = std::unique_ptr<T, gobject_unref>;

struct g_free_deleter {
    void operator()(char* p) const { g_free(p); }
};
using gchar_ptr = std::unique_ptr<char, g_free_deleter>;

// MIME nesting deeper than this is not looked into (no real mail comes close;
// it bounds the recursion below on hostile input).
constexpr int max_mime_depth = 32;

void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string str(const char* s) { return s == nullptr ? std::string{} : std::string{s}; }

// GLib's checked-cast macros (GMIME_PART(), GMIME_IS_PART()...) expand to C
// casts that -Wold-style-cast rejects; this is the same check. Every GObject
// instance starts with its GTypeInstance, so the downcast is the C idiom.
template <class To, class From>
To* gobject_cast(From* obj, GType type) {
    if (obj == nullptr) return nullptr;
    auto* instance = reinterpret_cast<GTypeInstance*>(obj);
    return g_type_check_instance_is_a(instance, type) ? reinterpret_cast<To*>(obj) : nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

// ---- addresses ----

void append_addresses(InternetAddressList* list, std::vector<match::mail_address>& out, int depth = 0) {
    if (list == nullptr || depth > 1) return;  // groups cannot nest (RFC 5322 3.4)
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n; ++i) {
        InternetAddress* ia = internet_address_list_get_address(list, i);
        if (auto* mb = gobject_cast<InternetAddressMailbox>(ia, internet_address_mailbox_get_type())) {
            out.push_back({str(internet_address_get_name(ia)), str(internet_address_mailbox_get_addr(mb))});
        } else if (auto* group = gobject_cast<InternetAddressGroup>(ia, internet_address_group_get_type())) {
            append_addresses(internet_address_group_get_members(group), out, depth + 1);
        }
    }
}

std::vector<match::mail_address> addresses(GMimeMessage* msg, GMimeAddressType type) {
    std::vector<match::mail_address> out;
    append_addresses(g_mime_message_get_addresses(msg, type), out);
    return out;
}

// ---- header-derived fields ----

// Importance: (RFC 2156), else X-Priority: 1-5 (1 highest), else
// X-MSMail-Priority:, as Outlook and Exchange write them.
match::importance importance_of(const match::message& m) {
    if (const auto* v = find_header(m, "Importance")) {
        const auto t = trimmed(*v);
        if (iequals(t, "high")) return match::importance::high;
        if (iequals(t, "low")) return match::importance::low;
        return match::importance::normal;
    }
    if (const auto* v = find_header(m, "X-Priority")) {
        const auto t = trimmed(*v);
        const char d = t.empty() ? '3' : t.front();
        if (d == '1' || d == '2') return match::importance::high;
        if (d == '4' || d == '5') return match::importance::low;
        return match::importance::normal;
    }
    if (const auto* v = find_header(m, "X-MSMail-Priority")) {
        const auto t = trimmed(*v);
        if (iequals(t, "high")) return match::importance::high;
        if (iequals(t, "low")) return match::importance::low;
    }
    return match::importance::normal;
}

std::vector<std::string> keywords_of(const match::message& m) {
    std::vector<std::string> out;
    for (const auto& [name, value] : m.headers) {
        if (!iequals(name, "Keywords")) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto item = trimmed(rest.substr(0, comma));
            if (!item.empty()) out.emplace_back(item);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    return out;
}

// ---- MIME tree ----

std::string mime_type_of(GMimeObject* obj) {
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    if (ct == nullptr) return {};
    return str(gchar_ptr{g_mime_content_type_get_mime_type(ct)}.get());
}

// Bytes `write` produces, counted by a null stream (nothing is buffered).
template <class Write>
std::uint64_t count_bytes(Write write) {
    gobject_ptr<GMimeStream> sink{g_mime_stream_null_new()};
    write(sink.get());
    return reinterpret_cast<GMimeStreamNull*>(sink.get())->written;
}

struct body_candidates {
    std::optional<std::string> plain;
    std::optional<std::string> html;
};

class tree_walker {
public:
    explicit tree_walker(match::message& m) : m_(m) {}

    void walk(GMimeObject* obj, int depth) {
        if (obj == nullptr || depth > max_mime_depth) return;
        if (auto* multi = gobject_cast<GMimeMultipart>(obj, g_mime_multipart_get_type())) {
            const int n = g_mime_multipart_get_count(multi);
            for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(multi, i), depth + 1);
        } else if (auto* mp = gobject_cast<GMimeMessagePart>(obj, g_mime_message_part_get_type())) {
            add_message_attachment(obj, mp);
        } else if (auto* part = gobject_cast<GMimePart>(obj, g_mime_part_get_type())) {
            add_leaf(obj, part);
        }
    }

    std::string body() && {
        if (body_.plain) return std::move(*body_.plain);
        if (body_.html) return html_to_text(*body_.html);
        return {};
    }

private:
    void add_leaf(GMimeObject* obj, GMimePart* part) {
        const char* disposition = g_mime_object_get_disposition(obj);
        const bool is_attachment_disp = disposition != nullptr && iequals(disposition, "attachment");
        const char* filename = g_mime_part_get_filename(part);  // Content-Disposition filename, else Content-Type name
        GMimeContentType* ct = g_mime_object_get_content_type(obj);
        const bool is_text = ct != nullptr && g_mime_content_type_is_type(ct, "text", "*");
        if (is_text && !is_attachment_disp && filename == nullptr) {
            add_text(obj, part, ct);
            return;
        }
        match::attachment a;
        a.name = str(filename);
        a.content_type = mime_type_of(obj);
        a.is_inline = disposition != nullptr ? iequals(disposition, "inline")
                                             : g_mime_object_get_content_id(obj) != nullptr;
        GMimeDataWrapper* content = g_mime_part_get_content(part);
        if (content != nullptr)
            a.size = count_bytes([&](GMimeStream* s) { g_mime_data_wrapper_write_to_stream(content, s); });
        m_.attachments.push_back(std::move(a));
    }

    void add_text(GMimeObject* obj, GMimePart* part, GMimeContentType* ct) {
        const bool plain = g_mime_content_type_is_type(ct, "text", "plain");
        const bool html = g_mime_content_type_is_type(ct, "text", "html");
        auto& slot = plain ? body_.plain : body_.html;
        if ((!plain && !html) || slot) return;  // first of each kind wins
        auto* text_part = gobject_cast<GMimeTextPart>(obj, g_mime_text_part_get_type());
        if (text_part == nullptr || g_mime_part_get_content(part) == nullptr) return;
        // Decodes the transfer encoding and converts the declared charset to UTF-8.
        slot = str(gchar_ptr{g_mime_text_part_get_text(text_part)}.get());
    }

    void add_message_attachment(GMimeObject* obj, GMimeMessagePart* mp) {
        GMimeMessage* inner = g_mime_message_part_get_message(mp);
        match::attachment a;
        if (GMimeContentDisposition* d = g_mime_object_get_content_disposition(obj)) {
            a.name = str(g_mime_content_disposition_get_parameter(d, "filename"));
            a.is_inline = iequals(str(g_mime_content_disposition_get_disposition(d)), "inline");
        }
        if (a.name.empty() && inner != nullptr) a.name = str(g_mime_message_get_subject(inner));
        a.content_type = mime_type_of(obj);
        if (inner != nullptr) {
            a.size = count_bytes([&](GMimeStream* s) {
                g_mime_object_write_to_stream(&inner->parent_object, nullptr, s);
            });
        }
        m_.attachments.push_back(std::move(a));
    }

    match::message& m_;
    body_candidates body_;
};

// GMime 3 files the top-level Content-* fields under the message's MIME part,
// not the message; both lists carry stream offsets, which restore the order
// they were written in.
std::vector<std::pair<std::string, std::string>> headers_of(GMimeMessage* msg) {
    struct located {
        gint64 offset;
        GMimeHeader* header;
    };
    std::vector<located> all;
    GMimeObject* mime_part = g_mime_message_get_mime_part(msg);
    for (GMimeObject* obj : {&msg->parent_object, mime_part}) {
        GMimeHeaderList* list = obj == nullptr ? nullptr : g_mime_object_get_header_list(obj);
        const int n = list == nullptr ? 0 : g_mime_header_list_get_count(list);
        for (int i = 0; i < n; ++i) {
            GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
            all.push_back({g_mime_header_get_offset(h), h});
        }
    }
    std::stable_sort(all.begin(), all.end(), [](const located& a, const located& b) { return a.offset < b.offset; });
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(all.size());
    for (const auto& [offset, h] : all) {
        // get_value is unfolded and RFC 2047 decoded; raw_name keeps the case as written.
        out.emplace_back(str(g_mime_header_get_raw_name(h)), std::string{trimmed(str(g_mime_header_get_value(h)))});
    }
    return out;
}

}  // namespace

read_result parse_eml(std::string_view bytes) {
    if (trimmed(bytes).empty()) return read_error{"empty message"};
    init_gmime();
    gobject_ptr<GMimeStream> stream{g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size())};
    gobject_ptr<GMimeParser> parser{g_mime_parser_new_with_stream(stream.get())};
    gobject_ptr<GMimeMessage> msg{g_mime_parser_construct_message(parser.get(), nullptr)};
    if (!msg) return read_error{"not an RFC 5322 message: no header section found"};

    match::message m;
    m.headers = headers_of(msg.get());
    if (m.headers.empty()) return read_error{"not an RFC 5322 message: no header fields"};
    m.subject = str(g_mime_message_get_subject(msg.get()));
    if (auto from = addresses(msg.get(), GMIME_ADDRESS_TYPE_FROM); !from.empty()) m.from = std::move(from.front());
    m.to = addresses(msg.get(), GMIME_ADDRESS_TYPE_TO);
    m.cc = addresses(msg.get(), GMIME_ADDRESS_TYPE_CC);
    if (GDateTime* date = g_mime_message_get_date(msg.get()))
        m.received = std::chrono::sys_seconds{std::chrono::seconds{g_date_time_to_unix(date)}};
    m.importance_level = importance_of(m);
    m.categories = keywords_of(m);

    tree_walker walker{m};
    walker.walk(g_mime_message_get_mime_part(msg.get()), 0);
    m.body = std::move(walker).body();
    m.has_attachments = std::any_of(m.attachments.begin(), m.attachments.end(),
                                    [](const match::attachment& a) { return !a.is_inline; });
    return m;
}

}  // namespace ewstrigd::mail
