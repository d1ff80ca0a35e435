#include "config/loader.hpp"

#include "config/actions.hpp"
#include "config/conditions.hpp"
#include "config/keys.hpp"
#include "config/mailboxes.hpp"
#include "config/suggest.hpp"
#include "config/yaml_reader.hpp"
#include "match/evaluate.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace ewstrigd::config {
namespace {

namespace fs = std::filesystem;

// One parsed YAML file and the reader that reports positions in it.
struct document {
    std::unique_ptr<yaml_reader> in;
    YAML::Node root;
};

std::optional<std::string> read_text_file(const fs::path& file, diagnostics& out) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
        out.add({file.string(), 0, 0}, "is a directory, not a config file");
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        out.add({file.string(), 0, 0}, std::string("cannot read: ") + std::strerror(errno));
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Parses YAML text; a syntax error becomes a diagnostic at its position.
std::optional<YAML::Node> parse_yaml(std::string_view text, const std::string& name, diagnostics& out) {
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        source_pos pos{name, 0, 0};
        if (!e.mark.is_null()) pos = {name, e.mark.line + 1, e.mark.column + 1};
        out.add(pos, "YAML syntax error: " + e.msg);
    }
    return std::nullopt;
}

std::string where(const source_pos& p) { return p.file.str() + ":" + std::to_string(p.line); }

class loader {
public:
    loader(fs::path main_file) : main_file_(std::move(main_file)) {}

    load_result run(std::string_view main_text);

private:
    void read_variables(document& doc);
    void read_settings(document& doc);
    void read_trigger_files();
    void read_mailboxes(document& doc);
    void read_triggers(document& doc);
    std::optional<trigger_config> read_trigger(yaml_reader& in, const YAML::Node& node, const std::string& what);
    const mailbox_config* find_mailbox(std::string_view id) const;

    fs::path main_file_;
    diagnostics out_;
    config cfg_;
    std::map<std::string, expansion> variables_;
    std::vector<document> docs_;  // the main file first, then trigger files in name order
    std::size_t mailbox_entries_ = 0;  // written, valid or not
    bool triggers_dir_explicit_ = false;
    source_pos triggers_dir_pos_;
};

load_result loader::run(std::string_view main_text) {
    cfg_.main_file = main_file_.string();
    const expansion_scope base{nullptr, main_file_.parent_path()};
    auto root = parse_yaml(main_text, cfg_.main_file, out_);
    if (root) {
        docs_.push_back({std::make_unique<yaml_reader>(cfg_.main_file, out_, base), *root});
        document& main = docs_.front();
        if (main.root.IsNull() || !main.root.IsDefined()) {
            out_.add({cfg_.main_file, 0, 0}, "the file is empty; it needs at least mailboxes and triggers");
        } else if (main.in->expect_map(main.root, "the top level")) {
            main.in->check_keys(main.root, "root", "the top level");
            read_variables(main);
            main.in->set_scope({&variables_, main_file_.parent_path()});
            read_settings(main);
            read_trigger_files();
            for (auto& doc : docs_) read_mailboxes(doc);
            for (auto& doc : docs_) read_triggers(doc);
            if (mailbox_entries_ == 0) out_.add({cfg_.main_file, 0, 0}, "no mailboxes are configured");
        }
    }
    load_result result;
    result.errors = out_.list();
    if (result.errors.empty()) result.cfg = std::move(cfg_);
    return result;
}

void loader::read_variables(document& doc) {
    const YAML::Node vars = doc.root["variables"];
    if (!vars.IsDefined() || vars.IsNull() || !doc.in->expect_map(vars, "variables")) return;
    // Variable values may use ${env:} and ${file:} but not other variables,
    // so their meaning never depends on the order they are written in.
    for (const auto& entry : vars) {
        const std::string name = entry.first.Scalar();
        if (!is_name(name, "-_.")) {
            doc.in->error(entry.first, "variables: '" + name + "' is not a variable name (letters, digits, - _ .)");
            continue;
        }
        auto value = doc.in->text(entry.second, path_join("variables", name));
        if (value) {
            cfg_.variables[name] = value->value;
            variables_[name] = std::move(*value);
        }
    }
}

void loader::read_settings(document& doc) {
    yaml_reader& in = *doc.in;
    const YAML::Node& root = doc.root;
    if (const YAML::Node v = root["state_dir"]; v.IsDefined()) {
        if (auto dir = in.string(v, "state_dir")) cfg_.state_dir = *dir;
    }
    fs::path triggers_dir = "triggers.d";
    if (const YAML::Node v = root["triggers_dir"]; v.IsDefined()) {
        triggers_dir_explicit_ = true;
        triggers_dir_pos_ = in.pos(v);
        if (auto dir = in.string(v, "triggers_dir")) triggers_dir = *dir;
    }
    if (triggers_dir.is_relative()) triggers_dir = main_file_.parent_path() / triggers_dir;
    cfg_.triggers_dir = triggers_dir.lexically_normal().string();
    if (const YAML::Node log = root["log"]; log.IsDefined() && in.expect_map(log, "log")) {
        in.check_keys(log, "log", "log");
        if (const YAML::Node v = log["level"]; v.IsDefined()) {
            if (auto level = in.choice(v, "log.level", {"trace", "debug", "info", "warn", "error", "critical", "off"})) {
                cfg_.log.level = *level;
            }
        }
        if (const YAML::Node v = log["format"]; v.IsDefined()) {
            if (auto format = in.choice(v, "log.format", {"auto", "text", "json", "journal", "journald"})) {
                cfg_.log.format = *format;
            }
        }
    }
    if (const YAML::Node metrics = root["metrics"]; metrics.IsDefined() && in.expect_map(metrics, "metrics")) {
        in.check_keys(metrics, "metrics", "metrics");
        if (const YAML::Node v = metrics["listen"]; v.IsDefined()) {
            auto listen = in.string(v, "metrics.listen");
            const auto colon = listen ? listen->rfind(':') : std::string::npos;
            const bool port_ok = colon != std::string::npos && colon + 1 < listen->size() &&
                                 std::all_of(listen->begin() + static_cast<long>(colon) + 1, listen->end(),
                                             [](char c) { return c >= '0' && c <= '9'; }) &&
                                 listen->size() - colon - 1 <= 5 && std::stoi(listen->substr(colon + 1)) <= 65535;
            if (listen && (colon == 0 || !port_ok)) {
                in.error(v, "metrics.listen: '" + *listen + "' is not HOST:PORT (e.g. 127.0.0.1:9464)");
            } else if (listen) {
                cfg_.metrics.listen = *listen;
            }
        }
    }
}

void loader::read_trigger_files() {
    const fs::path dir = cfg_.triggers_dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        // The default directory is optional; one the admin named must exist.
        if (triggers_dir_explicit_) out_.add(triggers_dir_pos_, "triggers_dir: '" + dir.string() + "' is not a directory");
        return;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto ext = entry.path().extension();
        if ((ext == ".yaml" || ext == ".yml") && !entry.is_directory()) files.push_back(entry.path());
    }
    if (ec) out_.add({dir.string(), 0, 0}, "cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::string name = file.string();
        cfg_.trigger_files.push_back(name);
        auto text = read_text_file(file, out_);
        if (!text) continue;
        auto root = parse_yaml(*text, name, out_);
        if (!root || root->IsNull()) continue;  // an empty drop-in file is allowed
        auto in = std::make_unique<yaml_reader>(name, out_, expansion_scope{&variables_, main_file_.parent_path()});
        if (!in->expect_map(*root, "the top level")) continue;
        in->check_keys(*root, "trigger_file", "the top level");
        docs_.push_back({std::move(in), *root});
    }
}

void loader::read_mailboxes(document& doc) {
    const YAML::Node list = doc.root["mailboxes"];
    if (!list.IsDefined() || list.IsNull()) return;
    ++mailbox_entries_;  // a malformed section is its own error, not "no mailboxes"
    if (!doc.in->expect_sequence(list, "mailboxes")) return;
    mailbox_entries_ += list.size();
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto mb = read_mailbox(*doc.in, list[i], path_index("mailboxes", i));
        if (!mb) continue;
        if (const auto* first = find_mailbox(mb->id)) {
            doc.in->error(list[i]["id"], path_index("mailboxes", i) + ".id: mailbox id '" + mb->id +
                                             "' is already used at " + where(first->pos));
            continue;
        }
        cfg_.mailboxes.push_back(std::move(*mb));
    }
}

const mailbox_config* loader::find_mailbox(std::string_view id) const {
    for (const auto& mb : cfg_.mailboxes) {
        if (mb.id == id) return &mb;
    }
    return nullptr;
}

void loader::read_triggers(document& doc) {
    const YAML::Node list = doc.root["triggers"];
    if (!list.IsDefined() || list.IsNull() || !doc.in->expect_sequence(list, "triggers")) return;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto trigger = read_trigger(*doc.in, list[i], path_index("triggers", i));
        if (trigger) cfg_.triggers.push_back(std::move(*trigger));
    }
}

std::optional<trigger_config> loader::read_trigger(yaml_reader& in, const YAML::Node& node, const std::string& what) {
    if (!in.expect_map(node, what)) return std::nullopt;
    in.check_keys(node, "trigger", what);
    trigger_config t;
    t.pos = in.pos(node);
    bool ok = true;
    if (auto name = in.required(node, "name", what)) {
        auto value = in.string(*name, path_join(what, "name"));
        if (value) {
            t.name = std::move(*value);
            for (const auto& other : cfg_.triggers) {
                if (other.name == t.name) {
                    in.error(*name, path_join(what, "name") + ": trigger name '" + t.name + "' is already used at " +
                                        where(other.pos));
                    ok = false;
                }
            }
        }
        ok = ok && value.has_value();
    } else {
        ok = false;
    }
    const mailbox_config* mailbox = nullptr;
    if (auto mb = in.required(node, "mailbox", what)) {
        auto id = in.string(*mb, path_join(what, "mailbox"));
        if (id) {
            t.mailbox = *id;
            mailbox = find_mailbox(*id);
            if (mailbox == nullptr) {
                std::vector<std::string_view> ids;
                for (const auto& m : cfg_.mailboxes) ids.push_back(m.id);
                in.error(*mb, path_join(what, "mailbox") + ": no mailbox has id '" + *id + "'" + did_you_mean(*id, ids));
            }
        }
        ok = ok && mailbox != nullptr;
    } else {
        ok = false;
    }
    if (const YAML::Node folder = node["folder"]; folder.IsDefined()) {
        auto value = in.string(folder, path_join(what, "folder"));
        if (value && mailbox != nullptr) {
            const auto& watched = mailbox->watch->folders;
            if (std::none_of(watched.begin(), watched.end(), [&](const std::string& f) { return match::equals_text(f, *value); })) {
                std::string list;
                for (const auto& f : watched) list += (list.empty() ? "" : ", ") + f;
                in.error(folder, path_join(what, "folder") + ": mailbox '" + mailbox->id + "' does not watch folder '" +
                                     *value + "' (its watch.folders: " + list + ")");
                value.reset();
            }
        }
        if (value) t.folder = std::move(*value);
        ok = ok && value.has_value();
    }
    std::vector<std::string> captures;
    if (auto when = in.required(node, "when", what)) {
        auto c = read_condition(in, *when, path_join(what, "when"));
        if (c) {
            captures = match::capture_group_names(*c);
            t.when = std::move(*c);
        }
        ok = ok && c.has_value();
    } else {
        ok = false;
    }
    if (auto list = in.required(node, "actions", what)) {
        auto actions = read_actions(in, *list, path_join(what, "actions"), captures);
        if (actions) t.actions = std::move(*actions);
        ok = ok && actions.has_value();
    } else {
        ok = false;
    }
    if (!ok) return std::nullopt;
    return t;
}

// Mailboxes with equal settings share one block of them (shared_setting.hpp),
// packed fresh like the rest of the copy below. Each block is compared with
// the last few distinct ones only: the mailboxes of one application come
// together in a file, and 10,000 mailboxes with a block each (Basic, a user
// each) cost 10,000 times a few comparisons, not 10,000 squared.
template <class T>
void share_equal(std::vector<mailbox_config>& mailboxes, shared_setting<T> mailbox_config::*member) {
    constexpr std::size_t remembered = 8;
    std::vector<const shared_setting<T>*> recent;  // distinct blocks kept, newest last
    for (auto& mb : mailboxes) {
        auto& setting = mb.*member;
        const auto same = std::find_if(recent.rbegin(), recent.rend(), [&](const auto* r) { return *r == setting; });
        if (same != recent.rend()) {
            setting.share(**same);
            continue;
        }
        setting.repack();
        if (recent.size() == remembered) recent.erase(recent.begin());
        recent.push_back(&setting);
    }
}

}  // namespace

load_result load_config_text(std::string_view text, const fs::path& name) {
    auto result = loader(name).run(text);
    // Copied once the parsed YAML is gone (10,000 mailboxes: issue 8). The
    // YAML nodes (15 KB per mailbox) were freed around the strings read from
    // them, leaving those scattered over pages that stay resident; the copy
    // packs them, and sizes every list exactly (room for 16,384 mailboxes
    // kept for 10,000 otherwise).
    if (result.cfg) {
        result.cfg = config(*result.cfg);
        share_equal(result.cfg->mailboxes, &mailbox_config::auth);
        share_equal(result.cfg->mailboxes, &mailbox_config::tls);
        share_equal(result.cfg->mailboxes, &mailbox_config::watch);
    }
    return result;
}

load_result load_config(const fs::path& main_file) {
    diagnostics out;
    auto text = read_text_file(main_file, out);
    if (!text) return {std::nullopt, out.list()};
    return load_config_text(*text, main_file);
}

}  // namespace ewstrigd::config
