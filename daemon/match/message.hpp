#pragma once
// The mail summary triggers are evaluated against. Filled from an .eml file,
// an EWS GetItem response, or (later) the watch loop. Plain data, no I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::match {

struct mail_address {
    std::string name;   // display name, may be empty
    std::string email;  // addr-spec, may be empty for odd headers
};

struct attachment {
    std::string name;
    std::uint64_t size = 0;  // bytes (decoded content)
    std::string content_type;
    bool is_inline = false;
};

enum class importance { low, normal, high };

struct message {
    std::string item_id;      // EWS ItemId, empty for .eml files
    std::string subject;
    mail_address from;
    std::vector<mail_address> to;
    std::vector<mail_address> cc;
    std::string body;         // plain text; HTML bodies reduced to text
    std::vector<attachment> attachments;
    bool has_attachments = false;
    importance importance_level = importance::normal;
    std::vector<std::string> categories;
    bool is_read = false;
    std::optional<std::chrono::sys_seconds> received;
    // Internet headers in order; names as written (compare case-insensitively).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string folder;       // folder the message is in, e.g. "inbox"
};

// The value of the first header called `name` (ASCII case-insensitive), or null.
const std::string* find_header(const message& m, std::string_view name);

}  // namespace ewstrigd::match
