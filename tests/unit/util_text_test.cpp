// util/text: header values and list items are compared without their blanks.
#include "util/text.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::util {
namespace {

TEST(util_text, trimmed_drops_blanks_at_both_ends_only) {
    EXPECT_EQ(trimmed(" \tauto-replied; x = y \r\n"), "auto-replied; x = y");
    EXPECT_EQ(trimmed("a"), "a");
    EXPECT_EQ(trimmed(" \t\r\n"), "");
    EXPECT_EQ(trimmed(""), "");
}

}  // namespace
}  // namespace ewstrigd::util
