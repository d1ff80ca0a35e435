#include "config/mail_out.hpp"

#include <algorithm>
#include <cctype>

namespace ewstrigd::config {
namespace {

// Reads the keys every mail-out action shares into `out`; false on an error.
class mail_reader {
public:
    mail_reader(yaml_reader& in, const YAML::Node& node, std::string_view what, const template_reader& read_template)
        : in_(in), node_(node), what_(what), read_template_(read_template) {}

    bool ok() const { return ok_; }

    void guard(mail_guard& out) {
        if (const YAML::Node n = node_["loop_protection"]; n.IsDefined()) {
            if (auto v = in_.boolean(n, key("loop_protection"))) out.loop_protection = *v;
            else ok_ = false;
        }
        if (const YAML::Node n = node_["rate_limit"]; n.IsDefined()) {
            if (auto v = in_.integer(n, key("rate_limit"), 0, 100000)) out.rate_limit = static_cast<int>(*v);
            else ok_ = false;
        }
        if (const YAML::Node n = node_["rate_window"]; n.IsDefined()) {
            auto v = in_.duration(n, key("rate_window"));
            if (v && *v < std::chrono::seconds(1)) {
                in_.error(n, key("rate_window") + ": must be at least 1s");
                v.reset();
            }
            if (v) out.rate_window = std::chrono::duration_cast<std::chrono::seconds>(*v);
            else ok_ = false;
        }
    }

    void type(body_type& out) {
        if (const YAML::Node n = node_["body_type"]; n.IsDefined()) {
            auto v = in_.choice(n, key("body_type"), {"text", "html"});
            if (v) out = *v == "html" ? body_type::html : body_type::text;
            else ok_ = false;
        }
    }

    void flag(std::string_view name, bool& out) {
        if (const YAML::Node n = node_[std::string(name)]; n.IsDefined()) {
            if (auto v = in_.boolean(n, key(name))) out = *v;
            else ok_ = false;
        }
    }

    void text(std::string_view name, templated& out, bool required) {
        const YAML::Node n = node_[std::string(name)];
        if (!n.IsDefined()) {
            if (required) ok_ = in_.required(node_, name, what_).has_value() && ok_;
            return;
        }
        if (auto v = read_template_(n, key(name))) out = std::move(*v);
        else ok_ = false;
    }

    // A recipient or a list of them; literal ones must be addresses.
    void recipients(std::string_view name, recipient_list& out) {
        const YAML::Node n = node_[std::string(name)];
        if (!n.IsDefined()) return;
        if (!n.IsScalar() && !in_.expect_sequence(n, key(name))) {
            ok_ = false;
            return;
        }
        const std::size_t count = n.IsScalar() ? 1 : n.size();
        for (std::size_t i = 0; i < count; ++i) {
            const YAML::Node entry = n.IsScalar() ? n : n[i];
            const std::string where = n.IsScalar() ? key(name) : path_index(key(name), i);
            auto v = read_template_(entry, where);
            if (!v) {
                ok_ = false;
                continue;
            }
            const auto& parts = v->text.parts;
            const bool literal = std::none_of(parts.begin(), parts.end(), [](const auto& p) { return p.is_placeholder; });
            if (literal && !is_mail_address(v->text.source)) {
                in_.error(entry, where + ": '" + v->text.source + "' is not a mail address like name@example.com");
                ok_ = false;
                continue;
            }
            out.push_back(std::move(*v));
        }
    }

    // to, cc and bcc, at least one of them.
    void addressees(recipient_list& to, recipient_list& cc, recipient_list& bcc) {
        recipients("to", to);
        recipients("cc", cc);
        recipients("bcc", bcc);
        if (ok_ && to.empty() && cc.empty() && bcc.empty()) fail("name at least one recipient (to, cc or bcc)");
    }

    void strings(std::string_view name, std::vector<std::string>& out) {
        if (const YAML::Node n = node_[std::string(name)]; n.IsDefined()) {
            if (auto v = in_.string_list(n, key(name))) out = std::move(*v);
            else ok_ = false;
        }
    }

    void fail(std::string message) {
        in_.error(node_, std::string(what_) + ": " + message);
        ok_ = false;
    }

private:
    std::string key(std::string_view name) const { return path_join(what_, name); }

    yaml_reader& in_;
    const YAML::Node& node_;
    std::string_view what_;
    const template_reader& read_template_;
    bool ok_ = true;
};

}  // namespace

bool is_mail_address(std::string_view text) {
    const auto at = text.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= text.size() || text.size() > 254) return false;
    const auto local = text.substr(0, at);
    const auto domain = text.substr(at + 1);
    const bool local_ok = std::all_of(local.begin(), local.end(), [](unsigned char c) {
        return c > 0x20 && c != 0x7f && std::string_view("@<>()[]\\,;:\"").find(static_cast<char>(c)) == std::string_view::npos;
    });
    const bool domain_ok = domain.front() != '.' && domain.back() != '.' && domain.find("..") == std::string_view::npos &&
                           std::all_of(domain.begin(), domain.end(), [](unsigned char c) {
                               return std::isalnum(c) || c == '-' || c == '.' || c >= 0x80;
                           });
    return local_ok && domain_ok;
}

std::optional<reply_action> read_reply(yaml_reader& in, const YAML::Node& node, std::string_view what, bool all,
                                       const template_reader& read_template) {
    reply_action reply;
    reply.all = all;
    if (node.IsScalar()) {  // shorthand: the body
        auto body = read_template(node, what);
        if (!body) return std::nullopt;
        reply.body = std::move(*body);
        return reply;
    }
    if (!in.expect_map(node, what)) return std::nullopt;
    in.check_keys(node, "reply", what);
    mail_reader r(in, node, what, read_template);
    r.text("body", reply.body, true);
    r.type(reply.type);
    r.flag("keep_quote", reply.keep_quote);
    r.guard(reply.guard);
    if (const YAML::Node n = node["send_as"]; n.IsDefined()) {
        const auto v = in.string(n, path_join(what, "send_as"));
        if (!v) return std::nullopt;
        if (!is_mail_address(*v)) {
            in.error(n, path_join(what, "send_as") + ": '" + *v + "' is not a mail address like name@example.com");
            return std::nullopt;
        }
        reply.send_as = *v;
    }
    if (!r.ok()) return std::nullopt;
    return reply;
}

std::optional<forward_action> read_forward(yaml_reader& in, const YAML::Node& node, std::string_view what,
                                           const template_reader& read_template) {
    if (!in.expect_map(node, what)) return std::nullopt;
    in.check_keys(node, "forward", what);
    forward_action fwd;
    mail_reader r(in, node, what, read_template);
    r.addressees(fwd.to, fwd.cc, fwd.bcc);
    r.text("comment", fwd.comment, false);
    r.type(fwd.type);
    fwd.guard.rate_limit = 0;  // passes mail on: no limit unless set (model.hpp)
    r.guard(fwd.guard);
    if (!r.ok()) return std::nullopt;
    return fwd;
}

std::optional<send_action> read_send(yaml_reader& in, const YAML::Node& node, std::string_view what,
                                     const template_reader& read_template) {
    if (!in.expect_map(node, what)) return std::nullopt;
    in.check_keys(node, "send", what);
    send_action send;
    mail_reader r(in, node, what, read_template);
    r.addressees(send.to, send.cc, send.bcc);
    r.text("subject", send.subject, true);
    r.text("body", send.body, true);
    r.type(send.type);
    r.flag("attach_original", send.attach_original);
    r.strings("files", send.files);
    r.strings("attachments", send.attachments);
    send.guard.rate_limit = 0;  // passes mail on: no limit unless set (model.hpp)
    r.guard(send.guard);
    for (const auto& f : send.files) {
        if (!f.starts_with('/')) r.fail("files: '" + f + "' must be an absolute path");
    }
    for (const auto& glob : send.attachments) {
        if (glob.empty()) r.fail("attachments: an empty name pattern matches no attachment (use \"*\" for all)");
    }
    if (!r.ok()) return std::nullopt;
    return send;
}

}  // namespace ewstrigd::config
