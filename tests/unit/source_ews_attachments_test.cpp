// ews_source's attachment operations for the send action against a scripted
// http::client: GetItem lists the file attachments with their ids, one
// GetAttachment fetches the chosen ones, checked and measured but left as
// base64; what each answer leads to.

#include "auth/static_credentials.hpp"
#include "source/ews_source.hpp"
#include "source_fakes.hpp"
#include "test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ewstrigd::source {
namespace {

using ::testing::HasSubstr;
using testing::drain;
using testing::ews_response;
using testing::read_test_data;
using testing::response_message;
using testing::scripted_reply;

scripted_reply ok_reply(std::string body) { return scripted_reply{200, std::move(body), {}, {}, {}, false}; }

config::mailbox_config mailbox() {
    config::mailbox_config mb;
    mb.id = "invoices";
    mb.address = "invoices@contoso.com";
    mb.ews_url = "https://ews.example/EWS/Exchange.asmx";
    mb.auth.edit().kind = config::auth_kind::basic;
    return mb;
}

std::string get_attachment_reply(const std::string& attachments) {
    return ews_response("GetAttachment",
                        response_message("GetAttachment", "<m:Attachments>" + attachments + "</m:Attachments>"));
}

class attachments_test : public ::testing::Test {
protected:
    template <class Result, class Start>
    std::pair<outcome, Result> run(Start start) {
        std::optional<std::pair<outcome, Result>> result;
        start([&](outcome o, Result r) { result.emplace(std::move(o), std::move(r)); });
        drain(ioc);
        EXPECT_TRUE(result) << "operation did not complete";
        return result.value_or(std::pair{outcome{ews::next_step::permanent, {}, "lost", "lost"}, Result{}});
    }
    std::pair<outcome, std::vector<listed_attachment>> list(std::string id) {
        return run<std::vector<listed_attachment>>([&](auto h) { src.async_list_attachments(id, h); });
    }
    std::pair<outcome, std::vector<attachment_file>> fetch(std::vector<std::string> ids) {
        return run<std::vector<attachment_file>>([&](auto h) { src.async_fetch_attachments(ids, h); });
    }

    boost::asio::io_context ioc;
    testing::fake_client client{ioc};
    testing::fake_credentials credentials{ioc};
    ews_source src{ioc.get_executor(), mailbox(), client, credentials};
};

TEST_F(attachments_test, lists_the_file_attachments_of_the_message_with_their_ids) {
    client.script.push_back(ok_reply(read_test_data("mail/getitem-message-full.xml")));
    const auto [o, listed] = list("AAMkADk0Zjc=");
    EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
    EXPECT_EQ(client.operation(0), "GetItem");
    EXPECT_THAT(client.requests[0].body, HasSubstr(R"(<t:FieldURI FieldURI="item:Attachments"/>)"));
    EXPECT_THAT(client.requests[0].body, HasSubstr(R"(<t:ItemId Id="AAMkADk0Zjc="/>)"));
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].id, "AAMkADk0Zjc=att1");
    EXPECT_EQ(listed[0].name, "invoice-4711.pdf");
    EXPECT_EQ(listed[0].size, 52341u);
    EXPECT_TRUE(listed[1].is_inline);
}

TEST_F(attachments_test, attached_items_are_not_listed_and_a_gone_message_is_permanent) {
    client.script.push_back(ok_reply(ews_response(
        "GetItem", response_message("GetItem", "<m:Items><t:Message><t:ItemId Id=\"m1\"/><t:Attachments>"
                                               "<t:ItemAttachment><t:AttachmentId Id=\"i1\"/><t:Name>Fwd</t:Name>"
                                               "</t:ItemAttachment><t:FileAttachment><t:AttachmentId Id=\"f1\"/>"
                                               "<t:Name>a.pdf</t:Name></t:FileAttachment></t:Attachments>"
                                               "</t:Message></m:Items>"))));
    const auto [o, listed] = list("m1");
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].id, "f1");
    EXPECT_EQ(listed[0].size, 0u) << "no t:Size: 0";

    client.script.push_back(ok_reply(ews_response("GetItem", response_message("GetItem", "<m:Items/>", "ErrorItemNotFound"))));
    EXPECT_EQ(list("m1").first.step, ews::next_step::permanent);
}

TEST_F(attachments_test, fetches_all_chosen_in_one_request_as_base64_with_their_sizes) {
    client.script.push_back(ok_reply(read_test_data("ews/getattachment-fileattachment-content.xml")));
    const auto [o, files] = fetch({"5zTzlqU="});
    EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].name, "FileAttachment.txt");
    EXPECT_EQ(files[0].content.text, "VGhpcyBpcyBhIGZpbGUgYXR0YWNobWVudC4=");
    EXPECT_EQ(files[0].content.decoded_size, std::string_view("This is a file attachment.").size());

    // Line breaks and blanks in t:Content are dropped; the size follows the padding.
    client.script.push_back(ok_reply(get_attachment_reply(
        "<t:FileAttachment><t:AttachmentId Id=\"a\"/><t:Name>a.bin</t:Name><t:ContentType>application/octet-stream"
        "</t:ContentType><t:Content>AP8B\n</t:Content></t:FileAttachment>"
        "<t:FileAttachment><t:AttachmentId Id=\"b\"/><t:Name>b.bin</t:Name>"
        "<t:Content>\r\n  Zm9v\r\nYmE=\r\n</t:Content></t:FileAttachment>"
        "<t:FileAttachment><t:AttachmentId Id=\"c\"/><t:Name>c.bin</t:Name><t:Content>Zm9vYg==</t:Content>"
        "</t:FileAttachment>"
        "<t:FileAttachment><t:AttachmentId Id=\"e\"/><t:Name>empty.txt</t:Name><t:Content/></t:FileAttachment>")));
    const auto [o2, four] = fetch({"a", "b", "c", "e"});
    EXPECT_EQ(o2.step, ews::next_step::proceed) << o2.reason;
    EXPECT_EQ(client.operations(), (std::vector<std::string>{"GetAttachment", "GetAttachment"}));
    EXPECT_THAT(client.requests[1].body,
                HasSubstr(R"(<t:AttachmentId Id="a"/><t:AttachmentId Id="b"/><t:AttachmentId Id="c"/>)"));
    ASSERT_EQ(four.size(), 4u);
    EXPECT_EQ(four[0].content_type, "application/octet-stream");
    EXPECT_EQ(four[0].content.text, "AP8B");
    EXPECT_EQ(four[0].content.decoded_size, 3u);
    EXPECT_EQ(four[1].content.text, "Zm9vYmE=");
    EXPECT_EQ(four[1].content.decoded_size, 5u);
    EXPECT_EQ(four[2].content.decoded_size, 4u);
    EXPECT_EQ(four[3].content.text, "");
    EXPECT_EQ(four[3].content.decoded_size, 0u) << "an empty file stays an empty file";
}

TEST_F(attachments_test, an_attachment_over_25_mib_is_measured_not_decoded) {
    const std::size_t size = (std::size_t{25} << 20) + 1;
    std::string base64((size + 2) / 3 * 4 - 2, 'A');  // `size` zero bytes; 25 MiB + 1 = 3n + 2: one '='
    base64 += "A=";
    client.script.push_back(ok_reply(get_attachment_reply(
        "<t:FileAttachment><t:AttachmentId Id=\"big\"/><t:Name>big.pdf</t:Name><t:Content>" + base64 +
        "</t:Content></t:FileAttachment>")));
    const auto [o, files] = fetch({"big"});
    EXPECT_EQ(o.step, ews::next_step::proceed) << o.reason;
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].content.decoded_size, size);
    EXPECT_TRUE(files[0].content.text == base64) << "handed over as EWS sent it";
}

TEST_F(attachments_test, bad_or_missing_answers_are_errors_not_crashes) {
    client.script.push_back(ok_reply(ews_response(
        "GetAttachment", response_message("GetAttachment", "<m:Attachments/>", "ErrorInvalidAttachmentId"))));
    EXPECT_EQ(fetch({"gone"}).first.step, ews::next_step::permanent);

    client.script.push_back(ok_reply(get_attachment_reply(
        "<t:FileAttachment><t:Name>x.pdf</t:Name><t:Content>====</t:Content></t:FileAttachment>")));
    const auto bad = fetch({"x"}).first;
    EXPECT_EQ(bad.step, ews::next_step::transient);
    EXPECT_THAT(bad.reason, HasSubstr("no base64 t:Content for x.pdf"));

    // A good first attachment does not let a second one with a stray character through.
    client.script.push_back(ok_reply(get_attachment_reply(
        "<t:FileAttachment><t:Name>ok.pdf</t:Name><t:Content>AP8B</t:Content></t:FileAttachment>"
        "<t:FileAttachment><t:Name>scan 2.pdf</t:Name><t:Content>AP*B</t:Content></t:FileAttachment>")));
    EXPECT_EQ(fetch({"ok", "s"}).first.reason, "GetAttachment sent no base64 t:Content for scan 2.pdf");

    client.script.push_back(ok_reply(get_attachment_reply("")));
    EXPECT_THAT(fetch({"x", "y"}).first.reason, HasSubstr("answered 0 of 2 attachments"));

    client.script.push_back(ok_reply("<soap:Envelope><unclosed"));
    EXPECT_EQ(fetch({"x"}).first.step, ews::next_step::transient);
    EXPECT_EQ(client.requests.size(), 5u);
}

}  // namespace
}  // namespace ewstrigd::source
