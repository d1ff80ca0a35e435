#pragma once
// Framing of a GetStreamingEvents response body: one (de-chunked) HTTP body
// carrying several complete XML documents back to back (notification,
// keep-alive and Closed envelopes), usually only the first with an XML
// declaration (see shared/reference/ews-protocol.md §2.3).
//
// envelope_splitter is a pure, resumable state machine over the body bytes.
// feed() may be called with pieces split at any byte; it returns the text of
// every document completed by that piece, in order, each exactly as sent from
// its first non-whitespace byte (XML declaration, comments and processing
// instructions before the root included) to the '>' of its root end tag.
// Whitespace between documents is dropped.
//
// Boundaries come from a tokenizer that tracks element depth through
// comments, CDATA, processing instructions and quoted attribute values, so
// the root may have any name or prefix (`s:Envelope`, `Envelope` in a
// default namespace, ...). It checks only what framing needs: the root end
// tag must repeat the root start tag's name; well-formedness of the rest is
// left to the XML parser. A DOCTYPE is refused (EWS never sends one).
//
// Errors (the splitter then stays failed and returns the same error):
// - not_xml: non-whitespace text outside a root element, a malformed tag,
//   a DOCTYPE, or a mismatched root end tag (e.g. an HTML error page);
// - too_large: a document would exceed max_envelope_size bytes.
// On error, documents completed earlier in the same piece are discarded: the
// stream is broken anyway and the caller resynchronises.
//
// Cost: each byte is examined once; memory is bounded by max_envelope_size
// plus the piece being fed. Not thread-safe; one splitter per stream.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ewstrigd::ews {

struct splitter_error {
    enum class kind { not_xml, too_large };
    kind what = kind::not_xml;
    std::string message;
    std::size_t offset = 0;  // offset in the whole stream of the offending byte
};

class envelope_splitter {
public:
    static constexpr std::size_t default_max_envelope_size = std::size_t{4} << 20;  // 4 MiB

    explicit envelope_splitter(std::size_t max_envelope_size = default_max_envelope_size);

    std::variant<std::vector<std::string>, splitter_error> feed(std::string_view bytes);

    // True when no partial document is pending: at the end of the body this
    // means the stream was not cut off in the middle of an envelope.
    bool at_boundary() const { return !failed() && state_ == state::between && doc_len_ == 0; }
    bool failed() const { return error_.has_value(); }
    // Bytes of the pending partial document held since earlier feeds.
    std::size_t buffered() const { return pending_.size(); }

private:
    enum class state : std::uint8_t {
        bom, between, content, tag_open, bang, comment_open, cdata_open, comment, cdata, pi,
        start_name, in_tag, attr_value, tag_slash, end_name, end_tail,
    };

    // Advances the tokenizer over one byte; false (with error_ set) on error.
    bool step(char c);
    bool fail(splitter_error::kind what, std::string message);
    bool open_tag(char c);
    bool close_element();
    void leave_markup();
    void finish_document();

    std::size_t max_size_;
    state state_ = state::bom;
    std::size_t depth_ = 0;
    std::size_t doc_len_ = 0;   // bytes of the current document so far
    std::size_t stream_pos_ = 0;
    std::uint8_t match_ = 0;    // progress through "<!--" / "<![CDATA[" / "-->" / "]]>" / "?>" / the BOM
    char quote_ = 0;
    bool naming_ = false;       // collecting the name of a root start tag or depth-1 end tag
    std::string root_name_;
    std::string end_name_;
    std::string pending_;       // the current document's bytes from earlier feeds
    bool document_done_ = false;
    std::optional<splitter_error> error_;
};

}  // namespace ewstrigd::ews
