#pragma once
// Pure trigger evaluation: a compiled condition and a message in, a verdict
// with the regex captures out. `now` is a parameter so tests control time.

#include "match/condition.hpp"
#include "match/message.hpp"

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::match {

using captures = std::map<std::string, std::string>;

struct verdict {
    bool matched = false;
    // Named groups of the regexes that decided the match. In an `any`, the
    // first matching branch wins; captures under `not` are dropped.
    captures named;
};

// Never throws. Semantics per node (see condition.hpp):
// - all: every child holds (empty = true); any: some child holds (empty =
//   false); not: its one child does not hold.
// - Captures come only from the branches that decided a true verdict; when two
//   regexes define the same group name, the first one evaluated (document
//   order) keeps its value. A false verdict carries no captures.
// - received: every given part must hold; a message without a received time
//   never matches. `within` bounds |now - received| (clock skew either way).
//   The daily window is [day_start, day_end) in UTC minutes of day, wrapping
//   past midnight when day_end < day_start; day_start == day_end is an empty
//   window; only day_start means "until midnight", only day_end "from midnight".
// - has_attachments is true when the flag is set or any attachment is listed.
verdict evaluate(const condition& c, const message& m, std::chrono::system_clock::time_point now);

// Glob over the whole string: `*` any run (also empty), `?` one UTF-8 character
// (an invalid byte counts as one character). No escapes. Case folding is ASCII
// only unless case_sensitive. Worst case O(|pattern| * |text|), no recursion.
bool glob_match(std::string_view pattern, std::string_view text, bool case_sensitive = false);

// `needle` occurs in `text` (an empty needle always does); ASCII case folding.
bool contains_text(std::string_view text, std::string_view needle, bool case_sensitive = false);

// Whole-string equality; ASCII case folding.
bool equals_text(std::string_view a, std::string_view b, bool case_sensitive = false);

// Applies one text test. A regex searches anywhere in `text` (RE2 partial
// match; anchors in the pattern work) and carries its own case option. Only
// on a match are its named groups that took part added to `out` (when not
// null); existing entries are kept. A regex test without a compiled regex
// never matches.
bool test_text(const text_test& t, std::string_view text, captures* out);

// The named capture groups of every regex in the tree (under `not` too),
// sorted and unique: what `{{match.NAME}}` may refer to.
std::vector<std::string> capture_group_names(const condition& c);

}  // namespace ewstrigd::match
