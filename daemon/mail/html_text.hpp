#pragma once
// HTML mail body -> the plain text a reader would see, for matching `body:`
// conditions. Not a renderer: it only has to keep the words and their order.
//
// - Tags are removed; the content of <script>, <style> and <title> is dropped
//   (to the end of input when the closing tag is missing), as are comments,
//   <!DOCTYPE>/<!...> and <?...?>.
// - Block-level tags (p, div, br, li, tr, h1-h6, ...) become a line break.
// - Named entities common in mail (&amp; &lt; &gt; &quot; &apos; &nbsp; and
//   typographic ones such as &mdash; &euro;) and numeric entities (&#233;
//   &#xE9;) are decoded to UTF-8; invalid code points become U+FFFD; unknown
//   entities and a bare '&' are kept as written.
// - Whitespace runs collapse to one space, or one '\n' if they contain a
//   line break; the result has no leading or trailing whitespace.
//
// Linear in the input size, no recursion; the output is at most as long as
// the input (plus one byte per entity shorter than its UTF-8 encoding, which
// none of the supported ones is). Bytes are passed through unchanged, so
// UTF-8 input stays UTF-8.

#include <string>
#include <string_view>

namespace ewstrigd::mail {

std::string html_to_text(std::string_view html);

}  // namespace ewstrigd::mail
