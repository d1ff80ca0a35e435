#pragma once
// A module's own spdlog logger ("source", "actions", ...). Header-only, so
// util/ itself needs no spdlog; every module that logs links it anyway.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace ewstrigd::util {

// The registered logger `name`, made on first use as a clone of the default
// logger (its sinks, format and level). Registered, so spdlog::set_level -
// a reload's new log level - reaches it like every other logger. Call after
// the log setup (cli/log_setup.hpp), on the loop's thread.
inline std::shared_ptr<spdlog::logger> named_logger(const std::string& name) {
    if (auto existing = spdlog::get(name)) return existing;
    auto made = spdlog::default_logger()->clone(name);
    spdlog::register_logger(made);
    return made;
}

}  // namespace ewstrigd::util
