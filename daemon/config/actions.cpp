#include "config/actions.hpp"

#include "config/keys.hpp"
#include "config/mail_out.hpp"
#include "config/suggest.hpp"

#include <algorithm>

namespace ewstrigd::config {
namespace {

constexpr std::string_view kind_keys[] = {"run",  "webhook",   "save",    "mark_read", "move_to",
                                          "log",  "reply",     "reply_all", "forward", "send"};

class action_reader {
public:
    action_reader(yaml_reader& in, const std::vector<std::string>& captures) : in_(in), captures_(captures) {}

    std::optional<action_config> read(const YAML::Node& node, std::string_view what);

private:
    std::optional<run_action> read_run(const YAML::Node& entry, const YAML::Node& argv, std::string_view what);
    std::optional<webhook_action> read_webhook(const YAML::Node& node, std::string_view what);
    std::optional<save_action> read_save(const YAML::Node& node, std::string_view what);
    std::optional<move_action> read_move(const YAML::Node& node, std::string_view what);
    std::optional<log_action> read_log(const YAML::Node& node, std::string_view what);
    // An action written as a plain value is shorthand for its main key (a
    // webhook's url, a log's message, move_to's folder): the node holding
    // that value, after checking the keys of the long form.
    std::optional<YAML::Node> main_value(const YAML::Node& node, std::string_view what, std::string_view section,
                                         std::string_view key);
    // Reads a template and checks its placeholders for an action of `kind`.
    std::optional<templated> read_template(const YAML::Node& node, std::string_view what, std::string_view kind);
    template_reader templates(std::string kind) {
        return [this, kind](const YAML::Node& node, std::string_view what) { return read_template(node, what, kind); };
    }

    yaml_reader& in_;
    const std::vector<std::string>& captures_;
};

std::optional<action_config> action_reader::read(const YAML::Node& node, std::string_view what) {
    if (!in_.expect_map(node, what)) return std::nullopt;
    in_.check_keys(node, "action", what);
    std::vector<std::string_view> kinds;
    for (auto k : kind_keys) {
        if (node[std::string(k)].IsDefined()) kinds.push_back(k);
    }
    if (kinds.size() != 1) {
        in_.error(node, std::string(what) + (kinds.empty() ? ": no action given" : ": more than one action in one entry") +
                            " (each list entry is one of run, webhook, save, mark_read, move_to, log, reply, reply_all, "
                            "forward, send)");
        return std::nullopt;
    }
    const std::string kind(kinds.front());
    const std::string where = path_join(what, kind);
    const YAML::Node value = node[kind];
    action_config action;
    action.pos = in_.pos(node);
    bool ok = true;
    for (const char* run_only : {"cwd", "env"}) {
        if (kind != "run" && node[run_only].IsDefined()) {
            in_.error(node[run_only], std::string(what) + ": '" + run_only + "' applies only to run actions");
            ok = false;
        }
    }
    if (const YAML::Node t = node["timeout"]; t.IsDefined()) {
        auto timeout = in_.duration(t, path_join(what, "timeout"));
        if (timeout && timeout->count() <= 0) {
            in_.error(t, path_join(what, "timeout") + ": must be longer than 0");
            timeout.reset();
        }
        action.timeout = timeout;
        ok = ok && timeout.has_value();
    }
    if (const YAML::Node r = node["retries"]; r.IsDefined()) {
        auto retries = in_.integer(r, path_join(what, "retries"), 0, 100);
        if (retries) action.retries = static_cast<int>(*retries);
        ok = ok && retries.has_value();
    }
    auto store = [&](auto parsed) {
        if (parsed) action.what = std::move(*parsed);
        else ok = false;
    };
    if (kind == "run") store(read_run(node, value, where));
    else if (kind == "webhook") store(read_webhook(value, where));
    else if (kind == "save") store(read_save(value, where));
    else if (kind == "move_to") store(read_move(value, where));
    else if (kind == "log") store(read_log(value, where));
    else if (kind == "reply" || kind == "reply_all") store(read_reply(in_, value, where, kind == "reply_all", templates(kind)));
    else if (kind == "forward") store(read_forward(in_, value, where, templates(kind)));
    else if (kind == "send") store(read_send(in_, value, where, templates(kind)));
    else {
        auto read = in_.boolean(value, where);
        store(read ? std::optional(mark_read_action{*read}) : std::nullopt);
    }
    if (!ok) return std::nullopt;
    return action;
}

std::optional<templated> action_reader::read_template(const YAML::Node& node, std::string_view what,
                                                      std::string_view kind) {
    auto value = in_.template_value(node, what);
    if (!value) return std::nullopt;
    std::vector<std::string_view> allowed(match::standard_placeholders().begin(), match::standard_placeholders().end());
    if (kind == "run") allowed.push_back("message_file");
    std::vector<std::string> capture_names;
    for (const auto& c : captures_) capture_names.push_back("match." + c);
    for (const auto& c : capture_names) allowed.push_back(c);
    bool ok = true;
    for (const auto& part : value->first.parts) {
        if (!part.is_placeholder || std::find(allowed.begin(), allowed.end(), part.text) != allowed.end()) continue;
        std::string message = std::string(what) + ": unknown placeholder '{{" + part.text + "}}'";
        if (part.text == "message_file") {
            message += " (message_file is only available to run actions)";
        } else if (part.text.starts_with("match.")) {
            message += captures_.empty() ? " (this trigger has no regex with named groups)"
                                         : " (no regex of this trigger has a group named '" + part.text.substr(6) + "')";
        } else {
            message += did_you_mean(part.text, allowed);
        }
        in_.error(in_.pos_in(node, part.offset), message);
        ok = false;
    }
    if (!ok) return std::nullopt;
    return templated{std::move(value->first), value->second};
}

std::optional<YAML::Node> action_reader::main_value(const YAML::Node& node, std::string_view what,
                                                   std::string_view section, std::string_view key) {
    if (node.IsScalar()) return node;
    if (!in_.expect_map(node, what)) return std::nullopt;
    in_.check_keys(node, section, what);
    return in_.required(node, key, what);
}

std::optional<run_action> action_reader::read_run(const YAML::Node& entry, const YAML::Node& argv,
                                                  std::string_view what) {
    if (!argv.IsSequence()) {
        in_.error(argv, std::string(what) + " must be a list: the program and its arguments (no shell is used)");
        return std::nullopt;
    }
    if (argv.size() == 0) {
        in_.error(argv, std::string(what) + ": name at least the program to run");
        return std::nullopt;
    }
    run_action run;
    bool ok = true;
    const std::string entry_what(what.substr(0, what.size() - std::string_view(".run").size()));
    for (std::size_t i = 0; i < argv.size(); ++i) {
        auto arg = read_template(argv[i], path_index(what, i), "run");
        if (arg) run.argv.push_back(std::move(*arg));
        ok = ok && arg.has_value();
    }
    if (const YAML::Node cwd = entry["cwd"]; cwd.IsDefined()) {
        auto dir = in_.string(cwd, path_join(entry_what, "cwd"));
        if (dir) run.cwd = std::move(*dir);
        ok = ok && dir.has_value();
    }
    if (const YAML::Node env = entry["env"]; env.IsDefined()) {
        if (!in_.expect_map(env, path_join(entry_what, "env"))) return std::nullopt;
        for (const auto& e : env) {
            if (!is_name(e.first.Scalar(), "_") || (e.first.Scalar()[0] >= '0' && e.first.Scalar()[0] <= '9')) {
                in_.error(e.first, path_join(entry_what, "env") + ": '" + e.first.Scalar() +
                                       "' is not an environment variable name (letters, digits, _)");
                ok = false;
                continue;
            }
            auto value = read_template(e.second, path_join(path_join(entry_what, "env"), e.first.Scalar()), "run");
            if (value) run.env.emplace(e.first.Scalar(), std::move(*value));
            ok = ok && value.has_value();
        }
    }
    if (!ok) return std::nullopt;
    return run;
}

std::optional<webhook_action> action_reader::read_webhook(const YAML::Node& node, std::string_view what) {
    webhook_action hook;
    const bool short_form = node.IsScalar();
    const auto url_node = main_value(node, what, "webhook", "url");
    if (!url_node) return std::nullopt;
    auto url = read_template(*url_node, path_join(what, "url"), "webhook");
    if (!url) return std::nullopt;
    const auto& parts = url->text.parts;
    const std::string head = parts.empty() || parts.front().is_placeholder ? std::string() : parts.front().text;
    if (!head.starts_with("https://") && !head.starts_with("http://")) {
        in_.error(*url_node, path_join(what, "url") + ": must start with https:// or http://");
        return std::nullopt;
    }
    hook.url = std::move(*url);
    if (short_form) return hook;
    bool ok = true;
    if (const YAML::Node m = node["method"]; m.IsDefined()) {
        auto method = in_.choice(m, path_join(what, "method"), {"POST", "PUT", "PATCH"});
        if (method) hook.method = *method;
        ok = ok && method.has_value();
    }
    if (const YAML::Node headers = node["headers"]; headers.IsDefined()) {
        if (in_.expect_map(headers, path_join(what, "headers"))) {
            for (const auto& h : headers) {
                auto value = read_template(h.second, path_join(path_join(what, "headers"), h.first.Scalar()), "webhook");
                if (value) hook.headers.emplace(h.first.Scalar(), std::move(*value));
                ok = ok && value.has_value();
            }
        } else {
            ok = false;
        }
    }
    if (const YAML::Node s = node["signing_secret"]; s.IsDefined()) {
        auto value = in_.string(s, path_join(what, "signing_secret"));
        if (value) hook.signing_secret = secret(std::move(*value));
        ok = ok && value.has_value();
    }
    if (!ok) return std::nullopt;
    return hook;
}

std::optional<save_action> action_reader::read_save(const YAML::Node& node, std::string_view what) {
    if (!in_.expect_map(node, what)) return std::nullopt;
    in_.check_keys(node, "save", what);
    save_action save;
    bool ok = true;
    if (auto dir = in_.required(node, "dir", what)) {
        auto value = in_.string(*dir, path_join(what, "dir"));
        if (value) save.dir = std::move(*value);
        ok = ok && value.has_value();
    } else {
        ok = false;
    }
    if (const YAML::Node f = node["format"]; f.IsDefined()) {
        auto format = in_.choice(f, path_join(what, "format"), {"eml", "json", "both"});
        if (format) {
            save.what = *format == "eml" ? save_action::format::eml
                        : *format == "json" ? save_action::format::json
                                            : save_action::format::both;
        }
        ok = ok && format.has_value();
    }
    const YAML::Node name = node["name"];
    if (name.IsDefined()) {
        auto value = read_template(name, path_join(what, "name"), "save");
        if (value) save.name = std::move(*value);
        ok = ok && value.has_value();
    } else {
        // The event id is unique per (mailbox, item, trigger) and safe in file names.
        save.name.text = std::get<match::template_text>(match::parse_template("{{event_id}}"));
    }
    if (const YAML::Node o = node["overwrite"]; o.IsDefined()) {
        auto value = in_.boolean(o, path_join(what, "overwrite"));
        if (value) save.overwrite = *value;
        ok = ok && value.has_value();
    }
    if (!ok) return std::nullopt;
    return save;
}

std::optional<move_action> action_reader::read_move(const YAML::Node& node, std::string_view what) {
    move_action move;
    const auto folder_node = main_value(node, what, "move_to", "folder");
    if (!folder_node) return std::nullopt;
    auto folder = in_.string(*folder_node, node.IsScalar() ? std::string(what) : path_join(what, "folder"));
    if (!folder) return std::nullopt;
    move.folder = std::move(*folder);
    if (node.IsMap()) {
        if (const YAML::Node c = node["create"]; c.IsDefined()) {
            auto create = in_.boolean(c, path_join(what, "create"));
            if (!create) return std::nullopt;
            move.create = *create;
        }
    }
    if (move.folder.empty() || move.folder.front() == '/' || move.folder.back() == '/' ||
        move.folder.find("//") != std::string::npos) {
        in_.error(node, std::string(what) + ": '" + move.folder + "' is not a folder path like Inbox/Processed");
        return std::nullopt;
    }
    return move;
}

std::optional<log_action> action_reader::read_log(const YAML::Node& node, std::string_view what) {
    log_action log;
    const bool short_form = node.IsScalar();
    const auto message = main_value(node, what, "log_action", "message");
    if (!message) return std::nullopt;
    auto text = read_template(*message, short_form ? std::string(what) : path_join(what, "message"), "log");
    if (!text) return std::nullopt;
    log.message = std::move(*text);
    if (!short_form) {
        if (const YAML::Node l = node["level"]; l.IsDefined()) {
            auto level = in_.choice(l, path_join(what, "level"), {"debug", "info", "warn", "error"});
            if (!level) return std::nullopt;
            log.level = *level;
        }
    }
    return log;
}

}  // namespace

std::optional<std::vector<action_config>> read_actions(yaml_reader& in, const YAML::Node& list,
                                                       std::string_view what,
                                                       const std::vector<std::string>& capture_names) {
    if (!in.expect_sequence(list, what)) return std::nullopt;
    if (list.size() == 0) {
        in.error(list, std::string(what) + ": a trigger needs at least one action");
        return std::nullopt;
    }
    action_reader reader(in, capture_names);
    std::vector<action_config> actions;
    bool ok = true;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto action = reader.read(list[i], path_index(what, i));
        if (action) actions.push_back(std::move(*action));
        ok = ok && action.has_value();
    }
    if (!ok) return std::nullopt;
    return actions;
}

}  // namespace ewstrigd::config
