#include "watch/plan.hpp"

#include "actions/payload.hpp"
#include "match/evaluate.hpp"
#include "match/template.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <variant>

namespace ewstrigd::watch {
namespace {

void add_condition_fields(const match::condition& c, source::message_fields& f) {
    std::visit(
        [&f](const auto& node) {
            using T = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<T, match::combinator>) {
                for (const auto& child : node.children) add_condition_fields(child, f);
            } else if constexpr (std::is_same_v<T, match::text_condition>) {
                if (node.field == match::text_field::body) f.body = true;
            } else if constexpr (std::is_same_v<T, match::header_condition>) {
                f.internet_headers = true;
            } else if constexpr (std::is_same_v<T, match::attachment_name_condition> ||
                                 std::is_same_v<T, match::attachment_size_condition>) {
                f.attachments = true;
            } else if constexpr (std::is_same_v<T, match::categories_condition>) {
                f.categories = true;
            }
        },
        c.node);
}

void add_template_fields(const config::templated& t, source::message_fields& f) {
    for (const auto& name : match::placeholder_names(t.text)) {
        if (name == "attachments") f.attachments = true;
    }
}

void add_action_fields(const config::action_config& a, source::message_fields& f) {
    std::visit(
        [&f](const auto& action) {
            using T = std::decay_t<decltype(action)>;
            if constexpr (std::is_same_v<T, config::run_action>) {
                for (const auto& arg : action.argv) add_template_fields(arg, f);
                for (const auto& [name, value] : action.env) add_template_fields(value, f);
            } else if constexpr (std::is_same_v<T, config::webhook_action>) {
                f.body = true;
                f.attachments = true;
            } else if constexpr (std::is_same_v<T, config::save_action>) {
                add_template_fields(action.name, f);
            } else if constexpr (std::is_same_v<T, config::log_action>) {
                add_template_fields(action.message, f);
            } else if constexpr (std::is_same_v<T, config::reply_action>) {
                f.internet_headers = true;  // loop protection; Message-ID and Reply-To for the answer
                if (action.keep_quote) f.body = true;
                add_template_fields(action.body, f);
            } else if constexpr (std::is_same_v<T, config::forward_action>) {
                f.internet_headers = true;  // loop protection
                f.body = true;              // the forwarded text
                add_template_fields(action.comment, f);
                for (const auto* list : {&action.to, &action.cc, &action.bcc})
                    for (const auto& r : *list) add_template_fields(r, f);
            } else if constexpr (std::is_same_v<T, config::send_action>) {
                f.internet_headers = true;  // loop protection
                add_template_fields(action.subject, f);
                add_template_fields(action.body, f);
                for (const auto* list : {&action.to, &action.cc, &action.bcc})
                    for (const auto& r : *list) add_template_fields(r, f);
            }
        },
        a.what);
}

// SHA256() looks the algorithm up in OpenSSL 3's provider store on every call; in the scale bench
// that lookup was 3 % of the daemon's CPU per mail (one event id per item). Fetched once instead.
// The first fetch registers OpenSSL's own exit-time cleanup before this static is constructed, so
// the static's destructor runs first.
const EVP_MD* sha256() {
    static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> fetched{EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                                                        &EVP_MD_free};
    return fetched ? fetched.get() : EVP_sha256();  // a failed fetch: the per-call lookup still works
}

}  // namespace

trigger_list triggers_of(const config::config& cfg, std::string_view mailbox) {
    trigger_list out;
    for (const auto& t : cfg.triggers) {
        if (t.mailbox == mailbox) out.push_back(&t);
    }
    return out;
}

bool applies_to(const config::trigger_config& t, std::string_view folder) {
    return t.folder.empty() || match::equals_text(t.folder, folder);
}

source::message_fields fields_needed(const trigger_list& triggers, std::string_view folder) {
    source::message_fields f;
    for (const auto* t : triggers) {
        if (!applies_to(*t, folder)) continue;
        add_condition_fields(t->when, f);
        for (const auto& a : t->actions) add_action_fields(a, f);
    }
    return f;
}

std::string event_id_of(std::string_view mailbox, std::string_view folder, std::string_view item_id) {
    std::string input;
    input.reserve(mailbox.size() + folder.size() + item_id.size() + 2);
    input.append(mailbox).push_back('\0');
    input.append(folder).push_back('\0');
    input.append(item_id);
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    if (EVP_Digest(input.data(), input.size(), digest.data(), nullptr, sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed while naming an event");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < 16; ++i) {  // 128 bits: plenty for deduplication
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    return out;
}

state::new_item plan_item(const trigger_list& triggers, std::string_view mailbox, std::string_view folder,
                          const match::message& msg, std::chrono::system_clock::time_point now) {
    state::new_item item{msg.item_id, event_id_of(mailbox, folder, msg.item_id), {}};
    for (const auto* trigger : triggers) {
        const auto& t = *trigger;
        if (!applies_to(t, folder)) continue;
        auto verdict = match::evaluate(t.when, msg, now);
        if (!verdict.matched) continue;
        const std::string payload = actions::encode_payload({msg, verdict.named});
        for (std::size_t i = 0; i < t.actions.size(); ++i) {
            item.actions.push_back({t.name, static_cast<int>(i), payload, 1 + std::max(0, t.actions[i].retries)});
        }
    }
    return item;
}

}  // namespace ewstrigd::watch
