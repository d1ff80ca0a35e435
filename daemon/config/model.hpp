#pragma once
// The typed configuration: plain structs with defaults as member initialisers.
// Built by config/loader.hpp from ewstrigd.yaml + triggers_dir/*.yaml.

#include "config/shared_setting.hpp"
#include "match/condition.hpp"
#include "match/template.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ewstrigd::config {

// A config file's name, shared by every position in that file: 10,000
// mailboxes and their triggers in one file keep one copy of it, not one per
// mailbox, trigger and action (issue 8).
class file_name {
public:
    file_name() = default;
    file_name(std::string name)  // NOLINT(google-explicit-constructor): positions are written {name, line, column}
        : name_(std::make_shared<const std::string>(std::move(name))) {}
    const std::string& str() const { return name_ ? *name_ : none(); }

private:
    static const std::string& none() {
        static const std::string empty;
        return empty;
    }
    std::shared_ptr<const std::string> name_;
};

// Where a value was written, for messages: FILE:LINE:COLUMN (1-based).
struct source_pos {
    file_name file;
    int line = 0;
    int column = 0;
};

// A value that must never be printed (passwords, client secrets, header
// values). Formatting it anywhere yields "<redacted>".
class secret {
public:
    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}
    const std::string& reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    bool operator==(const secret&) const = default;  // reload: did a password file change?
    static constexpr const char* redacted = "<redacted>";

private:
    std::string value_;
};

// A template plus whether any of its text came from `${file:...}` or
// `${env:...}`; such values are printed as "<redacted>" by every command.
struct templated {
    match::template_text text;
    bool sensitive = false;
};

enum class auth_kind { oauth_delegated, oauth_app, basic, ntlm };

struct auth_config {
    auth_kind kind = auth_kind::oauth_delegated;
    // OAuth (both kinds)
    std::string tenant_id;
    std::string client_id;
    std::string authority = "https://login.microsoftonline.com";
    std::string discovery_url;        // empty = {authority}/{tenant_id}/v2.0/.well-known/openid-configuration
    std::vector<std::string> scopes;  // empty = the kind's default scope
    // oauth-delegated
    std::string redirect_uri;         // empty = device code flow
    // oauth-app: a secret, or a certificate + private key
    secret client_secret;
    std::string certificate;          // PEM file path
    std::string private_key;          // PEM file path
    bool impersonation = true;
    // basic / ntlm
    std::string username;
    secret password;

    bool operator==(const auth_config&) const = default;
};

struct tls_config {
    bool verify = true;
    std::string ca_file;

    bool operator==(const tls_config&) const = default;
};

enum class watch_mode { streaming, pull, poll };
enum class start_mode { catch_up, new_only };

struct watch_config {
    std::vector<std::string> folders{"inbox"};
    watch_mode mode = watch_mode::streaming;
    std::chrono::seconds poll_interval{60};
    // Streaming: a GetStreamingEvents response that brings nothing, not even
    // a keep-alive, for this long is given up and reopened.
    std::chrono::seconds stream_idle_timeout{120};
    start_mode on_start = start_mode::catch_up;

    bool operator==(const watch_config&) const = default;
};

struct mailbox_config {
    std::string id;
    std::string address;
    std::string ews_url = "https://outlook.office365.com/EWS/Exchange.asmx";
    // Shared between mailboxes with equal values (shared_setting.hpp).
    shared_setting<auth_config> auth;
    shared_setting<tls_config> tls;
    shared_setting<watch_config> watch;
    source_pos pos;
};

// Whether a reload leaves this mailbox's connection as it is: every setting
// but the position in the file.
inline bool same_connection(const mailbox_config& a, const mailbox_config& b) {
    return a.id == b.id && a.address == b.address && a.ews_url == b.ews_url && a.auth == b.auth && a.tls == b.tls &&
           a.watch == b.watch;
}

struct run_action {
    std::vector<templated> argv;
    std::string cwd;
    std::map<std::string, templated> env;
};

struct webhook_action {
    templated url;
    std::string method = "POST";
    // Templates; a value that came from ${env:}/${file:} is sensitive, and
    // credential headers (Authorization, Cookie, ...) are never shown either.
    std::map<std::string, templated> headers;
    secret signing_secret;  // HMAC-SHA256 of the body (X-Ewstrigd-Signature) when set
};

struct save_action {
    std::string dir;
    templated name;  // file name within dir
    enum class format { eml, json, both };
    format what = format::eml;
    bool overwrite = false;
};

struct mark_read_action {
    bool read = true;
};

struct move_action {
    std::string folder;  // path like Inbox/Processed
    bool create = false;
};

struct log_action {
    templated message;
    std::string level = "info";
};

// ---- mail out (docs/actions.md "Mail out") -------------------------------

enum class body_type { text, html };

// Shared by reply, forward and send: what keeps two auto-responders from
// mailing each other forever.
struct mail_guard {
    // reply, reply_all: skip messages that are themselves automatic
    // (X-Ewstrigd-Event, Auto-Submitted other than "no",
    // X-Auto-Response-Suppress, Precedence bulk/junk/list). forward, send:
    // skip only mail some ewstrigd sent (actions/loop_guard.hpp says why).
    bool loop_protection = true;
    // At most `rate_limit` mails per action and address (a reply's
    // recipient, else the matched sender) within `rate_window`; 0 = no
    // limit. The default 5 holds for replies; forward and send have none
    // unless configured, as they go to recipients the admin chose.
    int rate_limit = 5;
    std::chrono::seconds rate_window{std::chrono::hours(1)};
};

// A recipient list entry: a literal address (checked at load) or a template
// (checked when it is expanded).
using recipient_list = std::vector<templated>;

struct reply_action {
    bool all = false;  // reply_all: the original's To and Cc too
    templated body;
    body_type type = body_type::text;
    bool keep_quote = true;  // the original quoted below the body
    std::string send_as;     // From address; empty = the mailbox
    mail_guard guard;
};

struct forward_action {
    recipient_list to, cc, bcc;
    templated comment;  // above the forwarded message; may be empty
    body_type type = body_type::text;
    mail_guard guard;
};

struct send_action {
    recipient_list to, cc, bcc;
    templated subject;
    templated body;
    body_type type = body_type::text;
    bool attach_original = false;   // the matched message as a .eml attachment
    std::vector<std::string> files;  // attached from disk
    // Name globs (match::glob_match): the matched message's file attachments
    // whose names match one of them are attached.
    std::vector<std::string> attachments;
    mail_guard guard;
};

struct action_config {
    std::variant<run_action, webhook_action, save_action, mark_read_action, move_action, log_action, reply_action,
                 forward_action, send_action>
        what;
    std::optional<std::chrono::milliseconds> timeout;  // default per action kind
    int retries = 5;
    source_pos pos;
};

struct trigger_config {
    std::string name;
    std::string mailbox;  // mailbox id
    std::string folder;   // empty = every watched folder of the mailbox
    match::condition when;
    std::vector<action_config> actions;
    source_pos pos;
};

struct log_config {
    std::string level = "info";   // trace|debug|info|warn|error|critical|off
    std::string format = "auto";  // auto|text|json|journal|journald (cli/log_setup.hpp)
};

struct metrics_config {
    std::string listen;  // host:port; empty = disabled
};

struct config {
    std::string main_file;
    std::vector<std::string> trigger_files;  // every file that was read, in order
    std::map<std::string, std::string> variables;
    std::string state_dir = "/var/lib/ewstrigd";
    std::string triggers_dir;  // absolute after loading
    log_config log;
    metrics_config metrics;
    std::vector<mailbox_config> mailboxes;
    std::vector<trigger_config> triggers;
};

}  // namespace ewstrigd::config
