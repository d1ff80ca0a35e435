// The run action with real /bin/sh scripts.

#include "actions_fixture.hpp"

#include "actions/child_registry.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

namespace ewstrigd::test {
namespace {

using namespace std::chrono_literals;
using kind = actions::outcome::kind;
namespace fs = std::filesystem;

class run_action : public actions_fixture {
protected:
    // A run action executing `script` with /bin/sh; "$1".. are the extra arguments.
    config::action_config sh(const std::string& script, std::vector<std::string> args = {}) {
        const auto path = tmp.write("script-" + std::to_string(scripts_++) + ".sh", script);
        config::run_action run;
        run.argv.push_back(templ("/bin/sh"));
        run.argv.push_back(templ(path.string()));
        for (const auto& a : args) run.argv.push_back(templ(a));
        run.env.emplace("OUT", templ(out().string()));
        config::action_config a;
        a.what = std::move(run);
        return a;
    }
    fs::path out() const { return tmp.path() / "out"; }
    std::string out_text() const { return ewstrigd::testing::read_file(out()); }

    // True when `pid` is gone or a zombie waiting for its new parent.
    static bool process_gone(int pid) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return true;
        const auto close = line.rfind(')');
        return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
    }

    // Waits (bounded, checking every 20 ms: there is no event for another
    // parent reaping it) until `pid` is gone; kills it if it is not.
    ::testing::AssertionResult wait_gone(int pid) {
        boost::asio::steady_timer tick(ioc);
        const auto deadline = std::chrono::steady_clock::now() + 3s;
        std::function<void()> check = [&] {
            if (process_gone(pid) || std::chrono::steady_clock::now() > deadline) return;
            tick.expires_after(20ms);
            tick.async_wait([&](auto) { check(); });
        };
        check();
        ioc.restart();
        ioc.run();
        if (process_gone(pid)) return ::testing::AssertionSuccess();
        ::kill(pid, SIGKILL);
        return ::testing::AssertionFailure() << "process " << pid << " survived";
    }

    int scripts_ = 0;
};

TEST_F(run_action, argv_reaches_the_program_exactly) {
    actions::executor exec(ioc.get_executor(), options());
    const auto a = sh(R"(for a in "$@"; do printf '%s|' "$a"; done > "$OUT")",
                      {"{{match.number}}", "two words", "$(touch /tmp/pwned) ; rm -rf x", "", "{{subject}}", "*"});
    const auto o = execute(exec, a);
    EXPECT_EQ(o.result, kind::done) << o.detail;
    EXPECT_EQ(out_text(), "4711|two words|$(touch /tmp/pwned) ; rm -rf x||Invoice 4711 – Grüße|*|");
}

TEST_F(run_action, environment_carries_the_event_not_the_secrets) {
    actions::executor exec(ioc.get_executor(), options());
    const auto o = execute(exec, sh(R"(env > "$OUT")"));
    ASSERT_EQ(o.result, kind::done) << o.detail;
    const auto env = out_text();
    for (const char* line : {"EWSTRIGD_SUBJECT=Invoice 4711 – Grüße\n", "EWSTRIGD_FROM=billing@supplier.example\n",
                             "EWSTRIGD_TO=invoices@contoso.com\n", "EWSTRIGD_ITEM_ID=item-1\n",
                             "EWSTRIGD_EVENT_ID=ev-7\n", "EWSTRIGD_MAILBOX=mb\n", "EWSTRIGD_TRIGGER=t\n",
                             "EWSTRIGD_FOLDER=inbox\n", "EWSTRIGD_MATCH_NUMBER=4711\n", "PATH=/usr/bin:/bin\n"}) {
        EXPECT_NE(env.find(line), std::string::npos) << line << " missing in\n" << env;
    }
    EXPECT_EQ(env.find("CLIENT_SECRET"), std::string::npos);
}

TEST_F(run_action, message_file_is_private_and_removed_afterwards) {
    actions::executor exec(ioc.get_executor(), options());
    const auto o = execute(exec, sh(R"(stat -c %a "$1" > "$OUT"; cat "$1" >> "$OUT"; echo "$1" > "$OUT.path")",
                                    {"{{message_file}}"}));
    ASSERT_EQ(o.result, kind::done) << o.detail;
    EXPECT_EQ(out_text(), "600\n" + source.mime);
    EXPECT_EQ(source.calls, std::vector<std::string>{"mime item-1"});
    std::string path = ewstrigd::testing::read_file(tmp.path() / "out.path");
    path.pop_back();
    EXPECT_TRUE(path.starts_with(tmp.path().string()));
    EXPECT_FALSE(fs::exists(path)) << path;
}

TEST_F(run_action, exit_status_decides) {
    actions::executor exec(ioc.get_executor(), options());
    EXPECT_EQ(execute(exec, sh("exit 0")).result, kind::done);
    const auto failed = execute(exec, sh("exit 3"));
    EXPECT_EQ(failed.result, kind::retry);
    EXPECT_NE(failed.detail.find("exited with status 3"), std::string::npos) << failed.detail;
    const auto killed = execute(exec, sh("kill -9 $$"));
    EXPECT_EQ(killed.result, kind::retry);
    EXPECT_NE(killed.detail.find("signal 9"), std::string::npos) << killed.detail;
}

TEST_F(run_action, missing_or_unexecutable_program_is_dead) {
    actions::executor exec(ioc.get_executor(), options());
    config::action_config a;
    a.what = config::run_action{{templ("/nonexistent/program")}, {}, {}};
    auto o = execute(exec, a);
    EXPECT_EQ(o.result, kind::dead);
    EXPECT_EQ(o.detail, "program '/nonexistent/program' not found");

    a.what = config::run_action{{templ("no-such-program-in-path-ewstrigd")}, {}, {}};
    EXPECT_EQ(execute(exec, a).result, kind::dead);

    const auto plain = tmp.write("not-executable", "#!/bin/sh\nexit 0\n");
    a.what = config::run_action{{templ(plain.string())}, {}, {}};
    o = execute(exec, a);
    EXPECT_EQ(o.result, kind::dead);
    EXPECT_NE(o.detail.find("is not executable"), std::string::npos) << o.detail;

    a.what = config::run_action{{templ("/bin/true")}, "/nonexistent/dir", {}};
    o = execute(exec, a);
    EXPECT_EQ(o.result, kind::dead);
    EXPECT_NE(o.detail.find("/nonexistent/dir"), std::string::npos) << o.detail;
}

TEST_F(run_action, runs_in_the_configured_directory) {
    actions::executor exec(ioc.get_executor(), options());
    auto a = sh(R"(pwd > "$OUT")");
    std::get<config::run_action>(a.what).cwd = tmp.path().string();
    ASSERT_EQ(execute(exec, a).result, kind::done);
    EXPECT_EQ(out_text(), fs::canonical(tmp.path()).string() + "\n");
}

TEST_F(run_action, timeout_kills_the_whole_group_including_grandchildren) {
    actions::executor exec(ioc.get_executor(), options());
    auto a = sh(R"(sleep 60 & echo $! > "$OUT"; sleep 60)");
    a.timeout = 300ms;
    const auto start = std::chrono::steady_clock::now();
    const auto o = execute(exec, a);
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_NE(o.detail.find("timed out"), std::string::npos) << o.detail;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s) << "SIGTERM should have been enough";
    EXPECT_TRUE(wait_gone(std::stoi(out_text())));
}

TEST_F(run_action, sigterm_ignored_means_sigkill_after_the_grace) {
    auto opts = options();
    opts.kill_grace = 300ms;
    actions::executor exec(ioc.get_executor(), opts);
    auto a = sh(R"(trap '' TERM; sh -c 'trap "" TERM; sleep 60' & echo $! > "$OUT"; sleep 60; sleep 60)");
    a.timeout = 300ms;
    const auto o = execute(exec, a);
    EXPECT_EQ(o.result, kind::retry);
    EXPECT_NE(o.detail.find("timed out"), std::string::npos) << o.detail;
    EXPECT_TRUE(wait_gone(std::stoi(out_text())));
}

TEST_F(run_action, output_is_logged_and_bounded) {
    auto opts = options();
    opts.output_limit = 1000;
    actions::executor exec(ioc.get_executor(), opts);
    const auto o = execute(exec, sh("head -c 100000 /dev/zero | tr '\\0' x; echo oops >&2"));
    EXPECT_EQ(o.result, kind::done) << o.detail;
    const auto log = log_text.str();
    EXPECT_NE(log.find("run stdout (99000 more bytes dropped): " + std::string(1000, 'x')), std::string::npos) << log;
    EXPECT_EQ(log.find(std::string(1001, 'x')), std::string::npos);
    EXPECT_NE(log.find("run stderr: oops"), std::string::npos) << log;
}

TEST_F(run_action, a_descendant_holding_the_pipe_does_not_stall_completion) {
    auto opts = options();
    opts.output_linger = 200ms;
    actions::executor exec(ioc.get_executor(), opts);
    const auto start = std::chrono::steady_clock::now();
    const auto o = execute(exec, sh(R"(setsid sleep 3 & echo $! > "$OUT"; echo started)"));
    EXPECT_EQ(o.result, kind::done) << o.detail;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    ::kill(std::stoi(out_text()), SIGKILL);
}

TEST_F(run_action, cancellation_kills_at_once) {
    actions::executor exec(ioc.get_executor(), options());
    boost::asio::cancellation_signal cancel;
    actions::outcome result;
    bool done = false;
    exec.async_execute(sh("sleep 60"), sample_job(),
                       boost::asio::bind_cancellation_slot(cancel.slot(), [&](actions::outcome o) {
                           result = std::move(o);
                           done = true;
                       }));
    boost::asio::steady_timer t(ioc, 100ms);
    t.async_wait([&](auto) { cancel.emit(boost::asio::cancellation_type::all); });
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(ioc, [&] { return done; }));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_EQ(result.result, kind::retry);
    EXPECT_NE(result.detail.find("cancelled"), std::string::npos) << result.detail;
}

// A process group like the ones run children get: `sh -c script` leading its own group.
int spawn_group(const std::string& script) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here, so the group exists before we go on
    return pid;
}

TEST_F(run_action, a_running_child_is_recorded_and_forgotten_when_it_ends) {
    actions::child_registry children(tmp.path() / "children");
    auto opts = options();
    opts.children = &children;
    actions::executor exec(ioc.get_executor(), opts);
    // The entry is written just after the spawn, so the child may start
    // before it: it waits (at most 2 s) for its own entry, then lists them all.
    const auto o = execute(exec, sh(R"(i=0; while [ ! -e "$1/$$" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i+1)); done
                                      echo $$ > "$OUT.pid"; ls "$1" > "$OUT")",
                                    {(tmp.path() / "children").string()}));
    ASSERT_EQ(o.result, kind::done) << o.detail;
    EXPECT_EQ(out_text(), ewstrigd::testing::read_file(tmp.path() / "out.pid")) << "the child saw itself recorded";
    EXPECT_TRUE(fs::is_empty(tmp.path() / "children")) << "the entry is gone once the child ended";
}

// What a restart after SIGKILL finds: children of the previous instance
// still running, recorded in the state directory.
TEST_F(run_action, the_next_instance_kills_leftover_children_with_their_group) {
    const auto dir = tmp.path() / "children";
    const auto grandchild_file = tmp.path() / "grandchild";
    const int leader = spawn_group("sleep 60 & echo $! > '" + grandchild_file.string() + "'; wait");
    ASSERT_GT(leader, 0);
    ASSERT_TRUE(actions::child_registry(dir).add(leader));
    // Polled: the file is written by an unrelated process, there is no event for it.
    for (int tries = 0; tries < 300 && !(fs::exists(grandchild_file) && fs::file_size(grandchild_file) > 0); ++tries)
        std::this_thread::sleep_for(10ms);
    const int grandchild = std::stoi(ewstrigd::testing::read_file(grandchild_file));

    const auto swept = actions::child_registry(dir).kill_leftovers();
    EXPECT_EQ(swept.killed, 1u);
    EXPECT_EQ(swept.finished, 0u);
    int status = 0;
    ASSERT_EQ(::waitpid(leader, &status, 0), leader);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    EXPECT_TRUE(wait_gone(grandchild)) << "the whole group goes, not only its leader";
    EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(run_action, entries_that_do_not_prove_a_leftover_child_kill_nothing) {
    const auto dir = tmp.path() / "children";
    actions::child_registry registry(dir);
    const int alive = spawn_group("sleep 60");
    ASSERT_TRUE(registry.add(alive));
    // The same pid recorded with another start time: the pid was reused.
    const std::string recorded = ewstrigd::testing::read_file(dir / std::to_string(alive));
    tmp.write("children/" + std::to_string(alive), recorded.substr(0, recorded.find(' ')) + " 1\n");
    // From before a reboot, and a file nobody could have written.
    tmp.write("children/" + std::to_string(::getpid()), "another-boot-id " + recorded.substr(recorded.find(' ') + 1));
    tmp.write("children/not-a-pid", "garbage");

    const auto swept = actions::child_registry(dir).kill_leftovers();
    EXPECT_EQ(swept.killed, 0u);
    EXPECT_EQ(swept.finished, 3u);
    EXPECT_EQ(::waitpid(alive, nullptr, WNOHANG), 0) << "an unproven entry must not kill";
    EXPECT_TRUE(fs::is_empty(dir));
    ::kill(-alive, SIGKILL);
    ::waitpid(alive, nullptr, 0);
}

}  // namespace
}  // namespace ewstrigd::test
