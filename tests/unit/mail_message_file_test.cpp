#include "mail/message_file.hpp"
#include "mail_test_util.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>

using ewstrigd::mail::read_message_file;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_message;
using ewstrigd::testing::read_test_data;
using ewstrigd::testing::scratch_dir;

TEST(message_file, picks_the_parser_by_content_not_extension) {
    const scratch_dir dir;
    const auto eml = dir.write("saved.xml", read_test_data("mail/multipart-invoice.eml"));
    EXPECT_EQ(expect_message(read_message_file(eml)).attachments.at(0).name, "invoice-4711.pdf");
    const auto xml = dir.write("saved.eml", "\xEF\xBB\xBF\r\n  " + read_test_data("mail/getitem-message-full.xml"));
    EXPECT_EQ(expect_message(read_message_file(xml)).item_id, "AAMkADk0Zjc=");
}

TEST(message_file, errors_name_the_file) {
    const scratch_dir dir;
    const auto missing = dir.path() / "nope.eml";
    const std::string err = expect_error(read_message_file(missing));
    EXPECT_NE(err.find("cannot read " + missing.string()), std::string::npos) << err;
    EXPECT_NE(err.find("No such file"), std::string::npos) << err;

    EXPECT_NE(expect_error(read_message_file(dir.path())).find("is a directory"), std::string::npos);

    const auto empty = dir.write("empty.eml", "");
    EXPECT_EQ(expect_error(read_message_file(empty)), empty.string() + ": empty message");

    const auto html = dir.write("page.html", "<!doctype html><html><body>login</body></html>");
    EXPECT_NE(expect_error(read_message_file(html)).find(html.string() + ": "), std::string::npos);
}
