#include "watch/status.hpp"

namespace ewstrigd::watch {

std::string_view to_string(connection_state s) {
    switch (s) {
        case connection_state::connecting: return "connecting";
        case connection_state::connected: return "connected";
        case connection_state::backing_off: return "backing off";
        case connection_state::failed: return "failed";
        case connection_state::stopped: return "stopped";
    }
    return "unknown";
}

}  // namespace ewstrigd::watch
