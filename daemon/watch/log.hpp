#pragma once
// The watch module's logger ("watch"), created on first use with the
// default logger's sinks so `run`'s log setup (text or JSON) applies.

#include <spdlog/spdlog.h>

#include <memory>

namespace ewstrigd::watch {

std::shared_ptr<spdlog::logger> log();

}  // namespace ewstrigd::watch
