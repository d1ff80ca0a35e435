// ews/folders (GetFolder, FindFolder, CreateFolder answers) and the
// FindFolder/CreateFolder request builders.
#include "ews/folders.hpp"
#include "ews/requests.hpp"
#include "ews_test_util.hpp"

#include <gtest/gtest.h>

namespace ews = ewstrigd::ews;
using ewstrigd::testing::expect_error;
using ewstrigd::testing::expect_value;

namespace {

ews::response parse(const std::string& body) {
    auto r = ews::response::parse(
        R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>)" + body + "</s:Body></s:Envelope>");
    return std::move(std::get<ews::response>(r));
}

const std::string ns = R"( xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages")"
                       R"( xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types")";

}  // namespace

TEST(ews_folders, find_folder_lists_children_with_paging) {
    const auto messages = expect_value(ews::parse_folders(parse(
        "<m:FindFolderResponse" + ns + "><m:ResponseMessages><m:FindFolderResponseMessage ResponseClass=\"Success\">"
        "<m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IndexedPagingOffset=\"2\" TotalItemsInView=\"3\" "
        "IncludesLastItemInRange=\"false\"><t:Folders><t:Folder><t:FolderId Id=\"f1\" ChangeKey=\"k1\"/>"
        "<t:DisplayName> Processed </t:DisplayName></t:Folder><t:CalendarFolder><t:FolderId Id=\"f2\"/>"
        "<t:DisplayName>Calendar</t:DisplayName></t:CalendarFolder></t:Folders></m:RootFolder>"
        "</m:FindFolderResponseMessage></m:ResponseMessages></m:FindFolderResponse>")));
    ASSERT_EQ(messages.size(), 1u);
    ASSERT_EQ(messages[0].folders.size(), 2u);
    EXPECT_EQ(messages[0].folders[0].id->id, "f1");
    EXPECT_EQ(messages[0].folders[0].display_name, "Processed");
    EXPECT_EQ(messages[0].folders[1].kind, "CalendarFolder");
    EXPECT_EQ(messages[0].includes_last_item_in_range, false);
    EXPECT_EQ(messages[0].indexed_paging_offset, 2u);
}

TEST(ews_folders, create_folder_gives_the_new_id_and_errors_their_code) {
    const auto messages = expect_value(ews::parse_folders(parse(
        "<m:CreateFolderResponse" + ns + "><m:ResponseMessages>"
        "<m:CreateFolderResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
        "<m:Folders><t:Folder><t:FolderId Id=\"new\" ChangeKey=\"AQ==\"/></t:Folder></m:Folders>"
        "</m:CreateFolderResponseMessage><m:CreateFolderResponseMessage ResponseClass=\"Error\">"
        "<m:MessageText>exists</m:MessageText><m:ResponseCode>ErrorFolderExists</m:ResponseCode>"
        "</m:CreateFolderResponseMessage></m:ResponseMessages></m:CreateFolderResponse>")));
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].folders.at(0).id->id, "new");
    EXPECT_FALSE(messages[0].includes_last_item_in_range);
    EXPECT_EQ(messages[1].status.code, "ErrorFolderExists");
    EXPECT_TRUE(messages[1].folders.empty());
}

TEST(ews_folders, other_operations_are_refused) {
    EXPECT_NE(expect_error(ews::parse_folders(ewstrigd::testing::parse_sample("updateitem-response.xml"))).find("GetFolder"),
              std::string::npos);
}

TEST(ews_folders, builders_write_shallow_paged_find_and_escaped_create) {
    const ews::request_context ctx;
    const auto find = ews::soap_request(ctx, ews::find_folder{ews::folder_id{"p&1", std::nullopt}, {"folder:DisplayName"}, 0, -5});
    EXPECT_NE(find.find(R"(<m:FindFolder Traversal="Shallow">)"), std::string::npos);
    EXPECT_NE(find.find(R"(MaxEntriesReturned="1" Offset="0")"), std::string::npos);  // clamped
    EXPECT_NE(find.find(R"(<m:ParentFolderIds><t:FolderId Id="p&amp;1"/></m:ParentFolderIds>)"), std::string::npos);
    const auto create = ews::soap_request(ctx, ews::create_folder{ews::distinguished_folder{"inbox", std::nullopt}, "A<B>"});
    EXPECT_NE(create.find("<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>A&lt;B&gt;</t:DisplayName>"),
              std::string::npos);
    EXPECT_NE(create.find(R"(<m:ParentFolderId><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderId>)"),
              std::string::npos);
}
