// util/base64: RFC 4648's test vectors in both alphabets, and base64 text as
// EWS sends it measured without being decoded: its size from length and
// padding, whitespace dropped, anything else refused.
#include "util/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ewstrigd::util {
namespace {

std::string every_byte_value() {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    return bytes;
}

TEST(util_base64, standard_encoding_is_rfc_4648_with_padding) {
    // RFC 4648 §10
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::string("\0\xff\x01\xfb", 4)), "AP8B+w==");
}

TEST(util_base64, url_encoding_has_its_own_alphabet_and_no_padding) {
    EXPECT_EQ(base64_encode("f", base64_alphabet::url), "Zg");
    EXPECT_EQ(base64_encode("fo", base64_alphabet::url), "Zm8");
    EXPECT_EQ(base64_encode("\xfb\xff", base64_alphabet::url), "-_8");
    EXPECT_EQ(base64_encode("\xfb\xff", base64_alphabet::standard), "+/8=");
    const std::string bytes = every_byte_value();
    for (std::size_t n = 0; n <= 5; ++n) {
        const std::string part = bytes.substr(250 - n);
        EXPECT_EQ(base64url_decode(base64_encode(part, base64_alphabet::url)), part) << n << " bytes";
    }
    EXPECT_EQ(base64url_decode(base64_encode(bytes, base64_alphabet::url)), bytes);
    EXPECT_FALSE(base64url_decode("Zm9v=")) << "padding";
    EXPECT_FALSE(base64url_decode("Z")) << "no encoding is 4n + 1 long";
    EXPECT_FALSE(base64url_decode("Zm+v")) << "standard alphabet";
}

TEST(util_base64, the_size_follows_length_and_padding) {
    for (std::size_t n = 0; n <= 7; ++n) {  // padding 0, 2, 1, 0, 2, 1, ...
        const std::string bytes = every_byte_value().substr(100, n);
        const auto text = compact_base64(base64_encode(bytes));
        ASSERT_TRUE(text) << n << " bytes";
        EXPECT_EQ(text->decoded_size, n);
        EXPECT_EQ(text->text, base64_encode(bytes)) << "nothing to drop: unchanged";
    }
    const auto all = compact_base64(base64_encode(every_byte_value()));
    ASSERT_TRUE(all);
    EXPECT_EQ(all->decoded_size, 256u);
}

TEST(util_base64, whitespace_anywhere_is_dropped_before_measuring) {
    // MIME-style lines of 76 characters with CRLF, and blanks around the text.
    const std::string one_line = base64_encode(std::string(200, '\x7f'));
    std::string broken = " \t\r\n";
    for (std::size_t i = 0; i < one_line.size(); i += 76) broken += one_line.substr(i, 76) + "\r\n";
    const auto text = compact_base64(broken);
    ASSERT_TRUE(text);
    EXPECT_EQ(text->text, one_line);
    EXPECT_EQ(text->decoded_size, 200u);

    const auto split_padding = compact_base64("Zm9v\nYg=\n=");
    ASSERT_TRUE(split_padding);
    EXPECT_EQ(split_padding->text, "Zm9vYg==");
    EXPECT_EQ(split_padding->decoded_size, 4u);
    EXPECT_EQ(compact_base64(" \r\n")->decoded_size, 0u) << "blank content is an empty file";
}

TEST(util_base64, what_is_not_padded_standard_base64_is_refused) {
    const std::vector<std::string> refused{"Zm9",      "Zm9vY", "Zm=v",  "Z===",  "====",
                                           "Zm9v====", "Zm-v",  "Zm_v",  "Zm9\v", std::string("Zm\0v", 4),
                                           "Z\xc3\xa4v", "Zm9v&#1;"};
    for (const auto& bad : refused) EXPECT_FALSE(compact_base64(bad)) << bad;
}

}  // namespace
}  // namespace ewstrigd::util
