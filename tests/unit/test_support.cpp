#include "test_support.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ewstrigd::testing {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string read_test_data(const std::string& name) {
    return read_file(std::filesystem::path(EWSTRIGD_TEST_DATA) / name);
}

std::string read_reference(const std::string& path) {
    return read_file(std::filesystem::path(EWSTRIGD_SHARED_REFERENCE) / path);
}

scratch_dir::scratch_dir() {
    std::random_device rd;
    for (;;) {
        auto candidate = std::filesystem::temp_directory_path() /
                         ("ewstrigd-test-" + std::to_string(rd()));
        if (std::filesystem::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
}

scratch_dir::~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path scratch_dir::write(const std::string& relative, const std::string& text) const {
    auto p = path_ / relative;
    write_file(p, text);
    return p;
}

}  // namespace ewstrigd::testing
