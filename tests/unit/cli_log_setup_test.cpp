// log.format: auto picks the journal exactly when systemd connected stderr to
// journald ($JOURNAL_STREAM = device:inode of stderr), text otherwise; the
// explicit formats win over the environment.
#include "cli/log_setup.hpp"

#include "actions/executor.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <cstdio>
#include <string>

namespace ewstrigd::cli {
namespace {

struct open_file {
    std::FILE* f = std::tmpfile();
    ~open_file() {
        if (f != nullptr) std::fclose(f);
    }
    int fd() const { return ::fileno(f); }
    std::string journal_stream() const {
        struct stat st {};
        EXPECT_EQ(::fstat(fd(), &st), 0);
        return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    }
};

TEST(cli_log_setup, auto_is_journal_when_stderr_is_the_journal_stream) {
    open_file err;
    ASSERT_NE(err.f, nullptr);
    EXPECT_EQ(resolve_log_output("auto", err.fd(), err.journal_stream().c_str()), log_output::journal);
}

TEST(cli_log_setup, auto_is_text_when_stderr_was_redirected_or_no_journal_stream_is_set) {
    open_file err;
    open_file other;
    ASSERT_NE(err.f, nullptr);
    ASSERT_NE(other.f, nullptr);
    EXPECT_EQ(resolve_log_output("auto", err.fd(), other.journal_stream().c_str()), log_output::text);
    EXPECT_EQ(resolve_log_output("auto", err.fd(), nullptr), log_output::text);
    EXPECT_EQ(resolve_log_output("auto", err.fd(), "garbage"), log_output::text);
    EXPECT_EQ(resolve_log_output("auto", err.fd(), (err.journal_stream() + "x").c_str()), log_output::text);
}

TEST(cli_log_setup, explicit_formats_ignore_the_environment) {
    open_file err;
    ASSERT_NE(err.f, nullptr);
    const std::string stream = err.journal_stream();
    EXPECT_EQ(resolve_log_output("text", err.fd(), stream.c_str()), log_output::text);
    EXPECT_EQ(resolve_log_output("json", err.fd(), stream.c_str()), log_output::json);
    EXPECT_EQ(resolve_log_output("journal", err.fd(), nullptr), log_output::journal);
    EXPECT_EQ(resolve_log_output("journald", err.fd(), nullptr), log_output::journal);
}

TEST(cli_log_setup, a_new_level_reaches_loggers_made_before_it) {
    setup_logging(config::log_config{"info", "text"});
    boost::asio::io_context ioc;
    const actions::executor exec(ioc.get_executor(), actions::executor_options{});  // makes its "actions" logger
    auto actions = spdlog::get("actions");
    ASSERT_NE(actions, nullptr);
    EXPECT_FALSE(actions->should_log(spdlog::level::debug));
    apply_log_level("debug");
    EXPECT_TRUE(actions->should_log(spdlog::level::debug));
    EXPECT_TRUE(spdlog::default_logger()->should_log(spdlog::level::debug));
    apply_log_level("info");
}

}  // namespace
}  // namespace ewstrigd::cli
