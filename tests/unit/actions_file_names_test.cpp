#include "actions/file_names.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::actions {
namespace {

using format = config::save_action::format;

TEST(actions_file_names, path_separators_and_control_characters_become_underscores) {
    EXPECT_EQ(sanitise_file_name("a/b\\c"), "a_b_c");
    EXPECT_EQ(sanitise_file_name("../../etc/passwd"), "_._.._etc_passwd");
    EXPECT_EQ(sanitise_file_name("line\nbreak\ttab\x7f"), "line_break_tab_");
    EXPECT_EQ(sanitise_file_name(std::string("nul\0x", 5)), "nul_x");
}

TEST(actions_file_names, never_a_dot_name_or_empty) {
    EXPECT_EQ(sanitise_file_name(""), "_");
    EXPECT_EQ(sanitise_file_name("."), "_");
    EXPECT_EQ(sanitise_file_name(".."), "_.");
    EXPECT_EQ(sanitise_file_name(".hidden"), "_hidden");
    for (const char* evil : {"..", ".", "/", "../x", "a/../../b"}) {
        const auto s = sanitise_file_name(evil);
        EXPECT_EQ(s.find('/'), std::string::npos) << evil;
        EXPECT_NE(s, "..") << evil;
        EXPECT_NE(s, ".") << evil;
    }
}

TEST(actions_file_names, keeps_unicode_and_cuts_long_names_on_a_character_boundary) {
    EXPECT_EQ(sanitise_file_name("Rechnung Grüße 日本.eml"), "Rechnung Grüße 日本.eml");
    std::string long_name;
    for (int i = 0; i < 150; ++i) long_name += "ü";  // 300 bytes
    const auto s = sanitise_file_name(long_name);
    EXPECT_LE(s.size(), 200u);
    EXPECT_EQ(s.size() % 2, 0u) << "cut inside a two-byte character";
}

TEST(actions_file_names, extensions_per_format) {
    EXPECT_EQ(save_file_names("4711.eml", format::eml).eml, "4711.eml");
    EXPECT_EQ(save_file_names("4711.eml", format::eml).json, "");
    EXPECT_EQ(save_file_names("4711", format::eml).eml, "4711.eml");
    EXPECT_EQ(save_file_names("4711.EML", format::eml).eml, "4711.EML");
    EXPECT_EQ(save_file_names("4711.eml", format::json).eml, "");
    EXPECT_EQ(save_file_names("4711.eml", format::json).json, "4711.json");
    const auto both = save_file_names("ev-1", format::both);
    EXPECT_EQ(both.eml, "ev-1.eml");
    EXPECT_EQ(both.json, "ev-1.json");
}

TEST(actions_file_names, numbered_variants_go_before_the_extension) {
    EXPECT_EQ(save_file_names("4711.eml", format::eml, 1).eml, "4711-1.eml");
    const auto both = save_file_names("4711.eml", format::both, 2);
    EXPECT_EQ(both.eml, "4711-2.eml");
    EXPECT_EQ(both.json, "4711-2.json");
}

}  // namespace
}  // namespace ewstrigd::actions
