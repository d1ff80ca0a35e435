#include "mail/message_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ewstrigd::mail {
namespace {

// An RFC 5322 message starts with a header field name, never with '<'; so
// '<' after an optional UTF-8 BOM and blanks means XML.
bool looks_like_xml(std::string_view bytes) {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    const auto first = bytes.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && bytes[first] == '<';
}

}  // namespace

read_result read_message_file(const std::filesystem::path& file) {
    const auto cannot_read = [&](const std::string& why) { return read_error{"cannot read " + file.string() + ": " + why}; };
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) return cannot_read("is a directory");
    std::ifstream in{file, std::ios::binary};
    if (!in) return cannot_read(std::strerror(errno));
    const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (in.bad()) return cannot_read(std::strerror(errno));
    read_result r = looks_like_xml(text) ? parse_ews_get_item(text) : parse_eml(text);
    if (auto* err = std::get_if<read_error>(&r)) err->message = file.string() + ": " + err->message;
    return r;
}

}  // namespace ewstrigd::mail
