// libFuzzer target: arbitrary bytes as ewstrigd.yaml. The loader must answer
// with a config or with errors, never crash, hang or blow up memory.
#include "config/loader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The directory does not exist, so no triggers.d is read from the host.
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto result = ewstrigd::config::load_config_text(text, "/nonexistent-ewstrigd-fuzz/ewstrigd.yaml");
    // Either outcome is fine; both at once is a loader bug.
    if (result.cfg.has_value() == !result.errors.empty()) __builtin_trap();
    return 0;
}
