#pragma once
// Configuration errors with their place, reported all at once.

#include "config/model.hpp"

#include <string>
#include <vector>

namespace ewstrigd::config {

struct diagnostic {
    source_pos pos;
    std::string message;
};

// "FILE:LINE:COLUMN: message" (LINE/COLUMN omitted when unknown).
std::string format(const diagnostic& d);

// Collects errors in the order they were found.
class diagnostics {
public:
    void add(source_pos pos, std::string message);
    bool empty() const { return list_.empty(); }
    std::size_t size() const { return list_.size(); }
    const std::vector<diagnostic>& list() const { return list_; }

private:
    std::vector<diagnostic> list_;
};

}  // namespace ewstrigd::config
