// source/interned.hpp: one shared copy of equal settings.
#include "source/interned.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace ewstrigd::source {
namespace {

struct server_settings {
    std::string url;
    bool verify = true;
    bool operator==(const server_settings&) const = default;
};

std::size_t hash_value(const server_settings& s) { return std::hash<std::string>{}(s.url) ^ std::size_t{s.verify}; }

// Every value hashes alike: equality alone must tell them apart.
struct colliding {
    int n = 0;
    bool operator==(const colliding&) const = default;
};
std::size_t hash_value(const colliding&) { return 42; }

TEST(interned, equal_values_share_one_copy_and_other_values_get_their_own) {
    const auto a = interned(server_settings{"https://ews.example/EWS/Exchange.asmx"});
    const auto b = interned(server_settings{"https://ews.example/EWS/Exchange.asmx"});
    const auto unverified = interned(server_settings{"https://ews.example/EWS/Exchange.asmx", false});
    const auto other = interned(server_settings{"https://mail.corp.example/EWS/Exchange.asmx"});
    EXPECT_EQ(a, b);
    EXPECT_NE(a, unverified);
    EXPECT_NE(a, other);
    EXPECT_FALSE(unverified->verify);
    EXPECT_EQ(other->url, "https://mail.corp.example/EWS/Exchange.asmx");
}

TEST(interned, a_copy_no_one_holds_is_freed) {
    auto first = interned(server_settings{"https://old.example/EWS/Exchange.asmx"});
    const std::weak_ptr<const server_settings> kept = first;
    first.reset();
    EXPECT_TRUE(kept.expired()) << "the interning must not keep it alive";
    const auto again = interned(server_settings{"https://old.example/EWS/Exchange.asmx"});
    EXPECT_EQ(again->url, "https://old.example/EWS/Exchange.asmx");
    EXPECT_EQ(again.use_count(), 1);
}

TEST(interned, values_with_the_same_hash_are_still_told_apart) {
    const auto one = interned(colliding{1});
    const auto two = interned(colliding{2});
    EXPECT_NE(one, two);
    EXPECT_EQ(interned(colliding{2}), two);
    EXPECT_EQ(two->n, 2);
}

// 20,000 distinct servers: each gets its own copy, an equal one is found
// again among them, and one let go of is freed and made anew.
TEST(interned, many_distinct_values_are_each_kept_once) {
    std::vector<std::shared_ptr<const server_settings>> held;
    for (int i = 0; i < 20'000; ++i) held.push_back(interned(server_settings{"https://ews" + std::to_string(i) + ".example/"}));
    EXPECT_EQ(interned(server_settings{"https://ews12345.example/"}), held[12345]);
    EXPECT_NE(held[0], held[1]);
    const std::weak_ptr<const server_settings> gone = held[7];
    held.clear();
    EXPECT_TRUE(gone.expired());
    const auto again = interned(server_settings{"https://ews7.example/"});
    EXPECT_EQ(again.use_count(), 1);
}

}  // namespace
}  // namespace ewstrigd::source
