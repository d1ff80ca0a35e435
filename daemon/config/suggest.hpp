#pragma once
// "Did you mean" for misspelt keys and names.

#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::config {

// The candidate closest to `word` by edit distance, if close enough to be a
// plausible typo (at most 2 edits, and fewer than half the word); else "".
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

// " (did you mean 'x'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace ewstrigd::config
