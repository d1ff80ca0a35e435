#pragma once
// One attempt of one outbox row, and how it ended (pure types).

#include "actions/payload.hpp"
#include "config/model.hpp"
#include "match/template.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ewstrigd::actions {

// What the executor needs of an outbox row, the payload already decoded.
struct job {
    std::string event_id;
    std::string mailbox;
    std::string folder;
    std::string item_id;
    std::string trigger;
    int action_index = 0;
    payload data;
};

struct outcome {
    enum class kind { done, retry, dead };
    kind result = kind::done;
    // retry only: the delay the other side asked for (Retry-After, EWS back-off).
    std::optional<std::chrono::milliseconds> delay;
    std::string detail;  // plain words for the log and the outbox row; never a secret

    static outcome ok(std::string detail = {}) { return {kind::done, std::nullopt, std::move(detail)}; }
    static outcome retry(std::string detail, std::optional<std::chrono::milliseconds> delay = std::nullopt) {
        return {kind::retry, delay, std::move(detail)};
    }
    static outcome dead(std::string detail) { return {kind::dead, std::nullopt, std::move(detail)}; }
};
std::string_view to_string(outcome::kind k) noexcept;  // "done", "retry", "dead"

enum class action_kind { run, webhook, save, mark_read, move_to, log, reply, forward, send };  // reply: reply_all too
inline constexpr std::size_t action_kind_count = 9;
action_kind kind_of(const config::action_config& a) noexcept;
std::string_view to_string(action_kind k) noexcept;  // the config key: "run", "webhook", ...

// action_config::timeout, else the kind's default: run 5 min, webhook 30 s, others 60 s.
std::chrono::milliseconds timeout_of(const config::action_config& a) noexcept;

// The message as templates and documents see it: item id and folder taken
// from the job when the payload left them empty.
match::message message_of(const job& j);

// The template context of `j`; `msg` must outlive the result (it points into it).
match::template_context context_of(const job& j, const match::message& msg, std::string message_file = {});

}  // namespace ewstrigd::actions
