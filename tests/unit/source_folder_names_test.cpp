#include "source/folder_names.hpp"

#include <gtest/gtest.h>

namespace ewstrigd::source {
namespace {

TEST(folder_names, a_distinguished_first_element_is_the_root) {
    const auto p = parse_folder_path("Inbox/Processed/2026");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->root, "inbox");
    EXPECT_EQ(p->below, (std::vector<std::string>{"Processed", "2026"}));
}

TEST(folder_names, other_paths_start_at_the_top_of_the_mailbox) {
    const auto p = parse_folder_path("/Projects//Contoso/");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->root, "msgfolderroot");
    EXPECT_EQ(p->below, (std::vector<std::string>{"Projects", "Contoso"}));
}

TEST(folder_names, a_bare_distinguished_id_has_nothing_below) {
    const auto p = parse_folder_path("SentItems");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->root, "sentitems");
    EXPECT_TRUE(p->below.empty());
}

TEST(folder_names, empty_names_are_refused) {
    EXPECT_FALSE(parse_folder_path(""));
    EXPECT_FALSE(parse_folder_path("///"));
}

TEST(folder_names, names_compare_case_insensitively) {
    EXPECT_TRUE(same_folder_name("Processed", "PROCESSED"));
    EXPECT_FALSE(same_folder_name("Processed", "Processe"));
    EXPECT_EQ(folder_key("Inbox/Processed"), "inbox/processed");
    EXPECT_FALSE(distinguished_id("Invoices"));
}

}  // namespace
}  // namespace ewstrigd::source
