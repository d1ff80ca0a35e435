// The save action into a scratch directory.

#include "actions_fixture.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sys/stat.h>

namespace ewstrigd::test {
namespace {

using kind = actions::outcome::kind;
namespace fs = std::filesystem;
using ewstrigd::testing::read_file;

class save_action : public actions_fixture {
protected:
    config::action_config save(const std::string& name, config::save_action::format what, bool overwrite = false) {
        config::save_action s;
        s.dir = (tmp.path() / "saved").string();
        s.name = templ(name);
        s.what = what;
        s.overwrite = overwrite;
        config::action_config a;
        a.what = std::move(s);
        return a;
    }
    fs::path dir() const { return tmp.path() / "saved"; }
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir())) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
};

TEST_F(save_action, writes_eml_and_json_and_leaves_no_temp_files) {
    actions::executor exec(ioc.get_executor(), options());
    const auto o = execute(exec, save("{{match.number}}.eml", config::save_action::format::both));
    ASSERT_EQ(o.result, kind::done) << o.detail;
    EXPECT_EQ(listing(), (std::vector<std::string>{"4711.eml", "4711.json"}));
    EXPECT_EQ(read_file(dir() / "4711.eml"), source.mime);
    const auto doc = nlohmann::json::parse(read_file(dir() / "4711.json"));
    EXPECT_EQ(doc.at("event_id"), "ev-7");
    struct stat st {};
    ASSERT_EQ(::stat((dir() / "4711.eml").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0007, 0u) << "saved mail must not be world-readable";
}

TEST_F(save_action, json_only_does_not_fetch_the_message) {
    actions::executor exec(ioc.get_executor(), options());
    ASSERT_EQ(execute(exec, save("x", config::save_action::format::json)).result, kind::done);
    EXPECT_EQ(listing(), std::vector<std::string>{"x.json"});
    EXPECT_TRUE(source.calls.empty());
}

TEST_F(save_action, never_overwrites_a_different_file) {
    fs::create_directories(dir());
    tmp.write("saved/4711.eml", "someone else's file");
    actions::executor exec(ioc.get_executor(), options());
    const auto o = execute(exec, save("{{match.number}}.eml", config::save_action::format::eml));
    ASSERT_EQ(o.result, kind::done) << o.detail;
    EXPECT_EQ(read_file(dir() / "4711.eml"), "someone else's file");
    EXPECT_EQ(read_file(dir() / "4711-1.eml"), source.mime);
}

TEST_F(save_action, a_retry_after_a_crash_finds_its_own_file) {
    actions::executor exec(ioc.get_executor(), options());
    const auto a = save("{{match.number}}.eml", config::save_action::format::eml);
    ASSERT_EQ(execute(exec, a).result, kind::done);
    const auto again = execute(exec, a);
    EXPECT_EQ(again.result, kind::done);
    EXPECT_NE(again.detail.find("already saved"), std::string::npos) << again.detail;
    EXPECT_EQ(listing(), std::vector<std::string>{"4711.eml"});
}

TEST_F(save_action, overwrite_replaces_in_place) {
    fs::create_directories(dir());
    tmp.write("saved/4711.eml", "old");
    actions::executor exec(ioc.get_executor(), options());
    ASSERT_EQ(execute(exec, save("4711.eml", config::save_action::format::eml, true)).result, kind::done);
    EXPECT_EQ(read_file(dir() / "4711.eml"), source.mime);
    EXPECT_EQ(listing(), std::vector<std::string>{"4711.eml"});
}

TEST_F(save_action, names_from_mail_text_stay_in_the_directory) {
    actions::executor exec(ioc.get_executor(), options());
    auto j = sample_job();
    j.data.message.subject = "../../escape";
    ASSERT_EQ(execute(exec, save("{{subject}}", config::save_action::format::eml), j).result, kind::done);
    EXPECT_EQ(listing(), std::vector<std::string>{"_._.._escape.eml"});
    EXPECT_FALSE(fs::exists(tmp.path().parent_path() / "escape.eml"));
}

TEST_F(save_action, source_failure_is_retried_or_dead) {
    actions::executor exec(ioc.get_executor(), options());
    source::outcome busy;
    busy.step = ews::next_step::retry_after;
    busy.delay = std::chrono::milliseconds(3000);
    busy.reason = "server busy";
    source.outcomes.push_back(busy);
    const auto o = execute(exec, save("x", config::save_action::format::eml));
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_EQ(o.delay, std::chrono::milliseconds(3000));
    source::outcome gone;
    gone.step = ews::next_step::permanent;
    gone.reason = "item not found";
    source.outcomes.push_back(gone);
    EXPECT_EQ(execute(exec, save("x", config::save_action::format::eml)).result, kind::dead);
}

}  // namespace
}  // namespace ewstrigd::test
