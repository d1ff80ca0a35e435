// source/interned.hpp: one shared copy of equal settings.
#include "source/interned.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ewstrigd::source {
namespace {

struct server_settings {
    std::string url;
    bool verify = true;
    bool operator==(const server_settings&) const = default;
};

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

}  // namespace
}  // namespace ewstrigd::source
