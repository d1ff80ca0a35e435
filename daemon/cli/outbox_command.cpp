// `ewstrigd outbox list` and `ewstrigd outbox retry`: an admin's view of the
// action outbox (docs/state.md, "Outbox"). Both open the state database as a
// reader beside a running daemon (WAL: readers never block its writes, and a
// requeue waits for its write lock at most the store's busy timeout); both
// work as well while the daemon is stopped.
#include "cli/commands.hpp"
#include "cli/config_errors.hpp"
#include "cli/exit_codes.hpp"

#include "actions/job.hpp"
#include "config/loader.hpp"
#include "service/health_report.hpp"
#include "state/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <iomanip>
#include <ostream>
#include <vector>

namespace ewstrigd::cli {
namespace {

// Rows printed per state: enough for any outbox an admin reads on a screen;
// the summary line still gives the full counts.
constexpr std::size_t max_rows = 1000;
// The table keeps each row on one line; --json has the whole text.
constexpr std::size_t max_error_column = 120;

std::string action_name(const config::config& cfg, const state::outbox_row& row) {
    for (const auto& t : cfg.triggers) {
        if (t.name != row.trigger) continue;
        if (row.action_index < 0 || static_cast<std::size_t>(row.action_index) >= t.actions.size()) break;
        return std::string(actions::to_string(actions::kind_of(t.actions[static_cast<std::size_t>(row.action_index)])));
    }
    return "?";  // the trigger changed since: the daemon makes such a row dead when it comes due
}

std::string one_line(std::string text) {
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    if (text.size() > max_error_column) text = text.substr(0, max_error_column) + "...";
    return text.empty() ? "-" : text;
}

bool is_dead(const state::outbox_row& row) { return row.state == state::outbox_state::dead; }

// For a pending row when it runs next; for a dead one since when it is dead.
std::string when_of(const state::outbox_row& row) {
    if (is_dead(row)) return row.finished ? service::rfc3339_utc(*row.finished) : "-";
    return service::rfc3339_utc(row.next_attempt);
}

// What the table and the JSON show of a row. Never the payload: it holds the
// message's data, which is not the admin tool's to print.
nlohmann::json row_json(const config::config& cfg, const state::outbox_row& row) {
    nlohmann::json j{{"id", row.id},
                     {"state", is_dead(row) ? "dead" : "pending"},
                     {"mailbox", row.mailbox},
                     {"folder", row.folder},
                     {"trigger", row.trigger},
                     {"action_index", row.action_index},
                     {"action", action_name(cfg, row)},
                     {"event_id", row.event_id},
                     {"attempts", row.attempts},
                     {"max_attempts", row.max_attempts},
                     {"created", service::rfc3339_utc(row.created)},
                     {"last_error", row.last_error}};
    j[is_dead(row) ? "dead_since" : "next_attempt"] = when_of(row);
    return j;
}

void print_table(const std::vector<nlohmann::json>& rows, std::ostream& out) {
    using line = std::array<std::string, 9>;
    std::vector<line> lines{{"ID", "STATE", "MAILBOX", "TRIGGER", "ACTION", "EVENT", "ATTEMPTS",
                             "NEXT ATTEMPT / DEAD SINCE", "LAST ERROR"}};
    for (const auto& r : rows) {
        const bool dead = r["state"] == "dead";
        lines.push_back({std::to_string(r["id"].get<std::int64_t>()), r["state"], r["mailbox"], r["trigger"],
                         r["action"].get<std::string>() + "#" + std::to_string(r["action_index"].get<int>()),
                         r["event_id"],
                         std::to_string(r["attempts"].get<int>()) + "/" + std::to_string(r["max_attempts"].get<int>()),
                         dead ? r["dead_since"] : r["next_attempt"], one_line(r["last_error"])});
    }
    std::array<std::size_t, 9> width{};
    for (const auto& l : lines) {
        for (std::size_t i = 0; i < width.size(); ++i) width[i] = std::max(width[i], l[i].size());
    }
    for (const auto& l : lines) {
        // The error goes last and unpadded: it is the long, free-text column.
        for (std::size_t i = 0; i + 1 < l.size(); ++i) out << std::left << std::setw(static_cast<int>(width[i] + 2)) << l[i];
        out << l.back() << '\n';
    }
}

int list(state::store& store, const config::config& cfg, const outbox_args& args, std::ostream& out) {
    const auto counts = store.counts();
    std::vector<nlohmann::json> rows;
    if (!args.dead) {
        for (const auto& r : store.due_actions(state::clock::time_point::max(), max_rows)) rows.push_back(row_json(cfg, r));
    }
    for (const auto& r : store.dead_letters(max_rows)) rows.push_back(row_json(cfg, r));
    if (args.json) {
        out << nlohmann::json{{"pending", counts.pending}, {"dead", counts.dead}, {"rows", rows}}.dump(2) << '\n';
        return exit_code::ok;
    }
    if (!rows.empty()) print_table(rows, out);
    out << counts.pending << " pending, " << counts.dead << " dead";
    if (counts.pending > max_rows || counts.dead > max_rows) out << " (at most " << max_rows << " of each shown)";
    out << '\n';
    return exit_code::ok;
}

int retry(state::store& store, const outbox_args& args, std::ostream& out, std::ostream& err) {
    const auto now = state::clock::now();
    std::size_t requeued = 0;
    int code = exit_code::ok;
    if (args.all_dead) {
        requeued = store.requeue_all_dead(now);
    } else {
        for (const auto id : args.ids) {
            if (store.requeue(id, now)) {
                ++requeued;
            } else {
                err << "ewstrigd outbox retry: " << id << " is not a dead letter (see `ewstrigd outbox list --dead`)\n";
                code = exit_code::usage;
            }
        }
    }
    out << requeued << (requeued == 1 ? " dead letter" : " dead letters")
        << " back to pending; a running daemon runs them within a few seconds, a stopped one when it starts\n";
    return code;
}

}  // namespace

int outbox_command(const outbox_args& args, std::ostream& out, std::ostream& err) {
    if (args.action == "retry" && !args.all_dead && args.ids.empty()) {
        err << "ewstrigd outbox retry: name the dead letters (IDs from `ewstrigd outbox list --dead`) or --all-dead\n";
        return exit_code::usage;
    }
    const auto loaded = config::load_config(args.config_file);
    if (!loaded.cfg) return report_config_errors(loaded.errors, err);
    const std::filesystem::path state_dir = loaded.cfg->state_dir;
    // Checked first: opening would create an empty database in a mistyped state_dir.
    std::error_code ec;
    if (!std::filesystem::exists(state::store::database_path(state_dir), ec)) {
        err << "ewstrigd outbox: no state database in " << state_dir.string()
            << " (has `ewstrigd run` used this state_dir yet?)\n";
        return exit_code::invalid_config;
    }
    try {
        const auto store = state::store::open(state_dir, /*exclusive=*/false);
        return args.action == "retry" ? retry(*store, args, out, err) : list(*store, *loaded.cfg, args, out);
    } catch (const state::store_error& e) {
        err << "ewstrigd outbox: " << e.what() << '\n';
        return exit_code::invalid_config;
    }
}

}  // namespace ewstrigd::cli
