#include "watch/log.hpp"

#include "util/named_logger.hpp"

namespace ewstrigd::watch {

std::shared_ptr<spdlog::logger> log() { return util::named_logger("watch"); }

}  // namespace ewstrigd::watch
