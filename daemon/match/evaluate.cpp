#include "match/evaluate.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <string>
#include <type_traits>

namespace ewstrigd::match {
namespace {

using clock_point = std::chrono::system_clock::time_point;

bool test_regex(const re2::RE2& re, std::string_view text, captures* out) {
    const re2::StringPiece input(text.data(), text.size());
    const auto& names = re.CapturingGroupNames();  // group index -> name
    // Without anyone wanting captures (or without named groups) RE2 can answer
    // from its DFA alone, which is several times faster than extracting groups.
    if (out == nullptr || names.empty()) {
        return re.Match(input, 0, input.size(), re2::RE2::UNANCHORED, nullptr, 0);
    }
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(re.NumberOfCapturingGroups()) + 1);
    if (!re.Match(input, 0, input.size(), re2::RE2::UNANCHORED, groups.data(),
                  static_cast<int>(groups.size()))) {
        return false;
    }
    for (const auto& [index, name] : names) {
        const auto& g = groups[static_cast<std::size_t>(index)];
        if (g.data() != nullptr) out->emplace(name, std::string(g.data(), g.size()));
    }
    return true;
}

bool test_address(const text_test& t, const mail_address& a, captures* out) {
    if (test_text(t, a.email, out)) return true;
    if (a.name.empty()) return false;
    if (test_text(t, a.name, out)) return true;
    // Built only when needed: most rules decide on the email alone.
    const std::string both = a.name + " <" + a.email + ">";
    return test_text(t, both, out);
}

bool test_any_address(const text_test& t, const std::vector<mail_address>& list, captures* out) {
    return std::any_of(list.begin(), list.end(),
                       [&](const mail_address& a) { return test_address(t, a, out); });
}

bool holds(const address_condition& c, const message& m, captures* out) {
    switch (c.field) {
        case address_field::from: return test_address(c.test, m.from, out);
        case address_field::to: return test_any_address(c.test, m.to, out);
        case address_field::cc: return test_any_address(c.test, m.cc, out);
    }
    return false;
}

bool holds(const text_condition& c, const message& m, captures* out) {
    switch (c.field) {
        case text_field::subject: return test_text(c.test, m.subject, out);
        case text_field::body: return test_text(c.test, m.body, out);
        case text_field::folder: return test_text(c.test, m.folder, out);
    }
    return false;
}

bool holds(const attachment_name_condition& c, const message& m, captures* out) {
    return std::any_of(m.attachments.begin(), m.attachments.end(),
                       [&](const attachment& a) { return test_text(c.test, a.name, out); });
}

bool holds(const attachment_size_condition& c, const message& m, captures*) {
    return std::any_of(m.attachments.begin(), m.attachments.end(), [&](const attachment& a) {
        return (!c.min || a.size >= *c.min) && (!c.max || a.size <= *c.max);
    });
}

bool holds(const flag_condition& c, const message& m, captures*) {
    const bool value = c.which == flag_condition::flag::is_read
                           ? m.is_read
                           : (m.has_attachments || !m.attachments.empty());
    return value == c.expected;
}

bool holds(const importance_condition& c, const message& m, captures*) {
    return m.importance_level == c.expected;
}

bool holds(const categories_condition& c, const message& m, captures* out) {
    return std::any_of(m.categories.begin(), m.categories.end(),
                       [&](const std::string& cat) { return test_text(c.test, cat, out); });
}

bool in_daily_window(const received_condition& c, std::chrono::sys_seconds received) {
    using std::chrono::minutes;
    const auto minute = std::chrono::floor<minutes>(received - std::chrono::floor<std::chrono::days>(received));
    const minutes start = c.day_start.value_or(minutes{0});
    const minutes end = c.day_end.value_or(minutes{24 * 60});
    if (start <= end) return start <= minute && minute < end;
    return minute >= start || minute < end;  // e.g. 22:00-06:00
}

bool holds(const received_condition& c, const message& m, clock_point now) {
    if (!m.received) return false;
    const auto received = *m.received;
    if (c.after && received < *c.after) return false;
    if (c.before && received >= *c.before) return false;
    if (c.within) {
        const auto age = now - received;
        if (age > *c.within || -age > *c.within) return false;
    }
    if ((c.day_start || c.day_end) && !in_daily_window(c, received)) return false;
    return true;
}

bool holds(const header_condition& c, const message& m, captures* out) {
    return std::any_of(m.headers.begin(), m.headers.end(), [&](const auto& h) {
        return equals_text(h.first, c.name) && (!c.test || test_text(*c.test, h.second, out));
    });
}

bool holds(const condition& c, const message& m, clock_point now, captures* out);

// Children write into a scratch map so that a failing `all` or a losing `any`
// branch leaves nothing behind in `out`.
bool holds(const combinator& c, const message& m, clock_point now, captures* out) {
    switch (c.op) {
        case combinator::kind::all: {
            captures local;
            for (const auto& child : c.children) {
                if (!holds(child, m, now, out ? &local : nullptr)) return false;
            }
            if (out) out->insert(local.begin(), local.end());
            return true;
        }
        case combinator::kind::any:
            for (const auto& child : c.children) {
                captures local;
                if (holds(child, m, now, out ? &local : nullptr)) {
                    if (out) out->insert(local.begin(), local.end());
                    return true;
                }
            }
            return false;
        case combinator::kind::not_:
            // A childless `not` is a config bug; firing actions on it would be worse.
            return !c.children.empty() && !holds(c.children.front(), m, now, nullptr);
    }
    return false;
}

bool holds(const condition& c, const message& m, clock_point now, captures* out) {
    return std::visit(
        [&](const auto& node) {
            using node_type = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<node_type, combinator>) {
                return holds(node, m, now, out);
            } else if constexpr (std::is_same_v<node_type, received_condition>) {
                return holds(node, m, now);
            } else {
                return holds(node, m, out);
            }
        },
        c.node);
}

void collect_group_names(const condition& c, std::vector<std::string>& names) {
    const auto add = [&](const text_test& t) {
        if (t.how != text_test::kind::regex || !t.regex) return;
        for (const auto& [name, index] : t.regex->NamedCapturingGroups()) names.push_back(name);
    };
    std::visit(
        [&](const auto& node) {
            using node_type = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<node_type, combinator>) {
                for (const auto& child : node.children) collect_group_names(child, names);
            } else if constexpr (std::is_same_v<node_type, header_condition>) {
                if (node.test) add(*node.test);
            } else if constexpr (requires { node.test; }) {
                add(node.test);
            }
        },
        c.node);
}

}  // namespace

bool test_text(const text_test& t, std::string_view text, captures* out) {
    switch (t.how) {
        case text_test::kind::glob: return glob_match(t.pattern, text, t.case_sensitive);
        case text_test::kind::contains: return contains_text(text, t.pattern, t.case_sensitive);
        case text_test::kind::equals: return equals_text(text, t.pattern, t.case_sensitive);
        case text_test::kind::regex: return t.regex && test_regex(*t.regex, text, out);
    }
    return false;
}

verdict evaluate(const condition& c, const message& m, std::chrono::system_clock::time_point now) {
    verdict v;
    v.matched = holds(c, m, now, &v.named);
    if (!v.matched) v.named.clear();
    return v;
}

std::vector<std::string> capture_group_names(const condition& c) {
    std::vector<std::string> names;
    collect_group_names(c, names);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

}  // namespace ewstrigd::match
