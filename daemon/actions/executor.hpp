#pragma once
// Runs one attempt of one action (docs/actions.md describes every kind).
//
// - Loop affinity: construct and call on the io_context's thread; the
//   completion runs on that loop exactly once, never inside async_execute.
// - The action and the job are copied: a config reload during the attempt
//   changes nothing for it.
// - Timeouts: action_config::timeout, else run 5 min, webhook 30 s, others
//   60 s (timeout_of). A run action's process group gets SIGTERM, then
//   SIGKILL `kill_grace` later.
// - Cancellation (the completion handler's cancellation slot, any type):
//   a run child's group is killed at once, HTTP and mail-source operations
//   are cancelled; the attempt completes with retry "cancelled" (unless it
//   had already finished).
// - The outcome never carries a secret (no header values, no signing key).

#include "actions/job.hpp"
#include "http/client.hpp"
#include "source/mail_source.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace ewstrigd::actions {

class child_registry;
class rate_limiter;

struct executor_options {
    http::client* http = nullptr;  // for webhooks; must outlive the executor
    // The mail source of a mailbox id (mark_read, move_to, MIME for save and
    // run); null when the mailbox has none right now (the attempt retries).
    std::function<source::mail_source*(const std::string& mailbox)> source_for;
    // The SMTP address of a mailbox id (reply_all leaves it out); may be null.
    std::function<std::string(const std::string& mailbox)> address_of;
    std::filesystem::path temp_dir;        // for {{message_file}}; empty: the system temp directory
    std::vector<std::string> environment;  // what run children inherit (filtered); empty: this process's
    std::shared_ptr<spdlog::logger> log;   // null: util::named_logger("actions")
    std::size_t output_limit = std::size_t{64} << 10;  // per stream of a run child
    std::chrono::milliseconds kill_grace{std::chrono::seconds(5)};
    std::chrono::milliseconds output_linger{std::chrono::seconds(1)};
    // Where run children are recorded while they run (child_registry.hpp);
    // null: not recorded. Must outlive the executor.
    child_registry* children = nullptr;
};

using execute_signature = void(outcome);

class executor {
public:
    executor(boost::asio::any_io_executor ex, executor_options options);
    ~executor();
    executor(const executor&) = delete;
    executor& operator=(const executor&) = delete;

    template <boost::asio::completion_token_for<execute_signature> Token>
    auto async_execute(const config::action_config& action, const job& j, Token&& token) {
        return boost::asio::async_initiate<Token, execute_signature>(
            [this](auto handler, config::action_config a, job jb) {
                execute_impl(std::move(a), std::move(jb), std::move(handler));
            },
            token, action, j);
    }

    spdlog::logger& log() const { return *options_.log; }

    struct execution;  // one attempt in flight (executor.cpp, run.cpp, ...)

private:
    void execute_impl(config::action_config action, job j, boost::asio::any_completion_handler<execute_signature> h);

    void do_run(const std::shared_ptr<execution>& e);
    void do_webhook(const std::shared_ptr<execution>& e);
    void do_save(const std::shared_ptr<execution>& e);
    void do_mark_read(const std::shared_ptr<execution>& e);
    void do_move(const std::shared_ptr<execution>& e);
    void do_log(const std::shared_ptr<execution>& e);
    // reply, reply_all, forward, send (mail_out.cpp)
    void do_mail_out(const std::shared_ptr<execution>& e);

    boost::asio::any_io_executor ex_;
    executor_options options_;
    std::shared_ptr<rate_limiter> mail_rate_;  // mail-out actions, per (trigger, sender)
};

}  // namespace ewstrigd::actions
