// libFuzzer target: arbitrary bytes as a GetStreamingEvents body, split into
// two feeds at a point chosen by the first input byte, through
// envelope_splitter, and every envelope it yields through the XML parser and
// every operation's response parser. Any crash, hang, sanitizer report or leak is a
// bug; errors are expected results.
//   ./build/fuzz-ews/tests/fuzz/fuzz_ews_stream -max_total_time=180 corpus/ tests/data/ews

#include "ews/envelope_splitter.hpp"
#include "ews/notifications.hpp"
#include "ews/items.hpp"
#include "ews/response.hpp"
#include "ews/subscribe.hpp"
#include "ews/sync.hpp"
#include "ews/xml.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

void parse_envelopes(const std::vector<std::string>& envelopes) {
    for (const auto& text : envelopes) {
        (void)ewstrigd::ews::document::parse(text);
        auto r = ewstrigd::ews::response::parse(text);
        const auto* resp = std::get_if<ewstrigd::ews::response>(&r);
        if (resp == nullptr) continue;
        // Every operation parser must cope with any well-formed response.
        (void)ewstrigd::ews::parse_events(*resp);
        (void)ewstrigd::ews::parse_subscribe(*resp);
        (void)ewstrigd::ews::parse_sync_folder_items(*resp);
        (void)ewstrigd::ews::parse_items(*resp);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // libFuzzer hands out bytes; the splitter takes a text view of the same bytes.
    const std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
    // The seeds are plain XML files, so their first byte ('<') picks the split.
    const std::size_t split = data[0] % (input.size() + 1);
    // A small limit lets the fuzzer reach the too_large path.
    ewstrigd::ews::envelope_splitter splitter(data[0] & 1 ? 4096 : ewstrigd::ews::envelope_splitter::default_max_envelope_size);
    for (const auto piece : {input.substr(0, split), input.substr(split)}) {
        auto r = splitter.feed(piece);
        const auto* envelopes = std::get_if<std::vector<std::string>>(&r);
        if (envelopes == nullptr) break;
        parse_envelopes(*envelopes);
    }
    return 0;
}
