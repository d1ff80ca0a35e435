#include "cli/config_errors.hpp"

#include "cli/exit_codes.hpp"

#include <ostream>

namespace ewstrigd::cli {

int report_config_errors(const std::vector<config::diagnostic>& errors, std::ostream& err) {
    for (const auto& e : errors) err << config::format(e) << '\n';
    err << "ewstrigd: " << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in the configuration\n";
    return exit_code::invalid_config;
}

}  // namespace ewstrigd::cli
