#include "outgoing_mail.hpp"

#include "ascii.hpp"

#include <algorithm>

namespace ewstrigd::sim {
namespace {

// Enough recent outgoing mail for any test; older entries are dropped.
constexpr std::size_t max_sent_records = 10000;

std::string_view domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

// The simulator mailbox of `address`, or nullptr for an outside recipient.
mailbox* local_mailbox(store& st, std::string_view address) {
    if (auto* mb = st.find_mailbox(address)) return mb;
    const auto domain = ascii_lower(domain_of(address));
    if (domain.empty()) return nullptr;
    for (const auto& [key, mb] : st.mailboxes()) {
        if (domain_of(key) == domain) return &st.open_mailbox(address);
    }
    return nullptr;
}

// "<sent.N.mailbox-local-part@domain>", unique for the sender within this run.
std::string fresh_message_id(const mailbox& sender, std::uint64_t n) {
    const auto at = sender.address.find('@');
    return "<sent." + std::to_string(n) + "." + sender.address.substr(0, at) + "@" +
           std::string(domain_of(sender.address)) + ">";
}

}  // namespace

std::optional<message_disposition> parse_disposition(std::string_view text) {
    if (text == "SaveOnly") return message_disposition::save_only;
    if (text == "SendOnly") return message_disposition::send_only;
    if (text == "SendAndSaveCopy") return message_disposition::send_and_save_copy;
    return std::nullopt;
}

bool has_valid_recipients(const message& m) {
    if (m.to.empty() && m.cc.empty() && m.bcc.empty()) return false;
    for (const auto* list : {&m.to, &m.cc, &m.bcc}) {
        for (const auto& a : *list) {
            const auto at = a.email.find('@');
            if (at == std::string::npos || at == 0 || at + 1 == a.email.size()) return false;
        }
    }
    return true;
}

const stored_item* send_message(store& st, mailbox& sender, message m, std::string_view copy_folder_id,
                                time_point now) {
    m.is_draft = false;
    m.internet_message_id = fresh_message_id(sender, ++sender.sent_total);
    sent_mail record{m, now, {}, {}};

    message delivered = m;
    delivered.bcc.clear();
    std::vector<std::string> seen;
    for (const auto* list : {&m.to, &m.cc, &m.bcc}) {
        for (const auto& rcpt : *list) {
            const auto address = ascii_lower(rcpt.email);
            if (std::find(seen.begin(), seen.end(), address) != seen.end()) continue;
            seen.push_back(address);
            auto* mb = local_mailbox(st, address);
            if (!mb) {
                record.external.push_back(address);
                continue;
            }
            st.deliver(*mb, mb->find_folder_by_name("inbox")->id, delivered, now);
            record.delivered_to.push_back(address);
        }
    }
    // Mailboxes live in a std::map: creating recipients above left `sender` in place.
    sender.sent.push_back(std::move(record));
    if (sender.sent.size() > max_sent_records) sender.sent.pop_front();
    if (copy_folder_id.empty()) return nullptr;
    return &st.deliver(sender, copy_folder_id, std::move(m), now, store::arrival::own_copy);
}

}  // namespace ewstrigd::sim
