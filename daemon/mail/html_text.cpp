#include "mail/html_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace ewstrigd::mail {
namespace {

constexpr char32_t replacement_char = 0xFFFD;
constexpr char32_t nbsp = 0xA0;
constexpr char32_t soft_hyphen = 0xAD;

// Named entities seen in real mail (HTML 5 named character references,
// https://html.spec.whatwg.org/multipage/named-characters.html); the full
// table of 2000+ names is not worth carrying for matching purposes.
constexpr std::array<std::pair<std::string_view, char32_t>, 49> named_entities{{
    {"amp", 0x26},     {"lt", 0x3C},      {"gt", 0x3E},      {"quot", 0x22},    {"apos", 0x27},
    {"nbsp", 0xA0},    {"shy", 0xAD},     {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E}, {"laquo", 0xAB},
    {"raquo", 0xBB},   {"bull", 0x2022},  {"middot", 0xB7},  {"euro", 0x20AC},  {"pound", 0xA3},
    {"yen", 0xA5},     {"cent", 0xA2},    {"sect", 0xA7},    {"deg", 0xB0},     {"plusmn", 0xB1},
    {"times", 0xD7},   {"divide", 0xF7},  {"auml", 0xE4},    {"ouml", 0xF6},    {"uuml", 0xFC},
    {"Auml", 0xC4},    {"Ouml", 0xD6},    {"Uuml", 0xDC},    {"szlig", 0xDF},   {"eacute", 0xE9},
    {"egrave", 0xE8},  {"ecirc", 0xEA},   {"Eacute", 0xC9},  {"agrave", 0xE0},  {"aacute", 0xE1},
    {"ccedil", 0xE7},  {"ntilde", 0xF1},  {"oacute", 0xF3},  {"uacute", 0xFA},
}};

// Elements whose start or end tag breaks the line when rendered.
constexpr std::array<std::string_view, 30> block_tags{
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "ol", "p", "pre", "section", "table", "tbody", "thead", "tr", "ul", "center"};

// Raw-text elements whose content is never shown as body text.
constexpr std::array<std::string_view, 3> hidden_tags{"script", "style", "title"};

constexpr std::size_t max_entity_length = 32;
constexpr std::size_t max_tag_name_length = 16;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Collapses whitespace while appending; separators are emitted lazily so that
// the output never starts or ends with one.
class text_sink {
public:
    void put(char c) {
        if (is_space(c)) {
            pending_ = std::max(pending_, gap::space);
            return;
        }
        flush();
        out_ += c;
    }

    void put(char32_t cp) {
        if (cp == nbsp) return put(' ');
        if (cp == soft_hyphen) return;  // invisible; would split words matched by body conditions
        if (cp < 0x80) return put(static_cast<char>(cp));
        flush();
        if (cp < 0x800) {
            out_ += static_cast<char>(0xC0 | (cp >> 6));
        } else {
            if (cp < 0x10000) {
                out_ += static_cast<char>(0xE0 | (cp >> 12));
            } else {
                out_ += static_cast<char>(0xF0 | (cp >> 18));
                out_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            }
            out_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        }
        out_ += static_cast<char>(0x80 | (cp & 0x3F));
    }

    void line_break() { pending_ = gap::newline; }
    std::string take() && { return std::move(out_); }

private:
    enum class gap { none, space, newline };

    void flush() {
        if (pending_ != gap::none && !out_.empty()) out_ += pending_ == gap::newline ? '\n' : ' ';
        pending_ = gap::none;
    }

    std::string out_;
    gap pending_ = gap::none;
};

// Decodes the entity starting at html[i] == '&'. Returns the code point and
// the length consumed, or length 0 when it is not a (known) entity.
std::pair<char32_t, std::size_t> decode_entity(std::string_view html, std::size_t i) {
    // Bounded look-ahead keeps a run of bare '&' linear.
    const std::string_view window = html.substr(i + 1, max_entity_length);
    const std::size_t semi = window.find(';');
    if (semi == std::string_view::npos) return {0, 0};
    const std::string_view body = window.substr(0, semi);
    const std::size_t length = semi + 2;
    if (body.size() >= 2 && body[0] == '#') {
        const bool hex = body[1] == 'x' || body[1] == 'X';
        const std::string_view digits = body.substr(hex ? 2 : 1);
        if (digits.empty()) return {0, 0};
        std::uint32_t cp = 0;
        for (const char c : digits) {
            std::uint32_t d = 0;
            if (c >= '0' && c <= '9') d = static_cast<std::uint32_t>(c - '0');
            else if (hex && to_lower(c) >= 'a' && to_lower(c) <= 'f') d = static_cast<std::uint32_t>(to_lower(c) - 'a' + 10);
            else return {0, 0};
            cp = std::min<std::uint32_t>(cp * (hex ? 16 : 10) + d, 0x110000);  // saturate, no overflow
        }
        const bool valid = cp != 0 && cp < 0x110000 && (cp < 0xD800 || cp > 0xDFFF);
        return {valid ? static_cast<char32_t>(cp) : replacement_char, length};
    }
    for (const auto& [name, cp] : named_entities) {
        if (name == body) return {cp, length};
    }
    return {0, 0};
}

// Position just past the first `</name` (case-insensitive) at or after `from`
// and its closing '>', or html.size() when there is none.
std::size_t skip_raw_text(std::string_view html, std::size_t from, std::string_view name) {
    for (std::size_t i = html.find("</", from); i != std::string_view::npos; i = html.find("</", i + 2)) {
        const std::string_view candidate = html.substr(i + 2, name.size());
        const bool same = candidate.size() == name.size() &&
                          std::equal(name.begin(), name.end(), candidate.begin(),
                                     [](char a, char b) { return a == to_lower(b); });
        if (!same) continue;
        const std::size_t close = html.find('>', i);
        return close == std::string_view::npos ? html.size() : close + 1;
    }
    return html.size();
}

// Position just past the '>' closing the tag that starts at `from`, honouring
// quoted attribute values, or html.size().
std::size_t skip_tag(std::string_view html, std::size_t from) {
    char quote = 0;
    for (std::size_t i = from; i < html.size(); ++i) {
        const char c = html[i];
        if (quote != 0) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return html.size();
}

}  // namespace

std::string html_to_text(std::string_view html) {
    text_sink sink;
    std::size_t i = 0;
    while (i < html.size()) {
        const char c = html[i];
        if (c == '&') {
            const auto [cp, length] = decode_entity(html, i);
            if (length == 0) {
                sink.put(c);
                ++i;
            } else {
                sink.put(cp);
                i += length;
            }
            continue;
        }
        const char next = i + 1 < html.size() ? html[i + 1] : '\0';
        const bool end_tag = next == '/';
        const char name_start = end_tag && i + 2 < html.size() ? html[i + 2] : next;
        if (c != '<' || !(is_alpha(name_start) || next == '!' || next == '?')) {
            sink.put(c);
            ++i;
            continue;
        }
        if (html.substr(i).starts_with("<!--")) {
            const std::size_t end = html.find("-->", i + 4);
            i = end == std::string_view::npos ? html.size() : end + 3;
            continue;
        }
        if (next == '!' || next == '?') {
            i = skip_tag(html, i + 2);
            continue;
        }
        std::size_t n = i + (end_tag ? 2 : 1);
        std::string name;
        for (; n < html.size() && is_alnum(html[n]); ++n) {
            if (name.size() < max_tag_name_length) name += to_lower(html[n]);
        }
        i = skip_tag(html, n);
        if (contains(block_tags, name)) sink.line_break();
        else if (name == "td" || name == "th") sink.put(' ');
        if (!end_tag && contains(hidden_tags, name)) i = skip_raw_text(html, i, name);
    }
    return std::move(sink).take();
}

}  // namespace ewstrigd::mail
