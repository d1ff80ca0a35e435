#include "config/conditions.hpp"

#include "config/keys.hpp"
#include "config/units.hpp"

#include <algorithm>

#include <re2/re2.h>

namespace ewstrigd::config {
namespace {

using match::condition;

// Aliases let a small file describe an exponentially large tree; these bounds
// keep loading (and evaluation) cheap whatever the input.
constexpr int max_depth = 32;
constexpr int max_nodes = 10'000;

constexpr std::pair<std::string_view, match::text_test::kind> test_kinds[] = {
    {"glob", match::text_test::kind::glob},
    {"contains", match::text_test::kind::contains},
    {"equals", match::text_test::kind::equals},
    {"regex", match::text_test::kind::regex},
};

class condition_reader {
public:
    explicit condition_reader(yaml_reader& in) : in_(in) {}

    std::optional<condition> read(const YAML::Node& node, std::string_view what, int depth);

private:
    std::optional<condition> read_map(const YAML::Node& map, std::string_view what, int depth);
    std::optional<condition> read_key(std::string_view key, const YAML::Node& value, std::string_view what,
                                      int depth);
    std::optional<condition> read_list(match::combinator::kind op, const YAML::Node& list, std::string_view what,
                                       int depth);
    std::optional<match::text_test> read_text_test(const YAML::Node& node, std::string_view what);
    std::optional<match::text_test> read_test_fields(const YAML::Node& map, std::string_view what);
    std::optional<condition> read_header(const YAML::Node& node, std::string_view what);
    std::optional<condition> read_size(const YAML::Node& node, std::string_view what);
    std::optional<condition> read_received(const YAML::Node& node, std::string_view what);

    yaml_reader& in_;
    int nodes_ = 0;
};

std::optional<condition> condition_reader::read(const YAML::Node& node, std::string_view what, int depth) {
    if (depth > max_depth) {
        in_.error(node, std::string(what) + ": conditions nested deeper than " + std::to_string(max_depth) + " levels");
        return std::nullopt;
    }
    if (++nodes_ > max_nodes) {
        if (nodes_ == max_nodes + 1) {
            in_.error(node, std::string(what) + ": more than " + std::to_string(max_nodes) + " conditions in one trigger");
        }
        return std::nullopt;
    }
    if (node.IsSequence()) return read_list(match::combinator::kind::all, node, what, depth);
    if (!in_.expect_map(node, what)) return std::nullopt;
    return read_map(node, what, depth);
}

std::optional<condition> condition_reader::read_map(const YAML::Node& map, std::string_view what, int depth) {
    in_.check_keys(map, "condition", what);
    match::combinator all{match::combinator::kind::all, {}};
    bool ok = true;
    for (const auto& entry : map) {
        if (!entry.first.IsScalar()) continue;  // reported by check_keys
        const std::string& key = entry.first.Scalar();
        const auto& known = keys_of("condition");
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            ok = false;
            continue;
        }
        auto c = read_key(key, entry.second, path_join(what, key), depth);
        if (c) all.children.push_back(std::move(*c));
        ok = ok && c.has_value();
    }
    if (!ok) return std::nullopt;
    if (all.children.empty()) {
        in_.error(map, std::string(what) + ": no condition given");
        return std::nullopt;
    }
    if (all.children.size() == 1) return std::move(all.children.front());
    return condition{std::move(all)};
}

std::optional<condition> condition_reader::read_list(match::combinator::kind op, const YAML::Node& list,
                                                     std::string_view what, int depth) {
    if (!in_.expect_sequence(list, what)) return std::nullopt;
    match::combinator group{op, {}};
    bool ok = true;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto c = read(list[i], path_index(what, i), depth + 1);
        if (c) group.children.push_back(std::move(*c));
        ok = ok && c.has_value();
    }
    if (!ok) return std::nullopt;
    if (group.children.empty()) {
        in_.error(list, std::string(what) + ": an empty list of conditions");
        return std::nullopt;
    }
    return condition{std::move(group)};
}

std::optional<condition> condition_reader::read_key(std::string_view key, const YAML::Node& value,
                                                    std::string_view what, int depth) {
    using match::address_field;
    using match::text_field;
    auto text_of = [&](auto make) -> std::optional<condition> {
        auto test = read_text_test(value, what);
        if (!test) return std::nullopt;
        return condition{make(std::move(*test))};
    };
    auto address = [&](address_field f) {
        return text_of([f](match::text_test t) { return match::address_condition{f, std::move(t)}; });
    };
    auto text = [&](text_field f) {
        return text_of([f](match::text_test t) { return match::text_condition{f, std::move(t)}; });
    };
    auto flag = [&](match::flag_condition::flag which) -> std::optional<condition> {
        auto b = in_.boolean(value, what);
        if (!b) return std::nullopt;
        return condition{match::flag_condition{which, *b}};
    };

    if (key == "all") return read_list(match::combinator::kind::all, value, what, depth);
    if (key == "any") return read_list(match::combinator::kind::any, value, what, depth);
    if (key == "not") {
        auto inner = read(value, what, depth + 1);
        if (!inner) return std::nullopt;
        match::combinator negation{match::combinator::kind::not_, {}};
        negation.children.push_back(std::move(*inner));
        return condition{std::move(negation)};
    }
    if (key == "from") return address(address_field::from);
    if (key == "to") return address(address_field::to);
    if (key == "cc") return address(address_field::cc);
    if (key == "subject") return text(text_field::subject);
    if (key == "body") return text(text_field::body);
    if (key == "folder") return text(text_field::folder);
    if (key == "attachment_name") {
        return text_of([](match::text_test t) { return match::attachment_name_condition{std::move(t)}; });
    }
    if (key == "categories") {
        return text_of([](match::text_test t) { return match::categories_condition{std::move(t)}; });
    }
    if (key == "has_attachments") return flag(match::flag_condition::flag::has_attachments);
    if (key == "is_read") return flag(match::flag_condition::flag::is_read);
    if (key == "importance") {
        auto level = in_.choice(value, what, {"low", "normal", "high"});
        if (!level) return std::nullopt;
        const auto expected = *level == "low"    ? match::importance::low
                              : *level == "high" ? match::importance::high
                                                 : match::importance::normal;
        return condition{match::importance_condition{expected}};
    }
    if (key == "attachment_size") return read_size(value, what);
    if (key == "received") return read_received(value, what);
    return read_header(value, what);  // the only key left in keys_of("condition")
}

std::optional<match::text_test> condition_reader::read_text_test(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar()) {
        auto pattern = in_.string(node, what);
        if (!pattern) return std::nullopt;
        match::text_test glob;
        glob.pattern = std::move(*pattern);
        return glob;
    }
    if (!in_.expect_map(node, what)) return std::nullopt;
    in_.check_keys(node, "text_test", what);
    return read_test_fields(node, what);
}

std::optional<match::text_test> condition_reader::read_test_fields(const YAML::Node& map, std::string_view what) {
    match::text_test test;
    YAML::Node pattern_node;
    int kinds = 0;
    for (auto [name, how] : test_kinds) {
        if (const YAML::Node n = map[std::string(name)]; n.IsDefined()) {
            ++kinds;
            test.how = how;
            pattern_node = n;
        }
    }
    if (kinds != 1) {
        in_.error(map, std::string(what) + ": give exactly one of glob, contains, equals or regex");
        return std::nullopt;
    }
    if (const YAML::Node cs = map["case_sensitive"]; cs.IsDefined()) {
        auto b = in_.boolean(cs, path_join(what, "case_sensitive"));
        if (!b) return std::nullopt;
        test.case_sensitive = *b;
    }
    auto pattern = in_.string(pattern_node, what);
    if (!pattern) return std::nullopt;
    test.pattern = std::move(*pattern);
    if (test.how == match::text_test::kind::regex) {
        RE2::Options options;
        options.set_log_errors(false);
        options.set_case_sensitive(test.case_sensitive);
        auto re = std::make_shared<const re2::RE2>(test.pattern, options);
        if (!re->ok()) {
            in_.error(pattern_node, std::string(what) + ": invalid regex: " + re->error());
            return std::nullopt;
        }
        test.regex = std::move(re);
    }
    return test;
}

std::optional<condition> condition_reader::read_header(const YAML::Node& node, std::string_view what) {
    match::header_condition header;
    const YAML::Node name_node = node.IsMap() ? node["name"] : node;
    if (node.IsMap()) {
        in_.check_keys(node, "header_test", what);
        if (!in_.required(node, "name", what)) return std::nullopt;
    } else if (!node.IsScalar()) {
        in_.error(node, std::string(what) + " must be a header name or a map with name and a test");
        return std::nullopt;
    }
    auto name = in_.string(name_node, path_join(what, "name"));
    if (!name) return std::nullopt;
    header.name = std::move(*name);
    bool has_test = false;
    for (auto [test_key, how] : test_kinds) has_test = has_test || (node.IsMap() && node[std::string(test_key)].IsDefined());
    if (has_test || (node.IsMap() && node["case_sensitive"].IsDefined())) {
        auto test = read_test_fields(node, what);
        if (!test) return std::nullopt;
        header.test = std::move(*test);
    }
    return condition{std::move(header)};
}

std::optional<condition> condition_reader::read_size(const YAML::Node& node, std::string_view what) {
    if (!in_.expect_map(node, what)) return std::nullopt;
    in_.check_keys(node, "attachment_size", what);
    match::attachment_size_condition size;
    bool ok = true;
    for (auto [key, bound] : {std::pair{"min", &size.min}, std::pair{"max", &size.max}}) {
        const YAML::Node n = node[key];
        if (!n.IsDefined()) continue;
        *bound = in_.parsed_text(n, path_join(what, key), parse_size);
        ok = ok && bound->has_value();
    }
    if (!ok) return std::nullopt;
    if (!size.min && !size.max) {
        in_.error(node, std::string(what) + ": give min, max or both");
        return std::nullopt;
    }
    if (size.min && size.max && *size.min > *size.max) {
        in_.error(node, std::string(what) + ": min is larger than max");
        return std::nullopt;
    }
    return condition{size};
}

std::optional<condition> condition_reader::read_received(const YAML::Node& node, std::string_view what) {
    if (!in_.expect_map(node, what)) return std::nullopt;
    in_.check_keys(node, "received", what);
    match::received_condition received;
    bool ok = true;
    // Reads node[key] with a unit parser; a missing key leaves the part unset.
    auto part = [&](const char* key, auto parse) {
        const YAML::Node n = node[key];
        if (!n.IsDefined()) return decltype(in_.parsed_text(n, what, parse))();
        auto value = in_.parsed_text(n, path_join(what, key), parse);
        ok = ok && value.has_value();
        return value;
    };
    received.after = part("after", parse_timestamp);
    received.before = part("before", parse_timestamp);
    if (auto within = part("within", parse_duration)) {
        received.within = std::chrono::duration_cast<std::chrono::seconds>(*within);
    }
    if (auto window = part("time_of_day", parse_day_window)) {
        received.day_start = window->start;
        received.day_end = window->end;
    }
    if (!ok) return std::nullopt;
    if (!received.after && !received.before && !received.within && !received.day_start) {
        in_.error(node, std::string(what) + ": give after, before, within or time_of_day");
        return std::nullopt;
    }
    return condition{received};
}

}  // namespace

std::optional<match::condition> read_condition(yaml_reader& in, const YAML::Node& when, std::string_view what) {
    condition_reader reader(in);
    return reader.read(when, what, 0);
}

}  // namespace ewstrigd::config
