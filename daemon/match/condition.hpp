#pragma once
// A trigger's `when:` tree, compiled at config load time. Evaluated by
// match/evaluate.hpp. Regexes are RE2 (linear time: mail is untrusted input).

#include "match/message.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace re2 {
class RE2;
}

namespace ewstrigd::match {

// How a text value is compared. A bare YAML string is a glob; a map chooses.
// Comparisons are case-insensitive unless case_sensitive is set.
struct text_test {
    enum class kind { glob, contains, equals, regex };
    kind how = kind::glob;
    std::string pattern;
    bool case_sensitive = false;
    std::shared_ptr<const re2::RE2> regex;  // set when how == regex
};

enum class address_field { from, to, cc };
enum class text_field { subject, body, folder };

// from/to/cc: true when any address of the field matches, by email or name.
struct address_condition {
    address_field field = address_field::from;
    text_test test;
};

struct text_condition {
    text_field field = text_field::subject;
    text_test test;
};

struct attachment_name_condition {
    text_test test;  // true when any attachment's name matches
};

struct attachment_size_condition {
    // true when any attachment's size lies in [min, max]
    std::optional<std::uint64_t> min;
    std::optional<std::uint64_t> max;
};

struct flag_condition {
    enum class flag { has_attachments, is_read };
    flag which = flag::has_attachments;
    bool expected = true;
};

struct importance_condition {
    importance expected = importance::normal;
};

struct categories_condition {
    text_test test;  // true when any category matches
};

// received: absolute bounds and/or "within the last D" and/or a daily window (UTC).
struct received_condition {
    std::optional<std::chrono::sys_seconds> after;
    std::optional<std::chrono::sys_seconds> before;
    std::optional<std::chrono::seconds> within;
    std::optional<std::chrono::minutes> day_start;  // minutes since 00:00 UTC
    std::optional<std::chrono::minutes> day_end;    // exclusive; may wrap past midnight
};

// header: present (no test) or any header of that name whose value matches.
struct header_condition {
    std::string name;
    std::optional<text_test> test;
};

struct condition;
struct combinator {
    enum class kind { all, any, not_ };
    kind op = kind::all;
    std::vector<condition> children;  // exactly one for not_
};

struct condition {
    std::variant<combinator, address_condition, text_condition, attachment_name_condition,
                 attachment_size_condition, flag_condition, importance_condition,
                 categories_condition, received_condition, header_condition>
        node;
};

}  // namespace ewstrigd::match
