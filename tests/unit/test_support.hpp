#pragma once
// Helpers shared by the unit tests: test data files and scratch directories.

#include <filesystem>
#include <string>

namespace ewstrigd::testing {

// Contents of tests/data/NAME; fails the test (throws) when unreadable.
std::string read_test_data(const std::string& name);

// Contents of ../shared/reference/PATH (real EWS samples; see SOURCES.md there).
std::string read_reference(const std::string& path);

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& text);

// A fresh directory under the system temp dir, removed with the object.
class scratch_dir {
public:
    scratch_dir();
    ~scratch_dir();
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to path()/relative (creating parents) and returns the full path.
    std::filesystem::path write(const std::string& relative, const std::string& text) const;

private:
    std::filesystem::path path_;
};

}  // namespace ewstrigd::testing
