#include "match/message.hpp"

#include "match/evaluate.hpp"

namespace ewstrigd::match {

const std::string* find_header(const message& m, std::string_view name) {
    for (const auto& [n, v] : m.headers) {
        if (equals_text(n, name)) return &v;
    }
    return nullptr;
}

}  // namespace ewstrigd::match
