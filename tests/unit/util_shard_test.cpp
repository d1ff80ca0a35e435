#include "util/shard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ewstrigd::util {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> mailbox_ids() {
    std::vector<std::string> ids;
    for (int i = 0; i < 10'000; ++i) ids.push_back("mailbox-" + std::to_string(i) + "@contoso.example");
    return ids;
}

unsigned owner(const std::string& id, unsigned n) {
    unsigned found = n;
    for (unsigned k = 0; k < n; ++k) {
        if (!in_shard(id, k, n)) continue;
        EXPECT_EQ(found, n) << id << " is in shards " << found << " and " << k << " of " << n;
        found = k;
    }
    return found;
}

TEST(shard, every_mailbox_is_in_exactly_one_shard) {
    const auto ids = mailbox_ids();
    for (unsigned n = 1; n <= 8; ++n)
        for (const auto& id : ids) ASSERT_LT(owner(id, n), n) << id << " is in no shard of " << n;
}

TEST(shard, four_shards_are_balanced_within_15_percent) {
    const auto ids = mailbox_ids();
    std::vector<int> sizes(4);
    for (const auto& id : ids) ++sizes[owner(id, 4)];
    for (unsigned k = 0; k < 4; ++k) {
        EXPECT_GE(sizes[k], 2500 * 85 / 100) << "shard " << k;
        EXPECT_LE(sizes[k], 2500 * 115 / 100) << "shard " << k;
    }
}

TEST(shard, adding_a_shard_moves_only_its_share) {
    const auto ids = mailbox_ids();
    for (unsigned n = 1; n <= 8; ++n) {
        std::size_t moved = 0;
        for (const auto& id : ids) {
            const auto before = owner(id, n);
            const auto after = owner(id, n + 1);
            if (before != after) {
                ++moved;
                EXPECT_EQ(after, n) << id << ": a mailbox only ever moves to the new shard";
            }
        }
        const double share = static_cast<double>(moved) / static_cast<double>(ids.size());
        EXPECT_LT(share, 1.5 / (n + 1)) << n << " -> " << n + 1;
        EXPECT_GT(share, 0.5 / (n + 1)) << n << " -> " << n + 1 << ": the new shard gets its share";
    }
}

TEST(shard, single_shard_owns_everything_and_bad_k_owns_nothing) {
    EXPECT_TRUE(in_shard("anything", shard{}));
    EXPECT_TRUE(in_shard("", 0, 1));
    EXPECT_FALSE(in_shard("anything", 4, 4));
    EXPECT_FALSE(in_shard("anything", 0, 0));
}

TEST(shard, parse_accepts_k_of_n) {
    const auto s = parse_shard("2/4");
    EXPECT_EQ(s.k, 2u);
    EXPECT_EQ(s.n, 4u);
    EXPECT_EQ(parse_shard("0/1").n, 1u);
}

TEST(shard, parse_rejects_with_a_reason_and_the_text) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "no '/'"},          {"4", "no '/'"},
        {"a/4", "K is not"},     {"1/", "N is not"},
        {"-1/4", "K is not"},    {"1/4/5", "N is not"},
        {" 1/4", "K is not"},    {"4/4", "K must be less than N"},
        {"0/0", "at least 1"},   {"0/99999", "at most 1024"},
        {"99999999999/4", "K is not"},
    };
    for (const auto& [text, reason] : cases) {
        try {
            parse_shard(text);
            ADD_FAILURE() << "accepted \"" << text << "\"";
        } catch (const std::invalid_argument& e) {
            EXPECT_THAT(e.what(), HasSubstr(reason)) << text;
            EXPECT_THAT(e.what(), HasSubstr("\"" + std::string{text} + "\"")) << text;
            EXPECT_THAT(e.what(), HasSubstr("K/N")) << text;
        }
    }
}

}  // namespace
}  // namespace ewstrigd::util
