#include "cli/dry_run.hpp"

#include "match/evaluate.hpp"
#include "match/template.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace ewstrigd::cli {
namespace {

using nlohmann::json;

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

// Headers that carry credentials by definition, whatever their source.
bool is_credential_header(std::string_view name) {
    for (std::string_view credential : {"authorization", "proxy-authorization", "cookie", "x-api-key"}) {
        if (match::equals_text(name, credential)) return true;
    }
    return false;
}

bool watches(const config::config& cfg, std::string_view mailbox, std::string_view folder) {
    for (const auto& mb : cfg.mailboxes) {
        if (mb.id != mailbox) continue;
        return std::any_of(mb.watch->folders.begin(), mb.watch->folders.end(),
                           [&](const std::string& f) { return match::equals_text(f, folder); });
    }
    return false;
}

class planner {
public:
    explicit planner(const match::template_context& ctx) : ctx_(ctx) {}

    json operator()(const config::run_action& run) const {
        json argv = json::array();
        for (const auto& arg : run.argv) argv.push_back(value(arg));
        json out{{"type", "run"}, {"argv", argv}};
        if (!run.cwd.empty()) out["cwd"] = run.cwd;
        json env = json::object();
        for (const auto& [name, text] : run.env) env[name] = value(text);
        if (!env.empty()) out["env"] = env;
        return out;
    }
    json operator()(const config::webhook_action& hook) const {
        json headers = json::object();
        for (const auto& [name, text] : hook.headers) {
            headers[name] = is_credential_header(name) ? std::string(config::secret::redacted) : value(text);
        }
        json out{{"type", "webhook"}, {"method", hook.method}, {"url", value(hook.url)}, {"headers", headers}};
        if (!hook.signing_secret.empty()) out["signed"] = true;
        return out;
    }
    json operator()(const config::save_action& save) const {
        static constexpr const char* formats[] = {"eml", "json", "both"};
        const auto name = value(save.name);
        return {{"type", "save"},
                {"path", (std::filesystem::path(save.dir) / name).string()},
                {"format", formats[static_cast<int>(save.what)]},
                {"overwrite", save.overwrite}};
    }
    json operator()(const config::mark_read_action& mark) const { return {{"type", "mark_read"}, {"read", mark.read}}; }
    json operator()(const config::move_action& move) const {
        return {{"type", "move_to"}, {"folder", move.folder}, {"create", move.create}};
    }
    json operator()(const config::log_action& log) const {
        return {{"type", "log"}, {"level", log.level}, {"message", value(log.message)}};
    }
    json operator()(const config::reply_action& reply) const {
        json out{{"type", reply.all ? "reply_all" : "reply"}, {"body", value(reply.body)}, {"keep_quote", reply.keep_quote}};
        if (!reply.send_as.empty()) out["send_as"] = reply.send_as;
        return out;
    }
    json operator()(const config::forward_action& fwd) const {
        return {{"type", "forward"}, {"to", values(fwd.to)}, {"cc", values(fwd.cc)}, {"bcc", values(fwd.bcc)},
                {"comment", value(fwd.comment)}};
    }
    json operator()(const config::send_action& send) const {
        return {{"type", "send"},         {"to", values(send.to)},     {"cc", values(send.cc)},
                {"bcc", values(send.bcc)}, {"subject", value(send.subject)}, {"body", value(send.body)}};
    }

private:
    std::string value(const config::templated& t) const {
        return t.sensitive ? std::string(config::secret::redacted) : match::expand(t.text, ctx_);
    }
    json values(const std::vector<config::templated>& list) const {
        json out = json::array();
        for (const auto& t : list) out.push_back(value(t));
        return out;
    }

    const match::template_context& ctx_;
};

std::string received_text(const match::message& msg) {
    if (!msg.received) return {};
    return match::format_utc(*msg.received);
}

}  // namespace

json describe_message(const match::message& msg) {
    auto addresses = [](const std::vector<match::mail_address>& list) {
        json out = json::array();
        for (const auto& a : list) out.push_back(a.email.empty() ? a.name : a.email);
        return out;
    };
    json attachments = json::array();
    for (const auto& a : msg.attachments) attachments.push_back({{"name", a.name}, {"size", a.size}});
    return {{"subject", msg.subject},
            {"from", msg.from.email},
            {"to", addresses(msg.to)},
            {"cc", addresses(msg.cc)},
            {"received", received_text(msg)},
            {"importance", match::importance_name(msg.importance_level)},
            {"attachments", attachments}};
}

std::string describe_action(const json& action) {
    const std::string type = action.value("type", "");
    std::string line = type;
    if (type == "run") {
        line += ":";
        for (const auto& arg : action["argv"]) line += " " + arg.get<std::string>();
        if (action.contains("cwd")) line += " (in " + action["cwd"].get<std::string>() + ")";
    } else if (type == "webhook") {
        line += ": " + action["method"].get<std::string>() + " " + action["url"].get<std::string>();
    } else if (type == "save") {
        line += ": " + action["path"].get<std::string>() + " (" + action["format"].get<std::string>() + ")";
    } else if (type == "mark_read") {
        line += action["read"].get<bool>() ? "" : ": unread";
    } else if (type == "move_to") {
        line += ": " + action["folder"].get<std::string>();
    } else if (type == "log") {
        line += " " + action["level"].get<std::string>() + ": " + action["message"].get<std::string>();
    }
    if (action.contains("timeout")) line += " [timeout " + action["timeout"].get<std::string>() + "]";
    return line;
}

dry_run_report dry_run(const config::config& cfg, const match::message& msg, const dry_run_options& options) {
    dry_run_report report;
    match::message in_folder = msg;
    in_folder.folder = options.folder;
    for (const auto& trigger : cfg.triggers) {
        if (options.mailbox && trigger.mailbox != *options.mailbox) continue;
        if (!trigger.folder.empty() && !match::equals_text(trigger.folder, options.folder)) continue;
        // A trigger without a folder covers the folders its mailbox watches, no others.
        if (trigger.folder.empty() && !watches(cfg, trigger.mailbox, options.folder)) continue;
        ++report.evaluated;
        auto verdict = match::evaluate(trigger.when, in_folder, options.now);
        if (!verdict.matched) continue;
        trigger_hit hit{trigger.name, trigger.mailbox, verdict.named, json::array()};
        match::template_context ctx;
        ctx.msg = &in_folder;
        ctx.named = &verdict.named;
        ctx.trigger = trigger.name;
        ctx.mailbox = trigger.mailbox;
        ctx.event_id = "dry-run";
        ctx.message_file = options.message_file;
        const planner plan(ctx);
        for (const auto& action : trigger.actions) {
            json planned = std::visit(plan, action.what);
            if (action.timeout) planned["timeout"] = format_duration(*action.timeout);
            hit.actions.push_back(std::move(planned));
        }
        report.matched.push_back(std::move(hit));
    }
    return report;
}

}  // namespace ewstrigd::cli
