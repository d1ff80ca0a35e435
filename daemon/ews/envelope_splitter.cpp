#include "ews/envelope_splitter.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace ewstrigd::ews {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_name_start(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u == ':' || u >= 0x80;
}

// Bytes that can never appear inside a tag name; seeing one there means the
// input is not XML (or not what we can frame), so we stop instead of guessing.
bool breaks_name(char c) { return c == '<' || c == '"' || c == '\'' || c == '='; }

constexpr std::string_view cdata_open = "[CDATA[";
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace

envelope_splitter::envelope_splitter(std::size_t max_envelope_size) : max_size_(max_envelope_size) {}

bool envelope_splitter::fail(splitter_error::kind what, std::string message) {
    error_ = splitter_error{what, std::move(message), stream_pos_};
    pending_.clear();
    pending_.shrink_to_fit();
    return false;
}

void envelope_splitter::leave_markup() { state_ = depth_ == 0 ? state::between : state::content; }

bool envelope_splitter::open_tag(char c) {
    switch (c) {
    case '?': state_ = state::pi; match_ = 0; return true;
    case '!': state_ = state::bang; return true;
    case '/':
        if (depth_ == 0) return fail(splitter_error::kind::not_xml, "end tag outside any element");
        state_ = state::end_name;
        naming_ = depth_ == 1;  // only the root's end tag is compared
        end_name_.clear();
        return true;
    default:
        if (!is_name_start(c)) return fail(splitter_error::kind::not_xml, "malformed tag");
        state_ = state::start_name;
        naming_ = depth_ == 0;
        if (naming_) root_name_.assign(1, c);
        return true;
    }
}

bool envelope_splitter::close_element() {
    if (depth_ == 1 && end_name_ != root_name_)
        return fail(splitter_error::kind::not_xml, "root end tag </" + end_name_ + "> does not match <" + root_name_ + ">");
    --depth_;
    if (depth_ == 0) finish_document();
    else state_ = state::content;
    return true;
}

void envelope_splitter::finish_document() {
    state_ = state::between;
    doc_len_ = 0;
    root_name_.clear();
    document_done_ = true;
}

bool envelope_splitter::step(char c) {
    switch (state_) {
    case state::bom:
        // A UTF-8 byte order mark is tolerated at the very start of the stream only.
        if (c == utf8_bom[match_]) {
            if (++match_ == utf8_bom.size()) { state_ = state::between; match_ = 0; }
            return true;
        }
        if (match_ != 0) return fail(splitter_error::kind::not_xml, "truncated byte order mark");
        state_ = state::between;
        return step(c);
    case state::between:
        if (c == '<') { state_ = state::tag_open; return true; }
        if (is_space(c)) return true;
        return fail(splitter_error::kind::not_xml, "text outside the root element");
    case state::content:
        if (c == '<') state_ = state::tag_open;
        return true;
    case state::tag_open:
        return open_tag(c);
    case state::bang:
        if (c == '-') { state_ = state::comment_open; return true; }
        if (c == '[' && depth_ > 0) { state_ = state::cdata_open; match_ = 1; return true; }
        return fail(splitter_error::kind::not_xml, "DOCTYPE or unexpected markup declaration");
    case state::comment_open:
        if (c != '-') return fail(splitter_error::kind::not_xml, "malformed comment");
        state_ = state::comment;
        match_ = 0;
        return true;
    case state::cdata_open:
        if (c != cdata_open[match_]) return fail(splitter_error::kind::not_xml, "malformed CDATA section");
        if (++match_ == cdata_open.size()) { state_ = state::cdata; match_ = 0; }
        return true;
    case state::comment:
    case state::cdata: {
        const char dash = state_ == state::comment ? '-' : ']';
        if (c == dash) match_ = static_cast<std::uint8_t>(std::min(match_ + 1, 2));
        else if (c == '>' && match_ == 2) leave_markup();
        else match_ = 0;
        return true;
    }
    case state::pi:
        if (c == '>' && match_ == 1) leave_markup();
        else match_ = c == '?' ? 1 : 0;
        return true;
    case state::start_name:
        if (is_space(c)) { state_ = state::in_tag; return true; }
        if (c == '>') { ++depth_; state_ = state::content; return true; }
        if (c == '/') { state_ = state::tag_slash; return true; }
        if (breaks_name(c)) return fail(splitter_error::kind::not_xml, "malformed start tag");
        if (naming_) root_name_.push_back(c);
        return true;
    case state::in_tag:
        if (c == '"' || c == '\'') { quote_ = c; state_ = state::attr_value; return true; }
        if (c == '>') { ++depth_; state_ = state::content; return true; }
        if (c == '/') { state_ = state::tag_slash; return true; }
        if (c == '<') return fail(splitter_error::kind::not_xml, "'<' inside a tag");
        return true;
    case state::attr_value:
        if (c == quote_) state_ = state::in_tag;
        return true;
    case state::tag_slash:
        if (c != '>') return fail(splitter_error::kind::not_xml, "'/' not followed by '>' in a tag");
        if (depth_ == 0) finish_document();  // the root itself is an empty element
        else state_ = state::content;
        return true;
    case state::end_name:
        if (is_space(c)) { state_ = state::end_tail; return true; }
        if (c == '>') return close_element();
        if (breaks_name(c) || c == '/') return fail(splitter_error::kind::not_xml, "malformed end tag");
        if (naming_) end_name_.push_back(c);
        return true;
    case state::end_tail:
        if (c == '>') return close_element();
        if (is_space(c)) return true;
        return fail(splitter_error::kind::not_xml, "malformed end tag");
    }
    return true;
}

std::variant<std::vector<std::string>, splitter_error> envelope_splitter::feed(std::string_view bytes) {
    if (error_) return *error_;
    std::vector<std::string> done;
    std::size_t begin = 0;  // where the current document's bytes start within `bytes`
    for (std::size_t i = 0; i < bytes.size();) {
        if (state_ == state::content || state_ == state::attr_value) {
            // Character data and attribute values (ItemIds: long base64) are
            // most of an envelope: jump to the byte that ends them.
            const char stop = state_ == state::content ? '<' : quote_;
            const void* end = std::memchr(bytes.data() + i, stop, bytes.size() - i);
            const std::size_t next = end == nullptr ? bytes.size() : static_cast<std::size_t>(static_cast<const char*>(end) - bytes.data());
            doc_len_ += next - i;
            stream_pos_ += next - i;
            i = next;
            if (doc_len_ > max_size_) break;
            if (i == bytes.size()) break;
        }
        const bool starting = doc_len_ == 0 && (state_ == state::between || state_ == state::bom) && bytes[i] == '<';
        if (starting) begin = i;
        if (doc_len_ > 0 || starting) ++doc_len_;
        if (doc_len_ > max_size_) break;
        if (!step(bytes[i])) return *error_;
        ++stream_pos_;
        ++i;
        if (document_done_) {
            document_done_ = false;
            pending_.append(bytes.substr(begin, i - begin));
            done.push_back(std::exchange(pending_, {}));
        }
    }
    if (doc_len_ > max_size_) {
        fail(splitter_error::kind::too_large, "envelope larger than " + std::to_string(max_size_) + " bytes");
        return *error_;
    }
    if (doc_len_ > 0) pending_.append(bytes.substr(begin));
    return done;
}

}  // namespace ewstrigd::ews
