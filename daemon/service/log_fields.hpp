#pragma once
// The context of a log line. Modules write it as leading `key=value` words,
// "mailbox=invoices trigger=erp event=AAMk... run stdout: ok"; this reads
// them back so structured sinks (service/journal_sink.hpp) can carry them as
// fields instead of making a reader parse the text.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ewstrigd::service {

// The leading `key=value` words of `message`, in order, up to the first word
// that is not one (keys: letters, digits, '_'; values: anything but spaces).
std::vector<std::pair<std::string_view, std::string_view>> leading_log_fields(std::string_view message);

}  // namespace ewstrigd::service
