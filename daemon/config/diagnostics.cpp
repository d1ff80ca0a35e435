#include "config/diagnostics.hpp"

namespace ewstrigd::config {

std::string format(const diagnostic& d) {
    std::string out = d.pos.file.str();
    if (d.pos.line > 0) {
        out += ':' + std::to_string(d.pos.line);
        if (d.pos.column > 0) out += ':' + std::to_string(d.pos.column);
    }
    out += ": ";
    out += d.message;
    return out;
}

void diagnostics::add(source_pos pos, std::string message) {
    list_.push_back({std::move(pos), std::move(message)});
}

}  // namespace ewstrigd::config
