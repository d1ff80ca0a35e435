#include "watch/log.hpp"

namespace ewstrigd::watch {

std::shared_ptr<spdlog::logger> log() {
    if (auto existing = spdlog::get("watch")) return existing;
    auto base = spdlog::default_logger();
    auto made = std::make_shared<spdlog::logger>("watch", base->sinks().begin(), base->sinks().end());
    made->set_level(base->level());
    spdlog::register_logger(made);
    return made;
}

}  // namespace ewstrigd::watch
