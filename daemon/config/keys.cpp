#include "config/keys.hpp"

#include <stdexcept>
#include <string>

namespace ewstrigd::config {

const std::vector<key_section>& key_sections() {
    static const std::vector<key_section> sections{
        {"root", {"variables", "state_dir", "triggers_dir", "log", "metrics", "mailboxes", "triggers"}},
        {"trigger_file", {"mailboxes", "triggers"}},
        {"log", {"level", "format"}},
        {"metrics", {"listen"}},
        {"mailbox", {"id", "address", "ews_url", "auth", "tls", "watch"}},
        {"auth",
         {"kind", "tenant_id", "client_id", "authority", "discovery_url", "scopes", "redirect_uri", "client_secret",
          "certificate", "private_key", "impersonation", "username", "password"}},
        {"tls", {"verify", "ca_file"}},
        {"watch", {"folders", "mode", "poll_interval", "stream_idle_timeout", "on_start"}},
        {"trigger", {"name", "mailbox", "folder", "when", "actions"}},
        {"condition",
         {"from", "to", "cc", "subject", "body", "has_attachments", "attachment_name", "attachment_size",
          "importance", "categories", "is_read", "received", "header", "folder", "all", "any", "not"}},
        {"text_test", {"glob", "contains", "equals", "regex", "case_sensitive"}},
        {"header_test", {"name", "glob", "contains", "equals", "regex", "case_sensitive"}},
        {"attachment_size", {"min", "max"}},
        {"received", {"after", "before", "within", "time_of_day"}},
        {"action",
         {"run", "webhook", "save", "mark_read", "move_to", "log", "reply", "reply_all", "forward", "send", "timeout",
          "retries", "cwd", "env"}},
        {"webhook", {"url", "method", "headers", "signing_secret"}},
        {"save", {"dir", "name", "format", "overwrite"}},
        {"move_to", {"folder", "create"}},
        {"log_action", {"message", "level"}},
        {"reply", {"body", "body_type", "keep_quote", "send_as", "loop_protection", "rate_limit", "rate_window"}},
        {"forward", {"to", "cc", "bcc", "comment", "body_type", "loop_protection", "rate_limit", "rate_window"}},
        {"send",
         {"to", "cc", "bcc", "subject", "body", "body_type", "attach_original", "files", "attachments",
          "loop_protection", "rate_limit", "rate_window"}},
    };
    return sections;
}

const std::vector<std::string_view>& keys_of(std::string_view section) {
    for (const auto& s : key_sections()) {
        if (s.name == section) return s.keys;
    }
    throw std::logic_error("no key section named " + std::string(section));
}

}  // namespace ewstrigd::config
