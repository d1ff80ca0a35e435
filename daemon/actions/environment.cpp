#include "actions/environment.hpp"

#include <algorithm>
#include <array>

extern "C" char** environ;  // NOLINT: POSIX declares it nowhere else

namespace ewstrigd::actions {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

std::string without_nul(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
    return s;
}

std::string env_name_part(std::string_view name) {
    std::string out = upper(name);
    for (char& c : out) {
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
    }
    return out;
}

class env_list {
public:
    void set(const std::string& name, const std::string& value) {
        const std::string entry = name + "=" + without_nul(value);
        const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const std::string& e) {
            return e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=';
        });
        if (it != entries_.end()) *it = entry;
        else entries_.push_back(entry);
    }
    std::vector<std::string> take() { return std::move(entries_); }

private:
    std::vector<std::string> entries_;
};

}  // namespace

bool is_withheld_variable(std::string_view name) {
    const std::string n = upper(name);
    static constexpr std::array<std::string_view, 10> secret_words{
        "SECRET", "PASSWORD", "PASSWD", "TOKEN", "CREDENTIAL", "PRIVATE", "APIKEY", "API_KEY", "ACCESS_KEY", "COOKIE"};
    for (const auto w : secret_words) {
        if (n.find(w) != std::string::npos) return true;
    }
    static constexpr std::array<std::string_view, 3> exact{"NOTIFY_SOCKET", "CREDENTIALS_DIRECTORY", "EWSTRIGD"};
    for (const auto e : exact) {
        if (n == e) return true;
    }
    static constexpr std::array<std::string_view, 3> prefixes{"WATCHDOG_", "LISTEN_", "EWSTRIGD_"};
    for (const auto p : prefixes) {
        if (n.starts_with(p)) return true;
    }
    return false;
}

std::vector<std::string> build_environment(const std::vector<std::string>& inherited, const job& j,
                                           const config::run_action& run, const std::string& message_file) {
    env_list env;
    for (const auto& entry : inherited) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        const std::string name = entry.substr(0, eq);
        if (!is_withheld_variable(name)) env.set(name, entry.substr(eq + 1));
    }
    const match::message msg = message_of(j);
    const match::template_context ctx = context_of(j, msg, message_file);
    auto field = [&](const char* placeholder) {
        match::template_text t;
        t.parts.push_back({true, placeholder, 0});
        return match::expand(t, ctx);
    };
    static constexpr std::array<std::pair<const char*, const char*>, 13> fields{{
        {"EWSTRIGD_SUBJECT", "subject"},
        {"EWSTRIGD_FROM", "from"},
        {"EWSTRIGD_FROM_NAME", "from_name"},
        {"EWSTRIGD_TO", "to"},
        {"EWSTRIGD_CC", "cc"},
        {"EWSTRIGD_ITEM_ID", "item_id"},
        {"EWSTRIGD_EVENT_ID", "event_id"},
        {"EWSTRIGD_MAILBOX", "mailbox"},
        {"EWSTRIGD_TRIGGER", "trigger"},
        {"EWSTRIGD_FOLDER", "folder"},
        {"EWSTRIGD_RECEIVED", "received"},
        {"EWSTRIGD_IMPORTANCE", "importance"},
        {"EWSTRIGD_ATTACHMENTS", "attachments"},
    }};
    for (const auto& [name, placeholder] : fields) env.set(name, field(placeholder));
    if (!message_file.empty()) env.set("EWSTRIGD_MESSAGE_FILE", message_file);
    for (const auto& [name, value] : j.data.captures) env.set("EWSTRIGD_MATCH_" + env_name_part(name), value);
    for (const auto& [name, value] : run.env) env.set(name, match::expand(value.text, ctx));
    return env.take();
}

std::vector<std::string> current_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
    return out;
}

}  // namespace ewstrigd::actions
