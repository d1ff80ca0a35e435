#pragma once
// Loading configs written into a scratch directory, with errors formatted
// as the admin sees them (paths relative to that directory).

#include "config/loader.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ewstrigd::testing {

// A minimal valid mailbox + trigger, for tests that break one thing.
inline const char* const basic_mailbox = R"(mailboxes:
  - id: invoices
    address: invoices@contoso.example
    auth: { kind: basic, username: svc, password: pw }
)";

struct config_dir {
    scratch_dir dir;

    // Writes ewstrigd.yaml (and returns load errors, paths made relative).
    std::vector<std::string> errors(const std::string& main_yaml) const {
        dir.write("ewstrigd.yaml", main_yaml);
        return relative(config::load_config(dir.path() / "ewstrigd.yaml").errors);
    }

    config::config load(const std::string& main_yaml) const {
        dir.write("ewstrigd.yaml", main_yaml);
        auto result = config::load_config(dir.path() / "ewstrigd.yaml");
        for (const auto& e : relative(result.errors)) ADD_FAILURE() << e;
        return result.cfg ? *result.cfg : config::config{};
    }

    std::vector<std::string> relative(const std::vector<config::diagnostic>& list) const {
        std::vector<std::string> out;
        const std::string prefix = dir.path().string() + "/";
        for (const auto& d : list) {
            std::string line = config::format(d);
            for (auto at = line.find(prefix); at != std::string::npos; at = line.find(prefix)) line.erase(at, prefix.size());
            out.push_back(line);
        }
        return out;
    }
};

}  // namespace ewstrigd::testing
