// libFuzzer target: arbitrary bytes through both saved-message parsers. Any
// crash, sanitizer report or leak is a bug; errors are expected results.

#include "mail/message_file.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // libFuzzer hands out bytes; the parsers take text views of the same bytes.
    const std::string_view bytes{reinterpret_cast<const char*>(data), size};
    (void)ewstrigd::mail::parse_eml(bytes);
    (void)ewstrigd::mail::parse_ews_get_item(bytes);
    return 0;
}
