// The token store on a real file system: permissions, atomic replacement,
// and a writer SIGKILLed at a random instant leaving a usable file.
#include "auth/token_store.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

namespace ewstrigd::auth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

stored_tokens tokens_of(std::uint64_t n) {
    stored_tokens t;
    t.mailbox_id = "mb";
    t.address = "mb@contoso.test";
    t.authority = "https://login.microsoftonline.com";
    t.tenant_id = "contoso.onmicrosoft.com";
    t.client_id = "11111111-2222-3333-4444-555555555555";
    t.scope = "https://outlook.office365.com/EWS.AccessAsUser.All offline_access";
    // Long values make each write span several pages, so a kill can land mid-write.
    t.refresh_token = secret("rt-" + std::to_string(n) + "-" + std::string(20000, static_cast<char>('a' + n % 26)));
    const auto now = wall_clock::now();
    t.access = cached_access_token{secret("at-" + std::to_string(n)), {now, now + 1h, std::nullopt}};
    return t;
}

// The number n the refresh token was written with, checking the whole value.
std::uint64_t written_as(const stored_tokens& t) {
    const auto& rt = t.refresh_token.reveal();
    const auto dash = rt.find('-', 3);
    const auto n = std::stoull(rt.substr(3, dash - 3));
    EXPECT_EQ(rt, tokens_of(n).refresh_token.reveal()) << "torn refresh token";
    EXPECT_EQ(t.access->token.reveal(), "at-" + std::to_string(n));
    return n;
}

TEST(token_store, files_are_private_and_replaced_atomically) {
    testing::scratch_dir dir;
    const token_store store(dir.path() / "state");
    EXPECT_FALSE(store.load("mb").value().has_value());
    EXPECT_EQ(store.save(tokens_of(1)).value(), 1u);
    EXPECT_EQ(store.save(tokens_of(2)).value(), 2u);
    const auto back = store.load("mb").value().value();
    EXPECT_EQ(written_as(back), 2u);
    EXPECT_EQ(back.generation, 2u);
    EXPECT_EQ(fs::status(store.directory()).permissions() & fs::perms::all, fs::perms::owner_all);
    EXPECT_EQ(fs::status(store.file_of("mb")).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    // No temp files left behind.
    EXPECT_EQ(std::distance(fs::directory_iterator(store.directory()), fs::directory_iterator{}), 1);
    EXPECT_TRUE(store.remove("mb").value());
    EXPECT_FALSE(store.remove("mb").value());
}

TEST(token_store, a_too_open_directory_is_tightened) {
    testing::scratch_dir dir;
    fs::create_directories(dir.path() / "state" / "tokens");
    fs::permissions(dir.path() / "state" / "tokens", fs::perms::all);
    const token_store store(dir.path() / "state");
    ASSERT_TRUE(store.save(tokens_of(1)));
    EXPECT_EQ(fs::status(store.directory()).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST(token_store, unsafe_mailbox_ids_and_corrupt_files_are_errors_that_name_the_file) {
    testing::scratch_dir dir;
    const token_store store(dir.path());
    EXPECT_FALSE(store.load("../etc"));
    auto t = tokens_of(1);
    t.mailbox_id = "a/b";
    EXPECT_FALSE(store.save(t));
    ASSERT_TRUE(store.save(tokens_of(1)));
    testing::write_file(store.file_of("mb"), "{\"version\": 1, \"refresh_token\": ");
    const auto r = store.load("mb");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(store.file_of("mb").string()), std::string::npos) << r.error().message;
}

// A child writes generations 1, 2, 3, ... as fast as it can and reports each
// completed save on a pipe; the parent kills it with SIGKILL at a random moment.
TEST(token_store, a_writer_killed_at_any_instant_leaves_a_usable_file) {
    std::mt19937 random(std::random_device{}());
    for (int round = 0; round < 8; ++round) {
        testing::scratch_dir dir;
        const token_store store(dir.path() / "state");
        int pipe_fds[2];
        ASSERT_EQ(::pipe(pipe_fds), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(pipe_fds[0]);
            for (std::uint64_t n = 1;; ++n) {
                if (!store.save(tokens_of(n))) ::_exit(3);
                if (::write(pipe_fds[1], &n, sizeof n) != sizeof n) ::_exit(4);
            }
        }
        ::close(pipe_fds[1]);
        // Let it complete a few saves, then kill it somewhere in the next ones.
        std::uint64_t completed = 0;
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (completed < 3 && std::chrono::steady_clock::now() < deadline) {
            pollfd p{pipe_fds[0], POLLIN, 0};
            if (::poll(&p, 1, 100) == 1 && ::read(pipe_fds[0], &completed, sizeof completed) != sizeof completed) break;
        }
        ::usleep(std::uniform_int_distribution<unsigned>(0, 20000)(random));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        while (::read(pipe_fds[0], &completed, sizeof completed) == sizeof completed) {
        }
        ::close(pipe_fds[0]);
        ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own, status " << status;
        ASSERT_GE(completed, 3u);

        // Reopen: parseable, and one of the generations written (the last
        // completed one or the one in flight when the kill came).
        const auto back = store.load("mb");
        ASSERT_TRUE(back) << back.error().message;
        ASSERT_TRUE(back->has_value());
        const auto n = written_as(**back);
        EXPECT_GE(n, completed);
        EXPECT_LE(n, completed + 1);
        EXPECT_EQ((*back)->generation, n);
        // The next writer continues, and cleans up the dead writer's temp file.
        ASSERT_TRUE(store.save(tokens_of(1000)));
        EXPECT_EQ(std::distance(fs::directory_iterator(store.directory()), fs::directory_iterator{}), 1);
    }
}

}  // namespace
}  // namespace ewstrigd::auth
